import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '@mlc/platform-service';
import type { BillTo, OrderLedger, ShopifyRefund } from '@mlc/domain-accounting';

/** A receivables command without its meta (stored so a duplicate webhook re-sends exactly the same commands). */
export interface StoredCommand {
  kind: 'customer_upsert' | 'invoice_create' | 'invoice_amend' | 'invoice_paid' | 'credit_memo';
  key: string;
  idempotencyKey: string;
  shopDomain: string;
  shopifyOrderId: string | null;
  shopifyOrderName: string | null;
  shopifyCustomerId: string | null;
  shopifyRefundId: string | null;
  mappingVersion: number;
  document: string;
}

export interface OrderState {
  orderId: string;
  shopDomain: string;
  orderName: string | null;
  lastUpdatedAt: Date;
  lastUpdatedRaw: string;
  invoiceCommand: StoredCommand;
  ledger: OrderLedger;
  billTo: BillTo;
  revision: number;
  paid: boolean;
  /** Shopify's cancelled_at once the cancellation was sent (null: not cancelled, or not yet seen). */
  cancelledAt?: Date | null;
  lastCommands: StoredCommand[];
}

export interface RefundRow {
  refundId: string;
  orderId: string;
  refund: ShopifyRefund;
  status: 'pending' | 'emitted' | 'empty';
}

/** SQL of the shopify feature; writes run inside `tx` with the order's (or customer's) advisory lock held. */
export class ShopifyStateRepository {
  constructor(private readonly pool: Pool) {}

  async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  /** Serialises everything about one order or customer (its webhooks arrive on any partition). */
  async lock(c: PoolClient, tenantId: string, what: string): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mapper.shopify:${tenantId}:${what}`]);
  }

  async order(c: PoolClient, tenantId: string, orderId: string): Promise<OrderState | undefined> {
    const r = await c.query('SELECT * FROM mapper_shopify_orders WHERE tenant_id = $1 AND order_id = $2', [tenantId, orderId]);
    const row = r.rows[0] as Record<string, unknown> | undefined;
    if (!row) return undefined;
    return {
      orderId,
      shopDomain: row['shop_domain'] as string,
      orderName: (row['order_name'] as string | null) ?? null,
      lastUpdatedAt: row['last_updated_at'] as Date,
      lastUpdatedRaw: row['last_updated_raw'] as string,
      invoiceCommand: row['invoice_command'] as StoredCommand,
      ledger: row['ledger'] as OrderLedger,
      billTo: row['bill_to'] as BillTo,
      revision: row['revision'] as number,
      paid: row['paid'] as boolean,
      cancelledAt: (row['cancelled_at'] as Date | null | undefined) ?? null,
      lastCommands: row['last_commands'] as StoredCommand[],
    };
  }

  async saveOrder(c: PoolClient, tenantId: string, s: OrderState): Promise<void> {
    await c.query(
      `INSERT INTO mapper_shopify_orders (tenant_id, order_id, shop_domain, order_name, last_updated_at, last_updated_raw, invoice_command, ledger, bill_to, revision, paid, last_commands, cancelled_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
       ON CONFLICT (tenant_id, order_id) DO UPDATE SET order_name = EXCLUDED.order_name, last_updated_at = EXCLUDED.last_updated_at,
         last_updated_raw = EXCLUDED.last_updated_raw, ledger = EXCLUDED.ledger, bill_to = EXCLUDED.bill_to, revision = EXCLUDED.revision,
         paid = EXCLUDED.paid, last_commands = EXCLUDED.last_commands,
         cancelled_at = COALESCE(mapper_shopify_orders.cancelled_at, EXCLUDED.cancelled_at), updated_at = now()`,
      [
        tenantId,
        s.orderId,
        s.shopDomain,
        s.orderName,
        s.lastUpdatedAt,
        s.lastUpdatedRaw,
        JSON.stringify(s.invoiceCommand),
        JSON.stringify(s.ledger),
        JSON.stringify(s.billTo),
        s.revision,
        s.paid,
        JSON.stringify(s.lastCommands),
        s.cancelledAt ?? null,
      ],
    );
  }

  async refunds(c: PoolClient, tenantId: string, orderId: string): Promise<RefundRow[]> {
    const r = await c.query(
      'SELECT refund_id, order_id, refund, status FROM mapper_shopify_refunds WHERE tenant_id = $1 AND order_id = $2 ORDER BY created_at, refund_id',
      [tenantId, orderId],
    );
    return r.rows.map((row: Record<string, unknown>) => ({
      refundId: row['refund_id'] as string,
      orderId: row['order_id'] as string,
      refund: row['refund'] as ShopifyRefund,
      status: row['status'] as RefundRow['status'],
    }));
  }

  async saveRefund(c: PoolClient, tenantId: string, r: RefundRow): Promise<void> {
    await c.query(
      `INSERT INTO mapper_shopify_refunds (tenant_id, refund_id, order_id, refund, status) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (tenant_id, refund_id) DO UPDATE SET status = EXCLUDED.status`,
      [tenantId, r.refundId, r.orderId, JSON.stringify(r.refund), r.status],
    );
  }

  async customer(c: PoolClient, tenantId: string, customerId: string): Promise<{ lastUpdatedAt: Date; lastCommand: StoredCommand } | undefined> {
    const r = await c.query('SELECT last_updated_at, last_command FROM mapper_shopify_customers WHERE tenant_id = $1 AND customer_id = $2', [
      tenantId,
      customerId,
    ]);
    const row = r.rows[0] as Record<string, unknown> | undefined;
    return row ? { lastUpdatedAt: row['last_updated_at'] as Date, lastCommand: row['last_command'] as StoredCommand } : undefined;
  }

  async saveCustomer(c: PoolClient, tenantId: string, customerId: string, at: Date, cmd: StoredCommand): Promise<void> {
    await c.query(
      `INSERT INTO mapper_shopify_customers (tenant_id, customer_id, last_updated_at, last_command) VALUES ($1,$2,$3,$4)
       ON CONFLICT (tenant_id, customer_id) DO UPDATE SET last_updated_at = EXCLUDED.last_updated_at, last_command = EXCLUDED.last_command`,
      [tenantId, customerId, at, JSON.stringify(cmd)],
    );
  }
}
