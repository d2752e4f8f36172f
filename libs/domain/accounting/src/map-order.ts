import { fromMinor, prorate, sum, toMinor } from './money';
import { customerDocument } from './map-customer';
import type {
  AmendmentDocument,
  BillTo,
  CreditLineDocument,
  CreditMemoDocument,
  CustomerMatchingRule,
  InvoiceDocument,
  InvoiceLineDocument,
  InvoiceLineKind,
  InvoiceSettings,
} from './documents';
import type { ShopifyLineItem, ShopifyOrder, ShopifyRefund, ShopifyTaxLine } from './shopify.payloads';

/** What the tenant configured (settings.accounting) that a mapping needs. */
export interface AccountingConfig extends InvoiceSettings {
  guestCustomerAccountNumber: string;
}

/**
 * What has been invoiced for an order (original invoice plus amendments; refunds are credited separately), per line
 * key, so an amendment can be computed as the difference to the order's edited state.
 */
export interface LedgerLine {
  key: string;
  kind: InvoiceLineKind;
  description: string;
  itemNumber?: string;
  /** Unit price for item lines (decimal string), null for lump-sum lines. */
  unitPrice: string | null;
  quantity: string;
  amount: string;
  /** The invoice (cross-reference) and line number that first billed this key. */
  invoiceCrossReference: string;
  lineNumber: number;
}

export interface OrderLedger {
  currency: string;
  invoiceCrossReference: string;
  lines: LedgerLine[];
}

interface Target {
  key: string;
  kind: InvoiceLineKind;
  description: string;
  itemNumber?: string;
  unitPrice: bigint | null;
  quantity: bigint;
  amount: bigint;
}

const describe = (li: { title?: string | null; name?: string | null; sku?: string | null }): string => (li.name ?? li.title ?? li.sku ?? 'Item').slice(0, 240);

/** yyyy-MM-dd of Shopify's timestamp as the shop wrote it (its local date; no time-zone shift). */
export function shopDate(ts: string | null | undefined, fallback = new Date()): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(ts ?? '');
  return m ? m[1]! : fallback.toISOString().slice(0, 10);
}

/** Shopify customers are billed as themselves; orders without one (guests, POS) use the tenant's guest account. */
export function billToFor(order: ShopifyOrder, config: AccountingConfig, matching: CustomerMatchingRule): BillTo {
  if (order.customer?.id) {
    return { kind: 'customer', customer: customerDocument(order.customer, matching, order.billing_address, order.email ?? order.contact_email) };
  }
  return { kind: 'guest', accountNumber: config.guestCustomerAccountNumber };
}

const allocated = (allocations: { amount: string }[] | null | undefined, cur: string): bigint => sum((allocations ?? []).map((a) => toMinor(a.amount, cur)));

const moneyField = (v: string | number | undefined | null, cur: string): bigint => (v === undefined || v === null || v === '' ? 0n : toMinor(v, cur));

/**
 * The discount on the line items when each line is billed `quantityOf(line)` units: one rule for the first invoice
 * (original quantities) and for amendments (current quantities, plus the refunded units with the discount their
 * refund reports), so the same order never yields two different discounts. Each line's discount is what Shopify reports for that line (its discount_allocations, else
 * its total_discount), prorated to the quantity billed. Only when Shopify reports no discount on any line (no
 * allocation on a line item or a shipping line, every total_discount zero) does the order's total_discounts stand
 * in, whole. Shipping discounts are netted in the shipping line (shippingOf), never here.
 */
