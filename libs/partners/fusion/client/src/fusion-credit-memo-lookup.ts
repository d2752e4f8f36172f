import type { FusionClient } from './fusion.client';
import type { FusionCreditMemoRow } from './fusion-receivables';

/**
 * Credit memos by TransactionNumber, one of receivablesCreditMemos' documented queryable attributes: how the
 * connector finds a memo it created with a deterministic number (createCreditMemo's TransactionNumber). A source
 * with automatic numbering replaces that number, so an empty answer does not prove the memo is absent.
 */
export async function findCreditMemosByTransactionNumber(client: FusionClient, transactionNumber: string): Promise<FusionCreditMemoRow[]> {
  const page = await client.getJson<{ items?: FusionCreditMemoRow[] }>('/fscmRestApi/resources/11.13.18.05/receivablesCreditMemos', {
    q: `TransactionNumber='${transactionNumber.replace(/'/g, "''")}'`,
    onlyData: true,
    limit: 25,
  });
  return page.items ?? [];
}
