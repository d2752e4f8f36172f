import { as, type Setting } from '@mlc/platform-config';

/** Settings of the receivables feature of fusion-writer (merged into the service's settings). */
export const receivablesSettings = {
  creditMemoAmountSign: {
    env: 'FUSION_CREDIT_MEMO_AMOUNT_SIGN',
    doc: 'negative | positive: how CreditMemoService.createCreditMemo amounts are written (UNCONFIRMED at Oracle; its credit memo APIs take credits as negative amounts)',
    parse: as.oneOf('negative', 'positive'),
    default: 'negative',
  } as Setting<'negative' | 'positive'>,
} satisfies Record<string, Setting<unknown>>;