function itemDiscount(order: ShopifyOrder, quantityOf: (li: ShopifyLineItem) => bigint, refunds: ShopifyRefund[] = []): bigint {
  const cur = order.currency;
  let reported = (order.shipping_lines ?? []).some((s) => (s.discount_allocations ?? []).length > 0);
  let discount = 0n;
  for (const li of order.line_items) {
    const own = (li.discount_allocations ?? []).length ? allocated(li.discount_allocations, cur) : moneyField(li.total_discount, cur);
    if ((li.discount_allocations ?? []).length || own) reported = true;
    discount += li.quantity ? prorate(own, quantityOf(li), BigInt(li.quantity)) : 0n;
  }
  if (reported) {
    // Refunded units carry the discount their refund gave them (price × quantity − the refunded subtotal), so the
    // cent Shopify's own split of a discount between kept and refunded units can leave lands on the discount line.
    for (const r of refunds) {
      for (const l of r.refund_line_items ?? []) {
        const li = order.line_items.find((x) => x.id === l.line_item_id);
        if (li) discount += toMinor(li.price, cur) * BigInt(l.quantity) - moneyField(l.subtotal, cur);
      }
    }
    return discount;
  }
  // An order-level amount with nothing to say how it splits: kept whole while anything is billed.
  return order.line_items.some((li) => quantityOf(li) > 0n) ? moneyField(order.total_discounts, cur) : 0n;
}

function taxTitle(t: ShopifyTaxLine): string {
  return (t.title ?? 'Tax').trim() || 'Tax';
}

/** Tax per title from the line items and shipping lines (the order-level tax_lines only when lines carry none). */
function taxesByTitle(order: ShopifyOrder): Map<string, bigint> {
  const cur = order.currency;
  const out = new Map<string, bigint>();
  const add = (lines: ShopifyTaxLine[] | null | undefined) => {
    for (const t of lines ?? []) out.set(taxTitle(t), (out.get(taxTitle(t)) ?? 0n) + toMinor(t.price, cur));
  };
  for (const li of order.line_items) add(li.tax_lines);
  for (const s of order.shipping_lines ?? []) if (!s.is_removed) add(s.tax_lines);
  if (!out.size) add(order.tax_lines);
  // No tax lines at all (sweep bodies): the order's total tax, as one line.
  if (!out.size && order.total_tax && toMinor(order.total_tax, cur) !== 0n) out.set('Tax', toMinor(order.total_tax, cur));
  return out;
}

/**
 * What Shopify charges for shipping: each shipping line that is not removed at its price minus the discounts
 * allocated to it (not `discounted_price`, which since 2024-07 already includes order-level shipping discounts and
 * which the published samples give as 0.00 next to a 10.00 price with no discount), as one freight line described by
 * the shipping lines' titles ("Shipping: Standard", the form the sweep parity spec of webhook-gateway checks). Equals
 * total_shipping_price_set minus the shipping allocations.
 */
function shippingOf(order: ShopifyOrder): { amount: bigint; description: string } {
  const cur = order.currency;
  // Bodies built from a GraphQL read (the reconciliation sweep) carry no shipping_lines, only the total.
  if (!order.shipping_lines) {
    const fallback = order.total_shipping_price_set?.shop_money?.amount;
    return { amount: fallback === undefined ? 0n : toMinor(fallback, cur), description: 'Shipping' };
  }
  const lines = order.shipping_lines.filter((s) => !s.is_removed);
  const amount = sum(lines.map((s) => toMinor(s.price, cur) - allocated(s.discount_allocations, cur)));
  const titles = [...new Set(lines.map((s) => (s.title ?? s.code ?? '').trim()).filter(Boolean))].join(', ');
  return { amount, description: `Shipping${titles ? `: ${titles}` : ''}`.slice(0, 240) };
}

/** A line item billed at its unit price for `quantity`. */
function itemTarget(li: ShopifyLineItem, quantity: bigint, cur: string): Target {
  const unit = toMinor(li.price, cur);
  return {
    key: `item:${li.id}`,
    kind: 'item',
    description: describe(li),
    itemNumber: li.sku ?? undefined,
    unitPrice: unit,
    quantity,
    amount: unit * quantity,
  };
}

/** The order as Shopify first charged it (original quantities and totals): what the first invoice bills. */
function originalTargets(order: ShopifyOrder): Target[] {
  const cur = order.currency;
  const out: Target[] = [];
  for (const li of order.line_items) out.push(itemTarget(li, BigInt(li.quantity), cur));
  const discount = itemDiscount(order, (li) => BigInt(li.quantity));
  if (discount) out.push({ key: 'discount', kind: 'discount', description: 'Discounts', unitPrice: null, quantity: 1n, amount: -discount });
  const ship = shippingOf(order);
  if (ship.amount) out.push({ key: 'shipping', kind: 'shipping', description: ship.description, unitPrice: null, quantity: 1n, amount: ship.amount });
  if (!order.taxes_included) {
    for (const [title, amount] of taxesByTitle(order)) {
      if (amount) out.push({ key: `tax:${title}`, kind: 'tax', description: title, unitPrice: null, quantity: 1n, amount });
    }
  }
  return out;
}

