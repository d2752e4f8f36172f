import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { LOGGER, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import {
  PartnerClients,
  TenantDirectory,
  reconcileReceivables,
  type KnownOrderDocuments,
  type ReceivablesCheck,
  type ReceivablesDifference,
} from '@mlc/tenancy';
import { isoTime } from './audit-query.service';

const day = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

/** Reconciliation reports over the projections (per tenant and UTC day). */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Optional() private readonly clients?: PartnerClients,
    @Optional() private readonly directory?: TenantDirectory,
    @Optional() @Inject(LOGGER) private readonly log?: Logger,
  ) {}

  /**
   * Per tenant and day: POs seen vs ShipBob orders created vs shipped vs written back to Fusion; Shopify orders vs
   * Fusion invoices as our audit trail recorded them (count and amount); ShipBob charges per PO. The receivables
   * differences are read from the partners themselves (see {@link receivablesAgainstPartners}), never from our own
   * records alone: those said "no difference" for an order Fusion over-billed.
   */
  async reconciliation(q: { tenants?: string[]; from?: string; to?: string }): Promise<Record<string, unknown>> {
    const args: unknown[] = [isoTime(q.from, 'from') ?? '1970-01-01T00:00:00Z', isoTime(q.to, 'to') ?? '9999-12-31T00:00:00Z'];
    let tf = '';
    if (q.tenants) {
      args.push(q.tenants);
      tf = ` AND tenant_id = ANY($3)`;
    }
    const range = `occurred_at >= $1 AND occurred_at < $2${tf}`;
    const fulfilment = await this.pool.query(
      `SELECT tenant_id AS "tenantId", ${day} AS day,
         count(DISTINCT business_id) FILTER (WHERE topic = 'erp.purchase-order.changed.v1')::int AS "posSeen",
         count(DISTINCT business_id) FILTER (WHERE topic = 'fulfilment.shipbob-order.synced.v1' AND attrs->>'outcome' IN ('created', 'already_existed'))::int AS "shipbobOrdersCreated",
         count(DISTINCT business_id) FILTER (WHERE topic = 'ops.dry-run-write.recorded.v1' AND attrs->>'operation' = 'create-order')::int AS "shipbobOrdersDryRun",
         count(DISTINCT attrs->>'shipmentId') FILTER (WHERE topic = 'fulfilment.fusion-po-update.requested.v1' AND attrs ? 'shipmentId')::int AS "shipped",
         count(DISTINCT business_id) FILTER (WHERE topic = 'fulfilment.fusion-po.updated.v1' AND attrs->>'outcome' IN ('written', 'already_written'))::int AS "writtenBack",
         count(*) FILTER (WHERE topic = 'ops.exception.raised.v1')::int AS "exceptions"
       FROM audit_entries WHERE ${range} GROUP BY 1, 2 ORDER BY 1, 2`,
      args,
    );
    const num = `CASE WHEN x ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN x::numeric END`;
    const joined = `WITH o AS (SELECT tenant_id, attrs->>'shopifyOrderId' AS order_id, min(${day}) AS day, max(attrs->>'shopifyOrderName') AS name,
                         (array_agg(attrs->>'amount' ORDER BY occurred_at DESC, event_id DESC))[1] AS amount
                    FROM audit_entries WHERE topic = 'accounting.fusion-receivables.requested.v1' AND attrs->>'kind' = 'invoice_create' AND attrs ? 'shopifyOrderId' AND ${range}
                   GROUP BY 1, 2),
            i AS (SELECT tenant_id, attrs->>'shopifyOrderId' AS order_id, max(attrs->>'fusionTransactionNumber') AS invoice,
                         (array_agg(attrs->>'amount' ORDER BY occurred_at DESC, event_id DESC))[1] AS amount, max(attrs->>'currency') AS currency
                    FROM audit_entries WHERE topic = 'accounting.fusion-receivables.synced.v1' AND attrs->>'kind' = 'invoice_create' AND attrs ? 'shopifyOrderId'${tf}
                   GROUP BY 1, 2),
            j AS (SELECT o.tenant_id, o.day, o.order_id, o.name, ${num.replace(/x/g, 'o.amount')} AS order_amount, i.invoice, ${num.replace(/x/g, 'i.amount')} AS invoice_amount, i.currency
                    FROM o LEFT JOIN i ON i.tenant_id = o.tenant_id AND i.order_id = o.order_id)`;
    const receivables = await this.pool.query(
      `${joined} SELECT tenant_id AS "tenantId", day, count(*)::int AS "shopifyOrders", coalesce(sum(order_amount), 0)::text AS "shopifyAmount",
                        count(invoice)::int AS "fusionInvoices", coalesce(sum(invoice_amount) FILTER (WHERE invoice IS NOT NULL), 0)::text AS "fusionAmount"
                   FROM j GROUP BY 1, 2 ORDER BY 1, 2`,
      args,
    );
    const partners = await this.receivablesAgainstPartners({ tenants: q.tenants, from: args[0] as string, to: args[1] as string });
    const charges = await this.charges({ tenants: q.tenants, from: q.from, to: q.to });
    // Orders whose invoice is only a would-be write (receivables flow in dry run): not missing, listed apart.
    const dry = await this.pool.query<{ tenant_id: string; order_id: string; operations: string }>(
      `SELECT d.tenant_id, d.attrs->>'shopifyOrderId' AS order_id, string_agg(DISTINCT d.attrs->>'operation', ',') AS operations FROM audit_entries d
        WHERE d.topic = 'ops.dry-run-write.recorded.v1' AND d.attrs->>'flow' = 'receivables' AND d.attrs ? 'shopifyOrderId'${q.tenants ? ' AND d.tenant_id = ANY($1)' : ''}
          AND NOT EXISTS (SELECT 1 FROM audit_entries s WHERE s.tenant_id = d.tenant_id AND s.topic = 'accounting.fusion-receivables.synced.v1'
                            AND s.attrs->>'kind' = 'invoice_create' AND s.attrs->>'shopifyOrderId' = d.attrs->>'shopifyOrderId')
        GROUP BY 1, 2`,
      q.tenants ? [q.tenants] : [],
    );
    const dryOps = new Map(dry.rows.map((x) => [`${x.tenant_id}|${x.order_id}`, x.operations]));
    const isDry = (d: ReceivablesDifference) => dryOps.has(`${d.tenantId}|${d.shopifyOrderId}`);
    const receivablesDryRun = partners.differences.filter(isDry).map((d) => ({
      ...d,
      wouldBeWrites: dryOps.get(`${d.tenantId}|${d.shopifyOrderId}`),
      reason: `dry run: ${d.reason} (its documents are would-be writes: mlc dryrun list ${d.tenantId})`,
    }));
    return {
      fulfilment: fulfilment.rows,
      receivables: receivables.rows,
      receivablesDifferences: partners.differences.filter((d) => !isDry(d)),
      receivablesDryRun,
      receivablesChecks: partners.checks,
      chargesPerPo: charges,
    };
  }

  /**
   * For every tenant with a Shopify and a Fusion connection: each Shopify order created in the window, Shopify's
   * current total (GraphQL currentTotalPriceSet, read now) against the net of all its Fusion documents (invoice +
   * amendment invoices by CrossReference, − credit memos by TransactionNumber). A tenant that cannot be checked is
   * listed with the reason, so the report never claims "no difference" for orders it did not compare.
   */
  async receivablesAgainstPartners(q: {
    tenants?: string[];
    from: string;
    to: string;
  }): Promise<{ differences: ReceivablesDifference[]; checks: ReceivablesCheck[] }> {
    const differences: ReceivablesDifference[] = [];
    const checks: ReceivablesCheck[] = [];
    if (!this.clients || !this.directory) return { differences, checks };
    let tenants = q.tenants;
    if (!tenants) {
      try {
        tenants = (await this.directory.list()).map((t) => t.id);
      } catch (err) {
        return {
          differences,
          checks: [
            {
              tenantId: '*',
              source: null,
              ordersChecked: 0,
              differences: 0,
              error: `tenants could not be read: ${err instanceof Error ? err.message : String(err)}`,
            },
          ],
        };
      }
    }
    const window = { from: new Date(q.from), to: new Date(q.to) };
    for (const tenantId of tenants) {
      let snapshot;
      try {
        snapshot = await this.directory.get(tenantId);
      } catch (err) {
        checks.push({ tenantId, source: null, ordersChecked: 0, differences: 0, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      if (!snapshot.connections.shopify || !snapshot.connections.fusion) {
        checks.push({
          tenantId,
          source: null,
          ordersChecked: 0,
          differences: 0,
          error: `no ${!snapshot.connections.shopify ? 'Shopify' : 'Fusion'} connection: receivables not compared`,
        });
        continue;
      }
      try {
        const clients = { shopify: await this.clients.shopify(tenantId), fusion: await this.clients.fusion(tenantId) };
        const seen = await this.pool.query<{ id: string }>(
          `SELECT DISTINCT attrs->>'shopifyOrderId' AS id FROM audit_entries
            WHERE tenant_id = $1 AND topic = 'accounting.fusion-receivables.requested.v1' AND attrs->>'kind' = 'invoice_create' AND attrs ? 'shopifyOrderId'
              AND occurred_at >= $2 AND occurred_at < $3`,
          [tenantId, q.from, q.to],
        );
        const r = await reconcileReceivables(
          tenantId,
          clients,
          window,
          (orderId) => this.knownDocuments(tenantId, orderId),
          seen.rows.map((x) => x.id),
        );
        differences.push(...r.differences);
        checks.push({
          tenantId,
          source: 'Shopify GraphQL currentTotalPriceSet vs Fusion receivablesInvoices (CrossReference) and receivablesCreditMemos (TransactionNumber)',
          ordersChecked: r.ordersChecked,
          differences: r.differences.length,
          error: null,
        });
      } catch (err) {
        this.log?.warn('receivables reconciliation could not read the partners', { tenantId, error: err instanceof Error ? err.message : String(err) });
        checks.push({ tenantId, source: null, ordersChecked: 0, differences: 0, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { differences, checks };
  }

  /** The credit memo numbers the writer reported for an order and the refund ids the mapper saw (our ledger of its documents). */
  private async knownDocuments(tenantId: string, orderId: string): Promise<KnownOrderDocuments> {
    const r = await this.pool.query<{ numbers: string | null; refs: string[] }>(
      `SELECT CASE WHEN topic = 'accounting.fusion-receivables.synced.v1' AND attrs->>'kind' IN ('credit_memo', 'invoice_amend') THEN attrs->>'fusionTransactionNumber' END AS numbers, refs
         FROM audit_entries
        WHERE tenant_id = $1 AND topic IN ('accounting.fusion-receivables.synced.v1', 'accounting.fusion-receivables.requested.v1') AND attrs->>'shopifyOrderId' = $2`,
      [tenantId, orderId],
    );
    const transactionNumbers = new Set<string>();
    const refundIds = new Set<string>();
    for (const row of r.rows) {
      for (const n of (row.numbers ?? '').split(',')) if (n.trim()) transactionNumbers.add(n.trim());
      for (const ref of row.refs) if (ref.startsWith('shopify-refund:')) refundIds.add(ref.slice('shopify-refund:'.length));
    }
    return { transactionNumbers: [...transactionNumbers], refundIds: [...refundIds] };
  }

  async charges(q: { tenants?: string[]; poHeaderId?: string; from?: string; to?: string }): Promise<Array<Record<string, unknown>>> {
    const args: unknown[] = [isoTime(q.from, 'from') ?? '1970-01-01T00:00:00Z', isoTime(q.to, 'to') ?? '9999-12-31T00:00:00Z'];
    const where = ['occurred_at >= $1', 'occurred_at < $2'];
    if (q.tenants) (args.push(q.tenants), where.push(`tenant_id = ANY($${args.length})`));
    if (q.poHeaderId) (args.push(q.poHeaderId), where.push(`po_header_id = $${args.length}`));
    const r = await this.pool.query(
      `SELECT tenant_id AS "tenantId", po_header_id AS "poHeaderId", max(po_number) AS "poNumber", currency, count(*)::int AS charges, sum(amount)::text AS total,
              string_agg(DISTINCT charge_type, ',') AS "chargeTypes"
         FROM audit_billing_records WHERE ${where.join(' AND ')} GROUP BY 1, 2, 4 ORDER BY 1, 2, 4`,
      args,
    );
    return r.rows as Array<Record<string, unknown>>;
  }
}
