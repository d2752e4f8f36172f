import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@mlc/platform-service';
import { isoTime } from './audit-query.service';

const day = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

/** Reconciliation reports over the projections (per tenant and UTC day). */
@Injectable()
export class ReportsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Per tenant and day: POs seen vs ShipBob orders created vs shipped vs written back to Fusion; Shopify orders vs
   * Fusion invoices (count and amount) with the orders that differ; ShipBob charges per PO.
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
    const differences = await this.pool.query(
      `${joined} SELECT tenant_id AS "tenantId", day, order_id AS "shopifyOrderId", name AS "shopifyOrderName", order_amount::text AS "orderAmount",
                        invoice AS "fusionInvoice", invoice_amount::text AS "invoiceAmount", currency,
                        CASE WHEN invoice IS NULL THEN 'no Fusion invoice' ELSE 'amounts differ' END AS difference
                   FROM j WHERE invoice IS NULL OR order_amount IS DISTINCT FROM invoice_amount ORDER BY 1, 2, 3`,
      args,
    );
    const charges = await this.charges({ tenants: q.tenants, from: q.from, to: q.to });
    return { fulfilment: fulfilment.rows, receivables: receivables.rows, receivablesDifferences: differences.rows, chargesPerPo: charges };
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
