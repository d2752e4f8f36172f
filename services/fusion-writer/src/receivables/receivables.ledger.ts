import type { Pool } from 'pg';

/** What a completed command produced (the fields of the synced event). */
export interface ReceivablesResult {
  outcome: 'created' | 'updated' | 'already_existed' | 'unchanged';
  fusionCustomerAccountId: string | null;
  fusionCustomerAccountNumber: string | null;
  fusionTransactionNumber: string | null;
  fusionTransactionId: string | null;
  amount: string | null;
  currency: string | null;
}

export interface KnownCustomer {
  partyId: string;
  accountNumber: string;
  billToSite: string | null;
}

/** fusion-writer's own record of completed receivables writes and of the Fusion customers behind Shopify customers. */
export class ReceivablesLedger {
  constructor(private readonly pool: Pool) {}

  async done(tenantId: string, key: string): Promise<ReceivablesResult | undefined> {
    const r = await this.pool.query('SELECT result FROM fusion_writer_receivables_done WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key]);
    return (r.rows[0] as { result: ReceivablesResult } | undefined)?.result;
  }

  async markDone(tenantId: string, key: string, kind: string, result: ReceivablesResult): Promise<void> {
    await this.pool.query('INSERT INTO fusion_writer_receivables_done (tenant_id, idempotency_key, kind, result) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING', [
      tenantId,
      key,
      kind,
      JSON.stringify(result),
    ]);
  }

  async customer(tenantId: string, shopifyCustomerId: string): Promise<KnownCustomer | undefined> {
    const r = await this.pool.query('SELECT party_id, account_number, bill_to_site FROM fusion_writer_receivables_customers WHERE tenant_id = $1 AND shopify_customer_id = $2', [
      tenantId,
      shopifyCustomerId,
    ]);
    const row = r.rows[0] as { party_id: string; account_number: string; bill_to_site: string | null } | undefined;
    return row && { partyId: row.party_id, accountNumber: row.account_number, billToSite: row.bill_to_site };
  }

  async saveCustomer(tenantId: string, shopifyCustomerId: string, c: KnownCustomer): Promise<void> {
    await this.pool.query(
      `INSERT INTO fusion_writer_receivables_customers (tenant_id, shopify_customer_id, party_id, account_number, bill_to_site) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (tenant_id, shopify_customer_id) DO UPDATE SET party_id = EXCLUDED.party_id, account_number = EXCLUDED.account_number, bill_to_site = EXCLUDED.bill_to_site, updated_at = now()`,
      [tenantId, shopifyCustomerId, c.partyId, c.accountNumber, c.billToSite],
    );
  }
}