function toInvoiceLines(targets: Target[], currency: string, firstLineNumber = 1): InvoiceLineDocument[] {
  return targets.map((t, i) => ({
    lineNumber: firstLineNumber + i,
    kind: t.kind,
    key: t.key,
    description: t.description,
    quantity: t.quantity.toString(),
    unitSellingPrice: fromMinor(t.unitPrice ?? t.amount, currency),
    amount: fromMinor(t.amount, currency),
    ...(t.itemNumber ? { itemNumber: t.itemNumber } : {}),
  }));
}

function baseInvoice(order: ShopifyOrder, config: AccountingConfig, matching: CustomerMatchingRule) {
  return {
    businessUnit: config.businessUnit,
    transactionSource: config.transactionSource,
    transactionType: config.transactionType,
    paymentTerms: config.paymentTerms,
    revenueAccountCombination: config.revenueAccountCombination,
    shopifyOrderId: order.id,
    shopifyOrderName: order.name ?? null,
    currency: order.currency,
    billTo: billToFor(order, config, matching),
  };
}

/**
 * The receivables invoice of a Shopify order, from the order's original amounts (any order payload, create or
 * updated, gives the same invoice): one line per line item (quantity × price, SKU as item number), one for
 * discounts, one for shipping, one per tax title, and a rounding line only when the payload's own figures do not add
 * up to `total_price` (none for an order whose fields agree), so the invoice total equals `total_price` exactly.
 */
export function orderInvoice(order: ShopifyOrder, config: AccountingConfig, matching: CustomerMatchingRule): InvoiceDocument {
  const cur = order.currency;
  const targets = originalTargets(order);
  const total = toMinor(order.total_price, cur);
  const diff = total - sum(targets.map((t) => t.amount));
  if (diff) targets.push({ key: 'rounding', kind: 'rounding', description: 'Rounding difference', unitPrice: null, quantity: 1n, amount: diff });
  return {
    type: 'invoice',
    ...baseInvoice(order, config, matching),
    crossReference: order.id,
    transactionDate: shopDate(order.processed_at ?? order.created_at),
    purchaseOrder: order.po_number ?? null,
    comments: `Shopify order ${order.name ?? order.id}`,
    lines: toInvoiceLines(targets, cur),
    total: fromMinor(total, cur),
  };
}

/** The ledger after the first invoice. */
export function ledgerOfInvoice(inv: InvoiceDocument): OrderLedger {
  return {
    currency: inv.currency,
    invoiceCrossReference: inv.crossReference,
    lines: inv.lines.map((l) => ({
      key: l.key,
      kind: l.kind,
      description: l.description,
      ...(l.itemNumber ? { itemNumber: l.itemNumber } : {}),
      unitPrice: l.kind === 'item' ? l.unitSellingPrice : null,
      quantity: l.quantity,
      amount: l.amount,
      invoiceCrossReference: inv.crossReference,
      lineNumber: l.lineNumber,
    })),
  };
}

function refundedQuantities(refunds: ShopifyRefund[] | null | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of refunds ?? []) for (const l of r.refund_line_items ?? []) out.set(l.line_item_id, (out.get(l.line_item_id) ?? 0) + l.quantity);
  return out;
}

/**
 * The order as edited (current quantities plus whatever was refunded, since refunds are credited on their own), line
 * by line with the same rules as the first invoice (itemDiscount, shippingOf), tax as Shopify reports it now plus
 * tax already refunded; and, when the payload carries current_total_price, a rounding target that makes the lines
 * add up to it (plus what the refunds took off it): what the invoices of an order should add up to before refunds.
 * The rounding target is zero for an order whose fields agree with each other; it absorbs only what a payload's own
 * figures leave unexplained, and is kept as it is when the payload has no current_total_price.
 */
