import { seededRandom } from '@mlc/partners-sandbox-kit';

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

export type FinancialStatus =
  | 'pending'
  | 'authorized'
  | 'partially_paid'
  | 'paid'
  | 'partially_refunded'
  | 'refunded'
  | 'voided';

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
  shippingCents: number;
  /** Tax rate in basis points applied per line (13 % = 1300). */
  taxRateBp: number;
  paidCents: number;
  refunds: SimRefund[];
  checkoutId: bigint | null;
  test: boolean;
}

/** 2^53 + 1: the smallest integer a JS number cannot hold; one seeded order always carries it as its id. */
export const ID_BEYOND_2_POW_53 = 9007199254740993n;

export function lineTaxCents(order: SimOrder, cents: number): number {
  return Math.round((cents * order.taxRateBp) / 10_000);
}

/** Original and current totals in cents; current ones reflect edits and refunded quantities. */
export function orderTotals(order: SimOrder): {
  subtotal: number;
  tax: number;
  total: number;
  lineItemsPrice: number;
  currentSubtotal: number;
  currentTax: number;
  currentTotal: number;
  refunded: number;
  outstanding: number;
} {
  let subtotal = 0;
  let tax = 0;
  let currentSubtotal = 0;
  let currentTax = 0;
  for (const li of order.lineItems) {
    const line = li.priceCents * li.quantity;
    subtotal += line;
    tax += lineTaxCents(order, line);
    const current = li.priceCents * li.currentQuantity;
    currentSubtotal += current;
    currentTax += lineTaxCents(order, current);
  }
  const shippingTax = lineTaxCents(order, order.shippingCents);
  const refunded = order.refunds.reduce((s, r) => s + r.amountCents, 0);
  const total = subtotal + tax + order.shippingCents + shippingTax;
  const currentTotal = currentSubtotal + currentTax + order.shippingCents + shippingTax;
  return {
    subtotal,
    tax: tax + shippingTax,
    total,
    lineItemsPrice: subtotal,
    currentSubtotal,
    currentTax: currentTax + shippingTax,
    currentTotal,
    refunded,
    outstanding: Math.max(0, currentTotal - (order.paidCents - refunded)),
  };
}

export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Shopify writes REST timestamps in the shop's zone, e.g. `2026-11-02T10:15:00-05:00`. */
export function shopTime(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
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
      shippingCents: guest ? 0 : 1500,
      taxRateBp: 1300,
      paidCents: 0,
      refunds: [],
      checkoutId: BigInt(30_000_000_000_000 + i),
      test: false,
    };
    if (order.financialStatus === 'paid') order.paidCents = orderTotals(order).total;
    orders.push(order);
  }
  return { customers, orders };
}
