import { Decimal } from '@mlc/platform-decimal';
import {
  FusionRejectedError,
  findInvoicesWithLines,
  findCreditMemosByTransactionNumber,
  type FusionClient,
  type FusionInvoiceWithLines,
} from '@mlc/partners-fusion-client';
import type { ShopifyClient, ShopifyOrder } from '@mlc/partners-shopify-client';

/**
 * Receivables reconciliation against the partners themselves (issue 15 item 4): for each Shopify order, Shopify's
 * current total (`currentTotalPriceSet`, read over the client's GraphQL, the same figure as a webhook's
 * `current_total_price`) against the net of ALL its Fusion documents: the invoice (CrossReference = order id), the
 * supplementary amendment invoices (CrossReference `<order id>-A<n>`), less the credit memos against it (found by
 * their TransactionNumber: the numbers the writer reported, and the deterministic `R<refund id>` numbers).
 */

/** Money in thousandths (every ISO currency has at most three decimals). */
const SCALE = 3;

/** An amount (a Shopify decimal string, or Fusion's exact decimal text) in thousandths, rounded half away from zero. */
function toMilli(amount: string | number): bigint {
  return Decimal.parse(amount).round(SCALE).units;
}

function fromMilli(v: bigint, decimals: number): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const whole = abs / 1000n;
  const frac = (abs % 1000n).toString().padStart(SCALE, '0').slice(0, decimals);
  return `${neg ? '-' : ''}${whole}${decimals ? `.${frac}` : ''}`;
}

const decimalsOf = (amount: string): number => Math.min(SCALE, (amount.split('.')[1] ?? '').length || 2);

/** One Fusion document of an order, signed as it counts toward the order (memos negative). */
export interface ReconciledDocument {
  kind: 'invoice' | 'amendment' | 'credit_memo';
  transactionNumber: string;
  customerTransactionId: string;
  crossReference: string | null;
  amount: string;
}

export interface ReceivablesDifference {
  tenantId: string;
  shopifyOrderId: string;
  shopifyOrderName: string;
  currency: string;
  /** Shopify's current total (GraphQL currentTotalPriceSet); 0 for a cancelled order (ADR-001 §7). */
  shopifyAmount: string;
  /** Invoices + amendments − credit memos in Fusion. */
  fusionAmount: string;
  /** shopifyAmount − fusionAmount. */
  difference: string;
  documents: ReconciledDocument[];
  /** What the difference is, in words. */
  reason: string;
}

export interface ReceivablesCheck {
  tenantId: string;
  /** Where the two sides were read from; null when the check could not run. */
  source: string | null;
  ordersChecked: number;
  differences: number;
  /** Why the check did not run (no connection, a partner refused), so "no differences" is never claimed falsely. */
  error: string | null;
}

export interface ReconcileWindow {
  from: Date;
  to: Date;
}

/** What our own records (the audit trail of the writer's results) know about an order's Fusion documents. */
export interface KnownOrderDocuments {
  /** TransactionNumbers the writer reported for the order's credit memos and amendments. */
  transactionNumbers: string[];
  /** Shopify refund ids the mapper turned into credit memos. */
  refundIds: string[];
}

/** `R` + the refund id in base 36: the writer's deterministic credit memo TransactionNumber for a refund. */
export function refundMemoNumber(refundId: string): string {
  return /^\d+$/.test(refundId)
    ? `R${BigInt(refundId).toString(36).toUpperCase()}`
    : `R${refundId
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(-12)
        .toUpperCase()}`;
}

function invoiceMilli(inv: FusionInvoiceWithLines): bigint {
  let total = 0n;
  for (const l of inv.lines) {
    // quantity × unit price exactly (decimals, no floats), rounded once
    const qty = Decimal.tryParse(l.Quantity) ?? Decimal.ZERO;
    total += qty.mul(Decimal.tryParse(l.UnitSellingPrice) ?? Decimal.ZERO).round(SCALE).units;
    const freight = Decimal.tryParse(l['AllocatedFreightAmount']);
    if (freight) total += freight.round(SCALE).units;
  }
  return total;
}