function editedTargets(order: ShopifyOrder, ledger: OrderLedger): Target[] {
  const cur = order.currency;
  const refunded = refundedQuantities(order.refunds);
  const quantityOf = (li: ShopifyLineItem) => BigInt((li.current_quantity ?? li.quantity) + (refunded.get(li.id) ?? 0));
  const out: Target[] = [];
  for (const li of order.line_items) out.push(itemTarget(li, quantityOf(li), cur));
  const had = (key: string) => ledger.lines.find((l) => l.key === key);
  const discount = itemDiscount(order, (li) => BigInt(li.current_quantity ?? li.quantity), order.refunds ?? []);
  if (discount || had('discount')) out.push({ key: 'discount', kind: 'discount', description: 'Discounts', unitPrice: null, quantity: 1n, amount: -discount });
  // Shipping lines keep their price after a shipping refund (the refund is credited on its own); an edit that
  // removes one marks it is_removed.
  const ship = shippingOf(order);
  if (ship.amount || had('shipping'))
    out.push({
      key: 'shipping',
      kind: 'shipping',
      description: had('shipping')?.description ?? ship.description,
      unitPrice: null,
      quantity: 1n,
      amount: ship.amount,
    });
  // What the refunds took off current_total_price (refunded lines and shipping, with their tax unless prices include it).
  let refundedTax = 0n;
  let refundedMoney = 0n;
  for (const r of order.refunds ?? []) {
    for (const s of r.refund_shipping_lines ?? []) {
      refundedMoney += moneyField(s.subtotal_amount_set?.shop_money?.amount ?? s.amount, cur);
      refundedTax += moneyField(s.tax_amount_set?.shop_money?.amount, cur);
    }
    for (const l of r.refund_line_items ?? []) {
      refundedMoney += moneyField(l.subtotal, cur);
      refundedTax += moneyField(l.total_tax, cur);
    }
  }
  if (!order.taxes_included) {
    refundedMoney += refundedTax;
    // Total tax as Shopify reports it now, plus tax already refunded; the change lands on the first tax title.
    const byTitle = taxesByTitle(order);
    const originalTax = sum(byTitle.values());
    const target =
      order.current_total_tax !== undefined && order.current_total_tax !== null ? toMinor(order.current_total_tax, cur) + refundedTax : originalTax;
    let rest = target;
    const titles = [...byTitle.keys()];
    titles.forEach((title, i) => {
      const amount = i === titles.length - 1 ? rest : prorate(byTitle.get(title)!, target, originalTax || 1n);
      rest -= amount;
      out.push({ key: `tax:${title}`, kind: 'tax', description: title, unitPrice: null, quantity: 1n, amount });
    });
    if (!titles.length && rest) out.push({ key: 'tax:Tax', kind: 'tax', description: 'Tax', unitPrice: null, quantity: 1n, amount: rest });
  }
  const rounding = had('rounding');
  const current = order.current_total_price;
  const roundingAmount =
    current !== undefined && current !== null && current !== ''
      ? toMinor(current, cur) + refundedMoney - sum(out.map((t) => t.amount))
      : rounding
        ? toMinor(rounding.amount, cur)
        : 0n;
  if (roundingAmount || rounding) {
    out.push({
      key: 'rounding',
      kind: 'rounding',
      description: rounding?.description ?? 'Rounding difference',
      unitPrice: null,
      quantity: 1n,
      amount: roundingAmount,
    });
  }
  return out;
}

export interface AmendmentResult {
  document: AmendmentDocument | null;
  ledger: OrderLedger;
}

/**
 * ADR-001: Fusion's invoice PATCH cannot change amounts, so an order edit becomes a supplementary invoice for what
 * increased (`<order id>-A<revision>`) and a credit memo against the original invoice for what decreased. Null when
 * the edited order equals what was invoiced (e.g. a tag change, a payment, a refund).
 */
