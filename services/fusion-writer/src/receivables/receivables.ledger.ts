import { sum, toMinor } from '@mlc/domain-accounting';
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
  /** A credit memo: the invoice it credits (CrossReference) and the positive amount credited. */
  creditedInvoice?: string;
  creditedAmount?: string;
  /** The part of creditedAmount credited as freight (FreightAmount); absent on rows written before it was kept. */
  creditedFreight?: string;
  /** A cancellation: the invoice (CrossReference) of the cancelled order, and whether it was deleted (voided). */
  cancelledInvoice?: string;
  voided?: boolean;
}

export interface KnownCustomer {
  partyId: string;
  accountNumber: string;
  billToSite: string | null;
  /** Fusion PartyNumber (the hubOrganizations key); null for rows written before it was kept. */
  partyNumber?: string | null;
  /** Shopify's updated_at of the customer version last written to Fusion. */
  shopifyUpdatedAt?: Date | null;
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

  /** What the memos we completed credited against an invoice (by its CrossReference), in minor units. */
  async creditedAgainst(tenantId: string, invoiceCrossReference: string, currency: string): Promise<bigint> {
    const r = await this.pool.query(
      "SELECT result->>'creditedAmount' AS amount FROM fusion_writer_receivables_done WHERE tenant_id = $1 AND result->>'creditedInvoice' = $2",
      [tenantId, invoiceCrossReference],
    );
    return sum((r.rows as { amount: string | null }[]).map((row) => (row.amount ? toMinor(row.amount, currency) : 0n)));
  }

  /** What our memos credited against an invoice in all, and as freight, in minor units. */
  async credited(tenantId: string, invoiceCrossReference: string, currency: string): Promise<{ total: bigint; freight: bigint }> {
    const r = await this.pool.query(
      "SELECT result->>'creditedAmount' AS amount, result->>'creditedFreight' AS freight FROM fusion_writer_receivables_done WHERE tenant_id = $1 AND result->>'creditedInvoice' = $2",
      [tenantId, invoiceCrossReference],
    );
    const rows = r.rows as { amount: string | null; freight: string | null }[];
    return {
      total: sum(rows.map((row) => (row.amount ? toMinor(row.amount, currency) : 0n))),
      freight: sum(rows.map((row) => (row.freight ? toMinor(row.freight, currency) : 0n))),
    };
  }

  /** Whether the order of this invoice was cancelled (its balance credited or the invoice deleted). */
  async cancelled(tenantId: string, invoiceCrossReference: string): Promise<boolean> {
    const r = await this.pool.query("SELECT 1 FROM fusion_writer_receivables_done WHERE tenant_id = $1 AND result->>'cancelledInvoice' = $2 LIMIT 1", [
      tenantId,
      invoiceCrossReference,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async customer(tenantId: string, shopifyCustomerId: string): Promise<KnownCustomer | undefined> {
    const r = await this.pool.query(
      'SELECT party_id, account_number, bill_to_site, party_number, shopify_updated_at FROM fusion_writer_receivables_customers WHERE tenant_id = $1 AND shopify_customer_id = $2',
      [tenantId, shopifyCustomerId],
    );
    const row = r.rows[0] as
      { party_id: string; account_number: string; bill_to_site: string | null; party_number: string | null; shopify_updated_at: Date | null } | undefined;
    return (
      row && {
        partyId: row.party_id,
        accountNumber: row.account_number,
        billToSite: row.bill_to_site,
        partyNumber: row.party_number,
        shopifyUpdatedAt: row.shopify_updated_at,
      }
    );
  }

  async saveCustomer(tenantId: string, shopifyCustomerId: string, c: KnownCustomer): Promise<void> {
    await this.pool.query(
      `INSERT INTO fusion_writer_receivables_customers (tenant_id, shopify_customer_id, party_id, account_number, bill_to_site, party_number, shopify_updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (tenant_id, shopify_customer_id) DO UPDATE SET party_id = EXCLUDED.party_id, account_number = EXCLUDED.account_number, bill_to_site = EXCLUDED.bill_to_site,
         party_number = COALESCE(EXCLUDED.party_number, fusion_writer_receivables_customers.party_number),
         shopify_updated_at = GREATEST(EXCLUDED.shopify_updated_at, fusion_writer_receivables_customers.shopify_updated_at), updated_at = now()`,
      [tenantId, shopifyCustomerId, c.partyId, c.accountNumber, c.billToSite, c.partyNumber ?? null, c.shopifyUpdatedAt ?? null],
    );
  }
}