const AMENDMENT_PROBE_MISSES = 3;

/**
 * The order's supplementary invoices (`<id>-A<n>`): one `like` query (a documented v2 row-match operator on a
 * documented queryable attribute); where Fusion refuses it, exact look-ups of -A1, -A2, ... until three in a row
 * are absent.
 */
async function amendmentInvoices(fusion: FusionClient, orderId: string): Promise<FusionInvoiceWithLines[]> {
  try {
    const page = await fusion.getJson<{ items?: Array<Record<string, unknown>> }>('/fscmRestApi/resources/11.13.18.05/receivablesInvoices', {
      q: `CrossReference like '${orderId}-A%'`,
      expand: 'receivablesInvoiceLines',
      onlyData: true,
      limit: 100,
    });
    return (page.items ?? []).map((r) => {
      const { receivablesInvoiceLines, ...rest } = r;
      const lines = Array.isArray(receivablesInvoiceLines)
        ? receivablesInvoiceLines
        : ((receivablesInvoiceLines as { items?: unknown[] } | undefined)?.items ?? []);
      return { ...(rest as FusionInvoiceWithLines), lines: lines as FusionInvoiceWithLines['lines'] };
    });
  } catch (err) {
    if (!(err instanceof FusionRejectedError)) throw err;
  }
  const found: FusionInvoiceWithLines[] = [];
  for (let n = 1, misses = 0; misses < AMENDMENT_PROBE_MISSES; n++) {
    const hit = await findInvoicesWithLines(fusion, `${orderId}-A${n}`);
    if (hit.length) (found.push(...hit), (misses = 0));
    else misses++;
  }
  return found;
}

/** All Fusion documents of one order, each signed as it counts (invoices +, credit memos −). */
export async function fusionDocumentsOf(fusion: FusionClient, orderId: string, known: KnownOrderDocuments): Promise<ReconciledDocument[]> {
  const docs: ReconciledDocument[] = [];
  const seen = new Set<string>();
  for (const inv of [...(await findInvoicesWithLines(fusion, orderId)), ...(await amendmentInvoices(fusion, orderId))]) {
    const id = String(inv.CustomerTransactionId);
    if (seen.has(id)) continue;
    seen.add(id);
    docs.push({
      kind: inv.CrossReference === orderId ? 'invoice' : 'amendment',
      transactionNumber: inv.TransactionNumber,
      customerTransactionId: id,
      crossReference: inv.CrossReference ?? null,
      amount: fromMilli(invoiceMilli(inv), SCALE),
    });
  }
  const numbers = new Set([...known.transactionNumbers, ...known.refundIds.map(refundMemoNumber)]);
  for (const number of numbers) {
    for (const memo of await findCreditMemosByTransactionNumber(fusion, number)) {
      const id = String(memo.CustomerTransactionId);
      if (seen.has(id) || memo.TransactionNumber !== number) continue;
      seen.add(id);
      const entered = toMilli(memo.EnteredAmount ?? 0);
      // A memo credits: it counts negative whichever sign the pod writes amounts with (FUSION_CREDIT_MEMO_AMOUNT_SIGN).
      docs.push({
        kind: 'credit_memo',
        transactionNumber: memo.TransactionNumber,
        customerTransactionId: id,
        crossReference: null,
        amount: fromMilli(entered > 0n ? -entered : entered, SCALE),
      });
    }
  }
  return docs;
}

/**
 * What Fusion should hold for an order: Shopify's current total, or nothing once the order is cancelled. Shopify
 * keeps `currentTotalPriceSet` on a cancelled order (its published samples are a cancelled, voided order at 414.95),
 * while the writer credits a cancelled order's open balance (ADR-001 §7): its documents net to 0.
 */