export function orderAmendment(
  order: ShopifyOrder,
  ledger: OrderLedger,
  revision: number,
  config: AccountingConfig,
  matching: CustomerMatchingRule,
): AmendmentResult {
  const cur = ledger.currency;
  const targets = editedTargets(order, ledger);
  const debit: Target[] = [];
  const credit: { t: Target; ledgerLine: LedgerLine | undefined }[] = [];
  const next: LedgerLine[] = ledger.lines.map((l) => ({ ...l }));
  const suppRef = `${ledger.invoiceCrossReference}-A${revision}`;
  // Tax follows the lines that changed (each item's own tax, prorated by quantity), so a supplementary invoice
  // carries the tax of what it adds and a credit memo the tax of what it removes; what Shopify's rounding leaves
  // over goes with them, so invoices minus credits equal the edited order's tax exactly.
  let upTax = 0n;
  let downTax = 0n;
  for (const t of targets) {
    if (t.kind === 'tax') continue;
    const line = next.find((l) => l.key === t.key);
    const invoicedAmount = line ? toMinor(line.amount, cur) : 0n;
    const delta = t.amount - invoicedAmount;
    if (delta === 0n) continue;
    const invoicedQty = line ? BigInt(line.quantity) : 0n;
    const dq = t.quantity - invoicedQty;
    const unitChange = t.unitPrice !== null && dq !== 0n && t.unitPrice * dq === delta;
    const part: Target = unitChange ? { ...t, quantity: dq < 0n ? -dq : dq, amount: delta } : { ...t, unitPrice: null, quantity: 1n, amount: delta };
    if (delta > 0n) debit.push(part);
    else credit.push({ t: part, ledgerLine: line });
    const li = t.kind === 'item' ? order.line_items.find((x) => `item:${x.id}` === t.key) : undefined;
    if (li && li.quantity && !order.taxes_included) {
      const lineTax = sum((li.tax_lines ?? []).map((x) => toMinor(x.price, cur)));
      const taxDelta = prorate(lineTax, dq, BigInt(li.quantity));
      if (delta > 0n) upTax += taxDelta;
      else downTax += taxDelta;
    }
    if (line) {
      line.amount = fromMinor(t.amount, cur);
      line.quantity = t.unitPrice !== null ? t.quantity.toString() : line.quantity;
    }
  }
  const taxTargets = targets.filter((t) => t.kind === 'tax');
  const taxLines = next.filter((l) => l.kind === 'tax');
  const taxChange = sum(taxTargets.map((t) => t.amount)) - sum(taxLines.map((l) => toMinor(l.amount, cur)));
  if (taxChange !== 0n || upTax !== 0n || downTax !== 0n) {
    const residual = taxChange - upTax - downTax;
    if (debit.length || !credit.length) upTax += residual;
    else downTax += residual;
    const key = taxLines[0]?.key ?? taxTargets[0]?.key ?? 'tax:Tax';
    const description = taxLines[0]?.description ?? taxTargets[0]?.description ?? 'Tax';
    for (const amount of [upTax, downTax]) {
      if (amount > 0n) debit.push({ key, kind: 'tax', description, unitPrice: null, quantity: 1n, amount });
      else if (amount < 0n) credit.push({ t: { key, kind: 'tax', description, unitPrice: null, quantity: 1n, amount }, ledgerLine: taxLines[0] });
    }
    if (taxLines[0]) taxLines[0].amount = fromMinor(toMinor(taxLines[0].amount, cur) + taxChange, cur);
  }
  if (!debit.length && !credit.length) return { document: null, ledger };
  const base = baseInvoice(order, config, matching);
  const date = shopDate(order.updated_at);
  let debitDoc: InvoiceDocument | null = null;
  if (debit.length) {
    const lines = toInvoiceLines(debit, cur);
    debitDoc = {
      type: 'invoice',
      ...base,
      currency: cur,
      crossReference: suppRef,
      transactionDate: date,
      purchaseOrder: order.po_number ?? null,
      comments: `Shopify order ${order.name ?? order.id} amendment ${revision} (increase)`,
      lines,
      total: fromMinor(sum(debit.map((d) => d.amount)), cur),
    };
  }
  // Keys Fusion did not hold before: the ledger records their net amount as written (a first debit points at the
  // supplementary invoice's line; a credit-only key points at no invoice line), so the next amendment is computed
  // against exactly what Fusion holds and never credits or bills the same change twice.
  const known = new Set(ledger.lines.map((l) => l.key));
  const added = new Map<string, LedgerLine>();
  const debitLines = debitDoc?.lines ?? [];
  for (const d of [...debit, ...credit.map((c) => c.t)]) {
    if (known.has(d.key)) continue;
    const was = added.get(d.key);
    if (was) {
      was.amount = fromMinor(toMinor(was.amount, cur) + d.amount, cur);
      continue;
    }
    const l = debitLines.find((x) => x.key === d.key);
    added.set(d.key, {
      key: d.key,
      kind: d.kind,
      description: d.description,
      ...(d.itemNumber ? { itemNumber: d.itemNumber } : {}),
      unitPrice: d.kind === 'item' && d.unitPrice !== null ? fromMinor(d.unitPrice, cur) : null,
      quantity: d.quantity.toString(),
      amount: fromMinor(d.amount, cur),
      invoiceCrossReference: l ? suppRef : `${ledger.invoiceCrossReference}-C${revision}`,
      lineNumber: l ? l.lineNumber : 0,
    });
  }
  next.push(...added.values());
  let creditDoc: CreditMemoDocument | null = null;
  if (credit.length) {
    const lines = credit.map(({ t, ledgerLine }, i) => creditLine(i + 1, t, ledgerLine, ledger.invoiceCrossReference, cur));
    creditDoc = {
      type: 'credit_memo',
      ...base,
      currency: cur,
      invoiceCrossReference: ledger.invoiceCrossReference,
      reason: { kind: 'amendment', revision },
      transactionDate: date,
      comments: `Shopify order ${order.name ?? order.id} amendment ${revision} (decrease)`,
      lines,
      total: fromMinor(sum(credit.map((c) => c.t.amount)), cur),
    };
  }
  return {
    document: {
      type: 'amendment',
      revision,
      invoiceCrossReference: ledger.invoiceCrossReference,
      shopifyOrderId: order.id,
      debit: debitDoc,
      credit: creditDoc,
    },
    ledger: { ...ledger, lines: next },
  };
}

