import { stringifyFusionJson, type FusionArTransaction, type FusionCustomerAccountActivity } from '@mlc/partners-fusion-client';
import type { EventMeta, TopicRecords } from '@mlc/contracts';

export type ReceivablesChanged = TopicRecords['erp.receivables.changed.v1'];

const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));

/**
 * An invoice or credit memo. `crossReference` is what the connector wrote into CrossReference (the Shopify order
 * name/id, see oracle-fusion.md §6), so a consumer finds the Shopify order again without parsing `raw`.
 */
export function transactionChanged(entity: 'invoice' | 'credit_memo', t: FusionArTransaction, meta: EventMeta): ReceivablesChanged {
  return {
    meta,
    entity,
    fusionId: String(t.CustomerTransactionId),
    number: str(t.TransactionNumber),
    status: str(entity === 'invoice' ? t.InvoiceStatus : t['CreditMemoStatus']),
    crossReference: str(t.CrossReference),
    lastUpdateDate: String(t.LastUpdateDate),
    raw: stringifyFusionJson(t),
  };
}

export function customerAccountChanged(a: FusionCustomerAccountActivity, meta: EventMeta): ReceivablesChanged {
  return {
    meta,
    entity: 'customer_account',
    fusionId: String(a.AccountId),
    number: str(a.AccountNumber),
    status: str(a['AccountStatus'] ?? a['Status']),
    crossReference: null,
    lastUpdateDate: a.LastUpdateDate,
    raw: stringifyFusionJson(a),
  };
}