export function owedAmount(order: Pick<ShopifyOrder, 'currentTotal' | 'cancelledAt'>): string {
  return order.cancelledAt ? fromMilli(0n, decimalsOf(order.currentTotal.amount)) : order.currentTotal.amount;
}

/** Compares one order; undefined when Fusion's documents net to what Shopify says is owed ({@link owedAmount}) to the cent. */
export function compareOrder(
  tenantId: string,
  order: Pick<ShopifyOrder, 'id' | 'name' | 'currentTotal'> & Partial<Pick<ShopifyOrder, 'cancelledAt'>>,
  documents: ReconciledDocument[],
): ReceivablesDifference | undefined {
  const decimals = decimalsOf(order.currentTotal.amount);
  const shopify = toMilli(owedAmount({ currentTotal: order.currentTotal, cancelledAt: order.cancelledAt ?? null }));
  const fusion = documents.reduce((s, d) => s + toMilli(d.amount), 0n);
  const diff = shopify - fusion;
  if (diff === 0n) return undefined;
  const show = (d: ReconciledDocument): ReconciledDocument => ({ ...d, amount: fromMilli(toMilli(d.amount), decimals) });
  const reason = !documents.some((d) => d.kind === 'invoice')
    ? 'no Fusion invoice'
    : diff < 0n
      ? `Fusion bills ${fromMilli(-diff, decimals)} more than ${order.cancelledAt ? 'a cancelled order owes (0)' : "Shopify's current total"}`
      : `Fusion bills ${fromMilli(diff, decimals)} less than ${order.cancelledAt ? 'a cancelled order owes (0)' : "Shopify's current total"}`;
  return {
    tenantId,
    shopifyOrderId: order.id,
    shopifyOrderName: order.name,
    currency: order.currentTotal.currency,
    shopifyAmount: fromMilli(shopify, decimals),
    fusionAmount: fromMilli(fusion, decimals),
    difference: fromMilli(diff, decimals),
    documents: documents.map(show),
    reason,
  };
}

/**
 * Shopify's orders created in the window (listed by `updated_at >= from`, which every such order satisfies, then
 * kept by createdAt), plus `alsoOrderIds` (orders our audit trail saw in the window) read one by one.
 */
export async function shopifyOrdersIn(shopify: ShopifyClient, window: ReconcileWindow, alsoOrderIds: Iterable<string> = []): Promise<ShopifyOrder[]> {
  const byId = new Map<string, ShopifyOrder>();
  for await (const o of shopify.listOrdersUpdatedSince(window.from)) {
    const created = Date.parse(o.createdAt);
    if (created >= window.from.getTime() && created < window.to.getTime()) byId.set(o.id, o);
  }
  for (const id of alsoOrderIds) {
    if (byId.has(id)) continue;
    const o = await shopify.getOrder(id);
    if (o) byId.set(o.id, o);
  }
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Reconciles one tenant's Shopify orders of the window against Fusion. `known(orderId)` gives what our records know
 * of the order's memos. Throws what the partners throw: the caller reports the tenant as not checked.
 */
export async function reconcileReceivables(
  tenantId: string,
  clients: { shopify: ShopifyClient; fusion: FusionClient },
  window: ReconcileWindow,
  known: (orderId: string) => Promise<KnownOrderDocuments>,
  alsoOrderIds: Iterable<string> = [],
): Promise<{ ordersChecked: number; differences: ReceivablesDifference[] }> {
  const orders = await shopifyOrdersIn(clients.shopify, window, alsoOrderIds);
  const differences: ReceivablesDifference[] = [];
  for (const order of orders) {
    const docs = await fusionDocumentsOf(clients.fusion, order.id, await known(order.id));
    const d = compareOrder(tenantId, order, docs);
    if (d) differences.push(d);
  }
  return { ordersChecked: orders.length, differences };
}
