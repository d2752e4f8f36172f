import type { TopicRecords } from '@mlc/contracts';
import {
  customerDocument,
  ledgerOfInvoice,
  orderAmendment,
  orderCancellation,
  orderInvoice,
  receivablesKeys,
  refundCreditMemo,
  MoneyFormatError,
  type AccountingConfig,
  type CustomerMatchingRule,
  type ShopifyCustomer,
  type ShopifyOrder,
  type ShopifyRefund,
} from '@mlc/domain-accounting';
import { parseShopifyJson } from '@mlc/partners-shopify-client';
import { newMeta, type HandlerContext, type OutgoingRecord } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import type { TenantSnapshot } from '@mlc/tenants';
import type { OrderState, ShopifyStateRepository, StoredCommand } from './shopify-state.repository';

type WebhookReceived = TopicRecords['shopify.webhook.received.v1'];
type Out = OutgoingRecord[];

const ORDER_TOPICS = new Set(['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled']);
const CUSTOMER_TOPICS = new Set(['customers/create', 'customers/update']);
const COMPLIANCE_TOPICS = new Set(['customers/data_request', 'customers/redact', 'shop/redact']);
const PAID_STATUSES = new Set(['paid', 'partially_refunded', 'refunded']);
export const REQUESTED_TOPIC = 'accounting.fusion-receivables.requested.v1';

/**
 * A sortable version of a webhook body: Shopify's `updated_at` (seconds) then X-Shopify-Triggered-At (microseconds),
 * so reordered and duplicated deliveries of one order end in the same state. The reconciliation sweep sends no
 * Triggered-At: it then loses a tie, which is harmless (same updated_at, same content).
 */
export function version(updatedAt: string | null | undefined, triggeredAt: string | undefined): { at: Date; key: string } {
  const ms = Date.parse(updatedAt ?? '');
  const at = Number.isNaN(ms) ? new Date(0) : new Date(ms);
  const m = /^(.*?T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(triggeredAt ?? '');
  const micros = m ? BigInt(Date.parse(`${m[1]}${m[3]}`)) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0').slice(0, 6)) : 0n;
  return { at, key: `${String(at.getTime()).padStart(15, '0')}.${micros.toString().padStart(19, '0')}` };
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) return v;
  return undefined;
}

export interface ShopifyTenantView {
  snapshot(tenantId: string): Promise<TenantSnapshot>;
}

/**
 * Shopify webhooks (orders, refunds, customers) → accounting.fusion-receivables.requested.v1 commands. State per
 * order (what was invoiced, the last version seen, refunds credited) lives in mapper_shopify_*; a command that
 * depends on the invoice (amendment, credit memo, paid) is always preceded by the invoice command itself (same
 * key, writer-side idempotent), so the writer never meets a credit before its invoice.
 */
export class ShopifyReceivablesService {
  constructor(
    private readonly repo: ShopifyStateRepository,
    private readonly tenants: ShopifyTenantView,
    private readonly log: Logger,
  ) {}

