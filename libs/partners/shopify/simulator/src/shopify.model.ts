import { seededRandom } from '@mlc/partners-sandbox-kit';
import { zonedIsoSeconds, zoneOffsetMinutes } from '@mlc/platform-time';

/** The sandbox's stored state. Ids are bigint (Shopify ids are int64), money is integer cents. */
export interface SimAddress {
  id: bigint;
  firstName: string;
  lastName: string;
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string;
  provinceCode: string;
  country: string;
  countryCode: string;
  zip: string;
  phone: string | null;
}

export interface SimCustomer {
  id: bigint;
  email: string | null;
  phone: string | null;
  firstName: string;
  lastName: string;
  state: 'enabled' | 'disabled' | 'invited' | 'declined';
  note: string | null;
  verifiedEmail: boolean;
  taxExempt: boolean;
  currency: string;
  tags: string[];
  address: SimAddress | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SimLineItem {
  id: bigint;
  productId: bigint | null;
  variantId: bigint | null;
  sku: string | null;
  title: string;
  quantity: number;
  currentQuantity: number;
  priceCents: number;
  grams: number;
  requiresShipping: boolean;
  taxable: boolean;
  /** Discount allocated to this line (all of its original quantity), in cents; 0 without a discount. */
  discountCents: number;
}

export interface SimRefundLine {
  id: bigint;
  lineItemId: bigint;
  quantity: number;
  subtotalCents: number;
  taxCents: number;
}

export interface SimRefund {
  id: bigint;
  transactionId: bigint;
  note: string | null;
  createdAtMs: number;
  restock: boolean;
  lines: SimRefundLine[];
  amountCents: number;
}

export type FinancialStatus = 'pending' | 'authorized' | 'partially_paid' | 'paid' | 'partially_refunded' | 'refunded' | 'voided';

export interface SimOrder {
  id: bigint;
  orderNumber: number;
  email: string | null;
  phone: string | null;
  customerId: bigint | null;
  createdAtMs: number;
  updatedAtMs: number;
  processedAtMs: number;
  cancelledAtMs: number | null;
  cancelReason: string | null;
  currency: string;
  financialStatus: FinancialStatus;
  fulfillmentStatus: 'fulfilled' | 'partial' | null;
  tags: string[];
  note: string | null;
  poNumber: string | null;
  shippingAddress: SimAddress | null;
  billingAddress: SimAddress | null;
  lineItems: SimLineItem[];
  /** The order's shipping lines (none for an order that ships nothing, or ships for free with no line). */
  shippingLines: SimShippingLine[];
  /** Taxes charged per line and on shipping, each with its own title (e.g. State Tax + County Tax). */
  taxes: SimTax[];
  /** Prices (lines and shipping) include the taxes, which are then extracted rather than added on top. */
  taxesIncluded: boolean;
  /** The discount code whose fixed amount is spread over the lines (SimLineItem.discountCents), or null. */
  discount: { code: string; cents: number } | null;
  paidCents: number;
  refunds: SimRefund[];
  checkoutId: bigint | null;
  test: boolean;
  /** Metafields set through the GraphQL metafieldsSet mutation (one per namespace + key). */
  metafields?: SimMetafield[];
}

export interface SimMetafield {
  id: bigint;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SimShippingLine {
  id: bigint;
  title: string;
  code: string;
  cents: number;
}

/** What the order charges for shipping: the sum of its shipping lines. */
export function shippingCents(order: SimOrder): number {
  return order.shippingLines.reduce((s, l) => s + l.cents, 0);
}

/** 2^53 + 1: the smallest integer a JS number cannot hold; one seeded order always carries it as its id. */
export const ID_BEYOND_2_POW_53 = 9007199254740993n;

export interface SimTax {
  title: string;
  /** Rate in basis points (13 % = 1300). */
  rateBp: number;
}

/** The sandbox's default: 13 % HST added on top. */
export const DEFAULT_TAXES: readonly SimTax[] = [{ title: 'HST', rateBp: 1300 }];

/**
 * Each tax of the order on an amount (cents, after discounts), rounded per title: added on top, or — when taxes are
 * included in prices — the part of the amount that is tax, `amount × rate / (1 + Σ rates)`.
 */
export function taxesOn(order: SimOrder, cents: number): Array<SimTax & { cents: number }> {
  const totalBp = order.taxes.reduce((s, t) => s + t.rateBp, 0);
  const den = order.taxesIncluded ? 10_000 + totalBp : 10_000;
  return order.taxes.map((t) => ({ ...t, cents: Math.round((cents * t.rateBp) / den) }));
}

/** All taxes of the order on an amount (cents, after discounts). */
export function lineTaxCents(order: SimOrder, cents: number): number {
  return taxesOn(order, cents).reduce((s, t) => s + t.cents, 0);
}

/** A line's discount for `quantity` of its units, prorated from the allocation on its original quantity. */
export function lineDiscountCents(li: SimLineItem, quantity: number): number {
  return li.quantity ? Math.round((li.discountCents * quantity) / li.quantity) : 0;
}

/** What `quantity` units of a line cost after their discount: what the subtotal adds and the tax is charged on. */
export function lineNetCents(li: SimLineItem, quantity: number): number {
  return li.priceCents * quantity - lineDiscountCents(li, quantity);
}

/** The order's tax per title (Shopify's order-level tax_lines): the sum of each line's and the shipping's. */
export function orderTaxLines(order: SimOrder): Array<SimTax & { cents: number }> {
  const out = order.taxes.map((t) => ({ ...t, cents: 0 }));
  for (const line of [...order.lineItems, ...order.shippingLines]) lineTaxes(order, line).forEach((t, i) => (out[i]!.cents += t.cents));
  return out;
}

/** The taxes on one line item (on its amount after discounts) or shipping line (its tax_lines). */
export function lineTaxes(order: SimOrder, line: SimLineItem | SimShippingLine): Array<SimTax & { cents: number }> {
  return taxesOn(order, 'priceCents' in line ? lineNetCents(line, line.quantity) : line.cents);
}

/** Spreads a fixed discount over lines in proportion to their amounts (cents left by rounding go to the first lines). */
export function allocateDiscount(lines: SimLineItem[], cents: number): void {
  const gross = lines.map((li) => li.priceCents * li.quantity);
  const total = gross.reduce((s, g) => s + g, 0);
  const amount = Math.min(cents, total);
  let left = amount;
  lines.forEach((li, i) => {
    li.discountCents = total ? Math.floor((amount * gross[i]!) / total) : 0;
    left -= li.discountCents;
  });
  for (let i = 0; left > 0 && lines.length; i = (i + 1) % lines.length) {
    if (lines[i]!.discountCents < gross[i]!) {
      lines[i]!.discountCents += 1;
      left -= 1;
    }
  }
}

/** Original and current totals in cents; current ones reflect edits and refunded quantities. */
/**
 * Original and current totals in cents; current ones reflect edits and refunded quantities. `subtotal` is after
 * discounts (Shopify's subtotal_price); with taxes included, prices already hold the tax and the total adds none.
 */
export function orderTotals(order: SimOrder): {
  subtotal: number;
  tax: number;
  total: number;
  lineItemsPrice: number;
  discounts: number;
  currentSubtotal: number;
  currentTax: number;
  currentTotal: number;
  currentDiscounts: number;
  refunded: number;
  outstanding: number;
} {
  let lineItemsPrice = 0;
  let discounts = 0;
  let subtotal = 0;
  let tax = 0;
  let currentSubtotal = 0;
  let currentTax = 0;
  let currentDiscounts = 0;
  for (const li of order.lineItems) {
    lineItemsPrice += li.priceCents * li.quantity;
    discounts += li.discountCents;
    const line = lineNetCents(li, li.quantity);
    subtotal += line;
    tax += lineTaxCents(order, line);
    const current = lineNetCents(li, li.currentQuantity);
    currentDiscounts += lineDiscountCents(li, li.currentQuantity);
    currentSubtotal += current;
    currentTax += lineTaxCents(order, current);
  }
  // Tax per shipping line, rounded per line like the order's tax lines.
  const shippingTax = order.shippingLines.reduce((s, sl) => s + lineTaxCents(order, sl.cents), 0);
  const shipping = shippingCents(order);
  const added = order.taxesIncluded ? 0 : 1;
  const refunded = order.refunds.reduce((s, r) => s + r.amountCents, 0);
  const total = subtotal + shipping + added * (tax + shippingTax);
  const currentTotal = currentSubtotal + shipping + added * (currentTax + shippingTax);
  return {
    subtotal,
    tax: tax + shippingTax,
    total,
    lineItemsPrice,
    discounts,
    currentSubtotal,
    currentTax: currentTax + shippingTax,
    currentTotal,
    currentDiscounts,
    refunded,
    outstanding: Math.max(0, currentTotal - (order.paidCents - refunded)),
  };
}

export { zoneOffsetMinutes };

export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Shopify writes REST timestamps in the shop's zone at that instant, e.g. `2026-11-30T19:30:00-05:00` in New York's
 * winter, `2026-07-01T10:15:00-04:00` in its summer. `zone` is an IANA name or a fixed offset in minutes.
 */
export function shopTime(ms: number, zone: string | number): string {
  return zonedIsoSeconds(ms, zone);
}

/** GraphQL DateTime: UTC without milliseconds, e.g. `2026-11-02T15:15:00Z`. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export interface SeedOptions {
  seed: number;
  customers: number;
  orders: number;
  /** Timestamps are spread over the days before this epoch-ms. */
  nowMs: number;
}

const FIRST = ['Ava', 'Liam', 'Noah', 'Emma', 'Olivia', 'Lucas', 'Mia', 'Ethan', 'Zoé', 'Jürgen'];
const LAST = ['Tremblay', 'Gagnon', 'Roy', 'Smith', 'Brown', 'Wilson', "O'Neil", 'Martin', 'Lee', 'Côté'];
const CITIES: Array<[string, string, string]> = [
  ['Ottawa', 'Ontario', 'ON'],
  ['Toronto', 'Ontario', 'ON'],
  ['Montréal', 'Quebec', 'QC'],
  ['Vancouver', 'British Columbia', 'BC'],
];
const PRODUCTS: Array<{ sku: string | null; title: string; cents: number; grams: number; shipping: boolean }> = [
  { sku: 'MLC-TSHIRT-M', title: 'Logo T-Shirt - M', cents: 2500, grams: 200, shipping: true },
  { sku: 'MLC-HOODIE-L', title: 'Hoodie - L', cents: 6499, grams: 650, shipping: true },
  { sku: 'MLC-MUG', title: 'Enamel Mug', cents: 1800, grams: 350, shipping: true },
  { sku: null, title: 'Gift wrap', cents: 500, grams: 0, shipping: false },
  { sku: 'MLC-EBOOK', title: 'Care guide (e-book)', cents: 999, grams: 0, shipping: false },
];

/** Hands out ids in Shopify's ranges (13-14 digits today) from a seeded generator; never repeats. */
export class IdSource {
  private next: bigint;
  constructor(start: bigint) {
    this.next = start;
  }
  take(rand: () => number): bigint {
    this.next += BigInt(1 + Math.floor(rand() * 997));
    return this.next;
  }
}

export interface SeededData {
  customers: SimCustomer[];
  orders: SimOrder[];
}

/**
 * Deterministic demo data: the same seed gives the same customers and orders. Always includes a guest order
 * (no customer, no addresses: a digital good) and an order whose id is 2^53 + 1.
 */
export function seedData(opts: SeedOptions, ids: { customer: IdSource; order: IdSource; line: IdSource; address: IdSource }): SeededData {
  const rand = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const dayMs = 86_400_000;
  const customers: SimCustomer[] = [];
  for (let i = 0; i < opts.customers; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [city, province, provinceCode] = pick(CITIES);
    const created = opts.nowMs - Math.floor((30 + rand() * 30) * dayMs);
    const id = ids.customer.take(rand);
    customers.push({
      id,
      email: i % 5 === 4 ? null : `${first}.${last}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
      phone: i % 3 === 0 ? `+1613555${String(1000 + i).slice(-4)}` : null,
      firstName: first,
      lastName: last,
      state: 'enabled',
      note: null,
      verifiedEmail: true,
      taxExempt: false,
      currency: 'CAD',
      tags: i % 2 ? ['vip'] : [],
      address: {
        id: ids.address.take(rand),
        firstName: first,
        lastName: last,
        company: i % 4 === 0 ? 'Maple Leaf Co' : null,
        address1: `${10 + Math.floor(rand() * 900)} Bank St`,
        address2: null,
        city,
        province,
        provinceCode,
        country: 'Canada',
        countryCode: 'CA',
        zip: 'K1P 1J1',
        phone: null,
      },
      createdAtMs: created,
      updatedAtMs: created + Math.floor(rand() * 10 * dayMs),
    });
  }
  const orders: SimOrder[] = [];
  for (let i = 0; i < opts.orders; i++) {
    const guest = i === 1 || customers.length === 0;
    const customer = guest ? undefined : pick(customers);
    const created = opts.nowMs - Math.floor((1 + rand() * 20) * dayMs);
    const lineCount = guest ? 1 : 1 + Math.floor(rand() * 3);
    const lineItems: SimLineItem[] = [];
    for (let l = 0; l < lineCount; l++) {
      const p = guest ? PRODUCTS[4]! : pick(PRODUCTS.slice(0, 4));
      const qty = 1 + Math.floor(rand() * 3);
      lineItems.push({
        id: ids.line.take(rand),
        productId: p.sku ? BigInt(7_000_000_000_000 + p.cents) : null,
        variantId: p.sku ? BigInt(45_000_000_000_000 + p.cents) : null,
        sku: p.sku,
        title: p.title,
        quantity: qty,
        currentQuantity: qty,
        priceCents: p.cents,
        grams: p.grams,
        requiresShipping: p.shipping,
        taxable: true,
        discountCents: 0,
      });
    }
    const address = customer?.address ?? null;
    const order: SimOrder = {
      id: i === 2 ? ID_BEYOND_2_POW_53 : ids.order.take(rand),
      orderNumber: 1001 + i,
      email: customer ? customer.email : 'guest.buyer@example.com',
      phone: null,
      customerId: customer?.id ?? null,
      createdAtMs: created,
      updatedAtMs: created + Math.floor(rand() * dayMs),
      processedAtMs: created,
      cancelledAtMs: null,
      cancelReason: null,
      currency: 'CAD',
      financialStatus: i % 4 === 3 ? 'pending' : 'paid',
      fulfillmentStatus: null,
      tags: i % 3 === 0 ? ['wholesale', 'priority'] : [],
      note: null,
      poNumber: i % 5 === 0 ? `PO-${4400 + i}` : null,
      shippingAddress: guest ? null : address,
      billingAddress: guest ? null : address,
      lineItems,
      shippingLines: [],
      taxes: [...DEFAULT_TAXES],
      taxesIncluded: false,
      discount: null,
      paidCents: 0,
      refunds: [],
      checkoutId: BigInt(30_000_000_000_000 + i),
      test: false,
    };
    if (!guest) order.shippingLines.push({ id: order.id + 1n, title: 'Standard', code: 'Standard', cents: 1500 });
    if (order.financialStatus === 'paid') order.paidCents = orderTotals(order).total;
    orders.push(order);
  }
  return { customers, orders };
}