function creditLine(lineNumber: number, t: Target, ledgerLine: LedgerLine | undefined, originalRef: string, cur: string): CreditLineDocument {
  const amount = t.amount < 0n ? t.amount : -t.amount;
  const qty = t.quantity < 0n ? -t.quantity : t.quantity;
  const unit = t.unitPrice !== null && t.unitPrice * qty === -amount ? -t.unitPrice : amount;
  return {
    lineNumber,
    kind: t.kind,
    key: t.key,
    description: t.description,
    quantity: (t.unitPrice !== null && unit !== amount ? qty : 1n).toString(),
    unitSellingPrice: fromMinor(unit, cur),
    amount: fromMinor(amount, cur),
    invoiceLineNumber: ledgerLine && ledgerLine.invoiceCrossReference === originalRef ? ledgerLine.lineNumber : null,
  };
}

/**
 * A Shopify refund as a credit memo against the order's invoice: refunded lines (quantity × the refunded unit
 * amount), refunded shipping, refunded tax (on the invoice's first tax line) and order adjustments, plus a
 * "refund adjustment" line when the refund's successful transactions paid back a different amount, so the memo's
 * total is the money Shopify refunded. Null when the refund moved no money and no invoiced amount (e.g. a restock).
 */
export function refundCreditMemo(
  refund: ShopifyRefund,
  order: { id: string; name: string | null; billTo: BillTo },
  ledger: OrderLedger,
  config: AccountingConfig,
): CreditMemoDocument | null {
  const cur = ledger.currency;
  const find = (key: string) => ledger.lines.find((l) => l.key === key);
  const firstTax = ledger.lines.find((l) => l.kind === 'tax');
  const parts: { t: Target; ledgerLine: LedgerLine | undefined }[] = [];
  let tax = 0n;
  for (const l of refund.refund_line_items ?? []) {
    const subtotal = moneyField(l.subtotal, cur);
    tax += moneyField(l.total_tax, cur);
    if (!subtotal) continue;
    const ledgerLine = find(`item:${l.line_item_id}`);
    const qty = BigInt(l.quantity || 1);
    const evenly = subtotal % qty === 0n;
    parts.push({
      t: {
        key: `item:${l.line_item_id}`,
        kind: 'item',
        description: ledgerLine?.description ?? describe(l.line_item ?? {}),
        unitPrice: evenly ? subtotal / qty : null,
        quantity: evenly ? qty : 1n,
        amount: -subtotal,
      },
      ledgerLine,
    });
  }
  let shipping = 0n;
  for (const s of refund.refund_shipping_lines ?? []) {
    shipping += moneyField(s.subtotal_amount_set?.shop_money?.amount ?? s.amount, cur);
    tax += moneyField(s.tax_amount_set?.shop_money?.amount, cur);
  }
  for (const a of refund.order_adjustments ?? []) {
    if (a.kind === 'shipping_refund') {
      const amt = moneyField(a.amount, cur);
      shipping += amt < 0n ? -amt : amt;
      const t = moneyField(a.tax_amount, cur);
      tax += t < 0n ? -t : t;
    }
  }
  if (shipping)
    parts.push({
      t: { key: 'shipping', kind: 'shipping', description: find('shipping')?.description ?? 'Shipping', unitPrice: null, quantity: 1n, amount: -shipping },
      ledgerLine: find('shipping'),
    });
  if (tax)
    parts.push({
      t: { key: firstTax?.key ?? 'tax', kind: 'tax', description: firstTax?.description ?? 'Tax', unitPrice: null, quantity: 1n, amount: -tax },
      ledgerLine: firstTax,
    });
  // What Shopify actually paid back: its successful refund transactions. When they differ from the refunded lines,
  // shipping and tax (a refund_discrepancy, or a custom amount), the difference is a line of its own, so the memo
  // credits exactly the money refunded.
  const paid = (refund.transactions ?? []).filter((t) => t.kind === 'refund' && t.status === 'success' && t.amount !== undefined);
  const refunded = paid.length ? sum(paid.map((t) => toMinor(t.amount!, cur))) : null;
  const partsTotal = -sum(parts.map((p) => p.t.amount));
  if (!parts.length && !refunded) return null;
  const lines = parts.map(({ t, ledgerLine }, i) => creditLine(i + 1, t, ledgerLine, ledger.invoiceCrossReference, cur));
  if (refunded !== null && refunded !== partsTotal) {
    const diff = partsTotal - refunded; // > 0: Shopify paid back less than the lines it refunded
    lines.push({
      lineNumber: lines.length + 1,
      kind: 'rounding',
      key: 'refund-adjustment',
      description: `Refund adjustment: Shopify refunded ${fromMinor(refunded, cur)} ${cur}`.slice(0, 240),
      quantity: '1',
      unitSellingPrice: fromMinor(diff, cur),
      amount: fromMinor(diff, cur),
      invoiceLineNumber: null,
    });
    parts.push({ t: { key: 'refund-adjustment', kind: 'rounding', description: '', unitPrice: null, quantity: 1n, amount: diff }, ledgerLine: undefined });
  }
  return {
    type: 'credit_memo',
    businessUnit: config.businessUnit,
    transactionSource: config.transactionSource,
    transactionType: config.transactionType,
    paymentTerms: config.paymentTerms,
    revenueAccountCombination: config.revenueAccountCombination,
    invoiceCrossReference: ledger.invoiceCrossReference,
    shopifyOrderId: order.id,
    shopifyOrderName: order.name,
    reason: { kind: 'refund', shopifyRefundId: refund.id },
    transactionDate: shopDate(refund.processed_at ?? refund.created_at),
    currency: cur,
    billTo: order.billTo,
    comments: `Shopify refund ${refund.id} of order ${order.name ?? order.id}`,
    lines,
    total: fromMinor(sum(parts.map((p) => p.t.amount)), cur),
  };
}