  async onWebhook(value: WebhookReceived, ctx: HandlerContext): Promise<Out> {
    const tenantId = value.meta.tenantId;
    if (COMPLIANCE_TOPICS.has(value.topic)) {
      // Nothing of a redaction reaches Fusion from here; acknowledged and logged for the audit trail.
      this.log.info('shopify compliance webhook acknowledged', { tenantId, topic: value.topic, deliveryId: value.deliveryId });
      return [];
    }
    if (!ORDER_TOPICS.has(value.topic) && value.topic !== 'refunds/create' && !CUSTOMER_TOPICS.has(value.topic)) {
      this.log.info('shopify webhook topic not used by accounting', { tenantId, topic: value.topic });
      return [];
    }
    let body: unknown;
    try {
      body = parseShopifyJson(value.body);
      if (!body || typeof body !== 'object' || !('id' in body)) throw new Error('the body is not a Shopify resource with an id');
    } catch (err) {
      return [
        ctx.exception({
          code: 'MAPPER.SHOPIFY_UNREADABLE',
          category: 'parse',
          message: `${value.topic} body cannot be read: ${(err as Error).message}`,
          entityType: 'shopify-webhook',
          businessId: value.deliveryId,
        }),
      ];
    }
    const snapshot = await this.tenants.snapshot(tenantId);
    const shop = header(value.headers, 'X-Shopify-Shop-Domain') ?? snapshot.connections.shopify?.shopDomain ?? 'unknown-shop';
    const ver = version((body as { updated_at?: string }).updated_at, header(value.headers, 'X-Shopify-Triggered-At'));
    const matching = snapshot.settings.customerMatching as CustomerMatchingRule;
    try {
      if (CUSTOMER_TOPICS.has(value.topic)) return await this.onCustomer(value, body as ShopifyCustomer, shop, snapshot, ver, matching);
      const accounting = snapshot.settings.accounting;
      if (!accounting) {
        const orderId = value.topic === 'refunds/create' ? (body as ShopifyRefund).order_id : (body as ShopifyOrder).id;
        return [
          ctx.exception({
            code: 'MAPPER.NO_ACCOUNTING_SETTINGS',
            category: 'missing-mapping',
            message: `tenant ${tenantId} has no accounting settings (business unit, transaction source/type, revenue account, payment terms, guest customer)`,
            entityType: 'fusion-receivables',
            businessId: receivablesKeys.invoice(shop, orderId),
            details: { topic: value.topic, orderId },
          }),
        ];
      }
      if (value.topic === 'refunds/create') return await this.onRefund(value, body as ShopifyRefund, snapshot, accounting);
      return await this.onOrder(value, body as ShopifyOrder, shop, snapshot, accounting, matching, ver);
    } catch (err) {
      if (!(err instanceof MoneyFormatError)) throw err;
      return [
        ctx.exception({
          code: 'MAPPER.SHOPIFY_BAD_AMOUNT',
          category: 'invalid-value',
          message: err.message,
          entityType: 'shopify-webhook',
          businessId: value.deliveryId,
          details: { topic: value.topic },
        }),
      ];
    }
  }

  private async onCustomer(
    value: WebhookReceived,
    c: ShopifyCustomer,
    shop: string,
    snapshot: TenantSnapshot,
    ver: { at: Date; key: string },
    matching: CustomerMatchingRule,
  ): Promise<Out> {
    const tenantId = value.meta.tenantId;
    const doc = customerDocument(c, matching);
    const cmd: StoredCommand = {
      kind: 'customer_upsert',
      key: `${tenantId}:${c.id}`,
      idempotencyKey: receivablesKeys.customer(shop, c.id, c.updated_at ?? null),
      shopDomain: shop,
      shopifyOrderId: null,
      shopifyOrderName: null,
      shopifyCustomerId: c.id,
      shopifyRefundId: null,
      mappingVersion: snapshot.configVersion,
      document: JSON.stringify(doc),
    };
    const out = await this.repo.tx(async (tx) => {
      await this.repo.lock(tx, tenantId, `customer:${c.id}`);
      const seen = await this.repo.customer(tx, tenantId, c.id);
      const seenKey = seen ? ((seen.lastCommand as StoredCommand & { version?: string }).version ?? '') : '';
      if (seen && seenKey > ver.key) return [];
      if (seen && seenKey === ver.key) return [seen.lastCommand];
      await this.repo.saveCustomer(tx, tenantId, c.id, ver.at, { ...cmd, version: ver.key } as StoredCommand);
      return [cmd];
    });
    return out.map((s) => this.record(value, s));
  }

  private async onRefund(value: WebhookReceived, refund: ShopifyRefund, snapshot: TenantSnapshot, accounting: AccountingConfig): Promise<Out> {
    const tenantId = value.meta.tenantId;
    const cmds = await this.repo.tx(async (tx) => {
      await this.repo.lock(tx, tenantId, `order:${refund.order_id}`);
      const state = await this.repo.order(tx, tenantId, refund.order_id);
      if (!state) {
        // The order is not invoiced yet (its webhook is late or was dropped): credited once it is.
        await this.repo.saveRefund(tx, tenantId, { refundId: refund.id, orderId: refund.order_id, refund, status: 'pending' });
        this.log.info('refund kept until its order is invoiced', { tenantId, orderId: refund.order_id, refundId: refund.id });
        return [];
      }
      const out = this.creditRefund(state, refund, snapshot, accounting);
      await this.repo.saveRefund(tx, tenantId, { refundId: refund.id, orderId: refund.order_id, refund, status: out ? 'emitted' : 'empty' });
      return out ? [state.invoiceCommand, out] : [];
    });
    return cmds.map((s) => this.record(value, s));
  }

  private creditRefund(state: OrderState, refund: ShopifyRefund, snapshot: TenantSnapshot, accounting: AccountingConfig): StoredCommand | undefined {
    const doc = refundCreditMemo(refund, { id: state.orderId, name: state.orderName, billTo: state.billTo }, state.ledger, accounting);
    if (!doc) return undefined;
    return {
      ...state.invoiceCommand,
      kind: 'credit_memo',
      idempotencyKey: receivablesKeys.refund(state.shopDomain, state.orderId, refund.id),
      shopifyRefundId: refund.id,
      mappingVersion: snapshot.configVersion,
      document: JSON.stringify(doc),
    };
  }

  private async onOrder(
    value: WebhookReceived,
    order: ShopifyOrder,
    shop: string,
    snapshot: TenantSnapshot,
    accounting: AccountingConfig,
    matching: CustomerMatchingRule,
    ver: { at: Date; key: string },
  ): Promise<Out> {
    const tenantId = value.meta.tenantId;
    const cmds = await this.repo.tx(async (tx) => {
      await this.repo.lock(tx, tenantId, `order:${order.id}`);
      let state = await this.repo.order(tx, tenantId, order.id);
      const fresh: StoredCommand[] = [];
      const base = {
        key: `${tenantId}:${order.id}`,
        shopDomain: shop,
        shopifyOrderId: order.id,
        shopifyOrderName: order.name ?? null,
        shopifyCustomerId: order.customer?.id ?? null,
        shopifyRefundId: null,
        mappingVersion: snapshot.configVersion,
      };
      let newer = true;
      // A cancellation comes with orders/cancelled, or as cancelled_at on orders/updated (ADR-001). Not from
      // orders/create or orders/paid: Shopify's published samples of those are of a cancelled test order.
      const cancelledAt = value.topic === 'orders/cancelled' || value.topic === 'orders/updated' ? (order.cancelled_at ?? null) : null;
      if (!state) {
        // First sight (orders/create, or orders/updated from a reordered delivery or the sweep): the invoice always
        // bills the original amounts, whichever payload brought it, so every path gives the same invoice.
        const invoice = orderInvoice(order, accounting, matching);
        const invoiceCommand: StoredCommand = {
          ...base,
          kind: 'invoice_create',
          idempotencyKey: receivablesKeys.invoice(shop, order.id),
          document: JSON.stringify(invoice),
        };
        state = {
          orderId: order.id,
          shopDomain: shop,
          orderName: order.name ?? null,
          lastUpdatedAt: ver.at,
          lastUpdatedRaw: ver.key,
          invoiceCommand,
          ledger: ledgerOfInvoice(invoice),
          billTo: invoice.billTo,
          revision: 0,
          paid: false,
          cancelledAt: null,
          lastCommands: [],
        };
        fresh.push(invoiceCommand);
      } else {
        // Sweep bodies (a GraphQL read) carry no refunds or tax lines, so a refund would look like an edit: they
        // invoice an order no webhook brought, but amendments come only from webhooks (which carry refunds).
        newer = ver.key > state.lastUpdatedRaw && header(value.headers, 'mlc-origin') !== 'sweep';
      }
      const duplicate = !fresh.length && ver.key === state.lastUpdatedRaw;
      if (newer) {
        // A cancelled order is not amended: its cancellation credits whatever is left open on the invoice.
        const amended =
          cancelledAt || state.cancelledAt
            ? { document: null, ledger: state.ledger }
            : orderAmendment(order, state.ledger, state.revision + 1, accounting, matching);
        if (amended.document) {
          state.revision += 1;
          state.ledger = amended.ledger;
          fresh.push({
            ...base,
            kind: 'invoice_amend',
            idempotencyKey: receivablesKeys.amendment(shop, order.id, state.revision),
            document: JSON.stringify(amended.document),
          });
        }
        state.lastUpdatedAt = ver.at;
        state.lastUpdatedRaw = ver.key;
        state.orderName = order.name ?? state.orderName;
      }
      // Monotone facts are taken from any payload, older ones too: refunds never un-happen, nor does a payment.
      const known = new Map((await this.repo.refunds(tx, tenantId, order.id)).map((r) => [r.refundId, r]));
      const refunds = new Map<string, ShopifyRefund>();
      for (const r of known.values()) if (r.status === 'pending') refunds.set(r.refundId, r.refund);
      for (const r of order.refunds ?? []) if (!known.has(r.id) || known.get(r.id)!.status === 'pending') refunds.set(r.id, r);
      for (const r of refunds.values()) {
        const cmd = this.creditRefund(state, r, snapshot, accounting);
        if (cmd) fresh.push(cmd);
        await this.repo.saveRefund(tx, tenantId, { refundId: r.id, orderId: order.id, refund: r, status: cmd ? 'emitted' : 'empty' });
      }
      if (!state.paid && PAID_STATUSES.has(order.financial_status ?? '')) {
        state.paid = true;
        fresh.push({
          ...base,
          kind: 'invoice_paid',
          idempotencyKey: receivablesKeys.paid(shop, order.id),
          document: JSON.stringify({
            type: 'paid',
            invoiceCrossReference: state.ledger.invoiceCrossReference,
            shopifyOrderId: order.id,
            financialStatus: order.financial_status,
            currency: order.currency,
            total: order.total_price,
            paidAt: order.processed_at ?? null,
          }),
        });
      }
      // Cancelled is a monotone fact too: sent once, after the refunds it may come with (they are credited first).
      if (cancelledAt && !state.cancelledAt) {
        // Amendments 1..revision may each have made a supplementary invoice (the writer closes those it finds).
        const supplementary = Array.from({ length: state.revision }, (_, i) => `${state.ledger.invoiceCrossReference}-A${i + 1}`);
        const doc = orderCancellation({ ...order, cancelled_at: cancelledAt }, state.ledger.invoiceCrossReference, accounting, supplementary)!;
        state.cancelledAt = new Date(Date.parse(cancelledAt) || Date.now());
        fresh.push({ ...base, kind: 'invoice_amend', idempotencyKey: receivablesKeys.cancellation(shop, order.id), document: JSON.stringify(doc) });
      }
      if (!fresh.length) {
        // A newer version that changes nothing still moves the version (an older payload must not amend after it).
        if (newer) await this.repo.saveOrder(tx, tenantId, state);
        // A duplicate of the last version re-sends what that version sent (the writer ignores what it has done);
        // an older version sends nothing.
        return duplicate ? state.lastCommands : [];
      }
      const out = fresh[0]!.kind === 'invoice_create' ? fresh : [state.invoiceCommand, ...fresh];
      state.lastCommands = out;
      await this.repo.saveOrder(tx, tenantId, state);
      return out;
    });
    return cmds.map((s) => this.record(value, s));
  }

  private record(value: WebhookReceived, s: StoredCommand): OutgoingRecord<'accounting.fusion-receivables.requested.v1'> {
    return {
      topic: REQUESTED_TOPIC,
      key: s.key,
      value: {
        meta: newMeta({ tenantId: value.meta.tenantId, source: 'mapper', causedBy: value.meta }),
        kind: s.kind,
        idempotencyKey: s.idempotencyKey,
        shopDomain: s.shopDomain,
        shopifyOrderId: s.shopifyOrderId,
        shopifyOrderName: s.shopifyOrderName,
        shopifyCustomerId: s.shopifyCustomerId,
        shopifyRefundId: s.shopifyRefundId,
        mappingVersion: s.mappingVersion,
        document: s.document,
      },
    };
  }
}
