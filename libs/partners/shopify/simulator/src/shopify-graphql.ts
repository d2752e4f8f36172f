import {
  lineNetCents,
  money,
  orderTaxLines,
  orderTotals,
  taxesOn,
  utcTime,
  type SimAddress,
  type SimCustomer,
  type SimOrder,
  type SimTax,
} from './shopify.model';

/**
 * The GraphQL operations the sandbox understands. It has no GraphQL parser: it recognises our client's
 * operations by operation name and root field, answers them with a fixed selection (below), and answers any
 * other document with an error. Keep this list in step with libs/partners/shopify/client (shopify.queries.ts).
 *
 * | operation             | root field                                                  | cost (requested)                  |
 * |-----------------------|-------------------------------------------------------------|-----------------------------------|
 * | Ping                  | shop { name myshopifyDomain }                               | 1                                 |
 * | OrdersUpdatedSince    | orders(first, after, sortKey: UPDATED_AT, query) + lineItems(first: $lineItemsFirst) + shippingLines(first: $shippingLinesFirst) | 2 + first × order |
 * | OrderById             | order(id) + the same connections                            | order                             |
 * | CustomersUpdatedSince | customers(first, after, sortKey: UPDATED_AT, query)         | 2 + first × 2                     |
 * | CustomerById          | customer(id)                                                | 2                                 |
 *
 * order = 5 (order, customer, two addresses, the order's taxLines) + 2 + 3 × lineItemsFirst (a line item, its
 * taxLines and discountAllocations) + 2 + 2 × shippingLinesFirst (a shipping line and its taxLines);
 * `shippingLinesFirst` absent counts as 0 and answers no shipping lines. The actual cost uses the returned counts
 * instead of `first`. The cost model is the sandbox's own approximation of Shopify's (objects 1, lists of objects 1,
 * connections 2 + size; money bags free); real numbers differ.
 *
 * The order selection (the client's ORDER_FIELDS) includes totalDiscountsSet, taxesIncluded, taxLines { title rate
 * ratePercentage priceSet channelLiable }, line items' taxLines and discountAllocations { allocatedAmountSet },
 * and shippingLines { nodes { id title code source carrierIdentifier isRemoved originalPriceSet discountedPriceSet
 * currentDiscountedPriceSet taxLines } pageInfo }, from the same model as the REST webhook payloads.
 */
export type KnownOperation = 'Ping' | 'OrdersUpdatedSince' | 'OrderById' | 'CustomersUpdatedSince' | 'CustomerById';

const ROOT_FIELD: Record<KnownOperation, RegExp> = {
  Ping: /\bshop\s*\{/,
  OrdersUpdatedSince: /\borders\s*\(/,
  OrderById: /\border\s*\(/,
  CustomersUpdatedSince: /\bcustomers\s*\(/,
  CustomerById: /\bcustomer\s*\(/,
};

export function recogniseOperation(query: string): KnownOperation | undefined {
  const m = /^\s*query\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query);
  const name = m?.[1] as KnownOperation | undefined;
  if (!name || !(name in ROOT_FIELD)) return undefined;
  return ROOT_FIELD[name].test(query) ? name : undefined;
}

export const ORDER_NODE_BASE_COST = 5; // order + customer + two addresses + the order's taxLines
export const LINE_ITEM_COST = 3; // line item + its taxLines + its discountAllocations
export const SHIPPING_LINE_COST = 2; // shipping line + its taxLines
export const CUSTOMER_NODE_COST = 2; // customer + defaultAddress

/** One order node's cost with `lineItems` line items and `shippingLines` shipping lines (requested: the `first`s). */
export function orderNodeCost(lineItems: number, shippingLines: number): number {
  return ORDER_NODE_BASE_COST + 2 + LINE_ITEM_COST * lineItems + 2 + SHIPPING_LINE_COST * shippingLines;
}

/** `$shippingLinesFirst`, 0 when absent (the sandbox then answers no shipping lines). */
export function shippingLinesFirstOf(vars: Record<string, unknown>): number {
  return Number(vars['shippingLinesFirst'] ?? 0);
}

export function requestedCost(op: KnownOperation, vars: Record<string, unknown>): number {
  const first = Number(vars['first'] ?? 0);
  const lineItemsFirst = Number(vars['lineItemsFirst'] ?? 0);
  const shippingLinesFirst = shippingLinesFirstOf(vars);
  switch (op) {
    case 'Ping':
      return 1;
    case 'OrdersUpdatedSince':
      return 2 + first * orderNodeCost(lineItemsFirst, shippingLinesFirst);
    case 'OrderById':
      return orderNodeCost(lineItemsFirst, shippingLinesFirst);
    case 'CustomersUpdatedSince':
      return 2 + first * CUSTOMER_NODE_COST;
    case 'CustomerById':
      return CUSTOMER_NODE_COST;
  }
}

/** A leaky bucket per shop, on the sandbox clock (shopify.md §3.2). */
export class CostBucket {
  private available: number;
  private lastMs: number;
  constructor(
    public maximumAvailable: number,
    public restoreRate: number,
    nowMs: number,
  ) {
    this.available = maximumAvailable;
    this.lastMs = nowMs;
  }

  currentlyAvailable(nowMs: number): number {
    const restored = ((nowMs - this.lastMs) / 1000) * this.restoreRate;
    this.available = Math.min(this.maximumAvailable, this.available + Math.max(0, restored));
    this.lastMs = nowMs;
    return this.available;
  }

  charge(cost: number, nowMs: number): void {
    this.available = Math.max(0, this.currentlyAvailable(nowMs) - cost);
  }

  set(state: { currentlyAvailable?: number; maximumAvailable?: number; restoreRate?: number }, nowMs: number): void {
    this.currentlyAvailable(nowMs);
    if (state.maximumAvailable !== undefined) this.maximumAvailable = state.maximumAvailable;
    if (state.restoreRate !== undefined) this.restoreRate = state.restoreRate;
    if (state.currentlyAvailable !== undefined) this.available = state.currentlyAvailable;
    this.available = Math.min(this.available, this.maximumAvailable);
  }

  status(nowMs: number): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.currentlyAvailable(nowMs)),
      restoreRate: this.restoreRate,
    };
  }
}

/** `updated_at:>'2026-11-01T00:00:00Z'` (also >=, <, <=, quoted or not); other terms are ignored. */
export function parseUpdatedAtFilter(query: string | null | undefined): Array<(ms: number) => boolean> {
  const tests: Array<(ms: number) => boolean> = [];
  if (!query) return tests;
  const re = /updated_at:(>=|<=|>|<)?\s*(?:'([^']*)'|"([^"]*)"|(\S+))/g;
  for (const m of query.matchAll(re)) {
    const op = m[1] ?? '=';
    const at = Date.parse(m[2] ?? m[3] ?? m[4] ?? '');
    if (Number.isNaN(at)) continue;
    tests.push((ms) => (op === '>' ? ms > at : op === '>=' ? ms >= at : op === '<' ? ms < at : op === '<=' ? ms <= at : ms === at));
  }
  return tests;
}

export function encodeCursor(updatedAtMs: number, id: bigint): string {
  return Buffer.from(JSON.stringify({ u: updatedAtMs, id: id.toString() })).toString('base64url');
}

export function decodeCursor(cursor: string): { u: number; id: bigint } | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { u: unknown; id: unknown };
    if (typeof v.u !== 'number' || typeof v.id !== 'string' || !/^\d+$/.test(v.id)) return undefined;
    return { u: v.u, id: BigInt(v.id) };
  } catch {
    return undefined;
  }
}

/** Keyset pagination over (updatedAt, id) ascending, as `sortKey: UPDATED_AT` does. */
export function page<T extends { id: bigint; updatedAtMs: number }>(
  items: readonly T[],
  first: number,
  after: { u: number; id: bigint } | undefined,
): { nodes: T[]; hasNextPage: boolean; endCursor: string | null } {
  const sorted = [...items].sort((a, b) => a.updatedAtMs - b.updatedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rest = after ? sorted.filter((x) => x.updatedAtMs > after.u || (x.updatedAtMs === after.u && x.id > after.id)) : sorted;
  const nodes = rest.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rest.length > nodes.length, endCursor: last ? encodeCursor(last.updatedAtMs, last.id) : null };
}

const moneyV2 = (cents: number, currency: string): Record<string, unknown> => ({
  shopMoney: { amount: money(cents), currencyCode: currency },
  presentmentMoney: { amount: money(cents), currencyCode: currency },
});

function gqlAddress(a: SimAddress | null): Record<string, unknown> | null {
  if (!a) return null;
  return {
    firstName: a.firstName,
    lastName: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    provinceCode: a.provinceCode,
    country: a.country,
    countryCodeV2: a.countryCode,
    zip: a.zip,
    phone: a.phone,
  };
}

export function gqlCustomer(c: SimCustomer): Record<string, unknown> {
  return {
    id: `gid://shopify/Customer/${c.id}`,
    legacyResourceId: c.id.toString(),
    email: c.email,
    phone: c.phone,
    firstName: c.firstName,
    lastName: c.lastName,
    state: c.state.toUpperCase(),
    note: c.note,
    taxExempt: c.taxExempt,
    tags: c.tags,
    createdAt: utcTime(c.createdAtMs),
    updatedAt: utcTime(c.updatedAtMs),
    defaultAddress: gqlAddress(c.address),
  };
}

function gqlTaxLines(taxes: Array<SimTax & { cents: number }>, currency: string): Record<string, unknown>[] {
  return taxes.map((t) => ({
    title: t.title,
    rate: t.rateBp / 10_000,
    ratePercentage: t.rateBp / 100,
    priceSet: moneyV2(t.cents, currency),
    channelLiable: false,
  }));
}

/** The order's shipping lines (the model has at most one, present when it costs something). */
function gqlShippingLines(o: SimOrder): Record<string, unknown>[] {
  if (o.shippingCents <= 0) return [];
  return [
    {
      id: `gid://shopify/ShippingLine/${o.id + 1n}`,
      title: o.shippingTitle,
      code: o.shippingCode,
      source: 'shopify',
      carrierIdentifier: null,
      isRemoved: false,
      originalPriceSet: moneyV2(o.shippingCents, o.currency),
      discountedPriceSet: moneyV2(o.shippingCents, o.currency),
      currentDiscountedPriceSet: moneyV2(o.shippingCents, o.currency),
      taxLines: gqlTaxLines(taxesOn(o, o.shippingCents), o.currency),
    },
  ];
}

/** How many shipping lines an answer with `shippingLinesFirst` returns (for the actual cost). */
export function shippingLinesReturned(o: SimOrder, shippingLinesFirst: number): number {
  return Math.min(shippingLinesFirst, gqlShippingLines(o).length);
}

export function gqlOrder(o: SimOrder, customer: SimCustomer | undefined, lineItemsFirst: number, shippingLinesFirst = 0): Record<string, unknown> {
  const t = orderTotals(o);
  const items = o.lineItems.slice(0, lineItemsFirst);
  const lastItem = items.at(-1);
  const allShipping = gqlShippingLines(o);
  const shipping = allShipping.slice(0, shippingLinesFirst);
  return {
    id: `gid://shopify/Order/${o.id}`,
    legacyResourceId: o.id.toString(),
    name: `#${o.orderNumber}`,
    email: o.email,
    phone: o.phone,
    createdAt: utcTime(o.createdAtMs),
    updatedAt: utcTime(o.updatedAtMs),
    processedAt: utcTime(o.processedAtMs),
    cancelledAt: o.cancelledAtMs === null ? null : utcTime(o.cancelledAtMs),
    cancelReason: o.cancelReason?.toUpperCase() ?? null,
    currencyCode: o.currency,
    displayFinancialStatus: o.financialStatus.toUpperCase(),
    displayFulfillmentStatus: (o.fulfillmentStatus ?? 'unfulfilled').toUpperCase(),
    tags: o.tags,
    poNumber: o.poNumber,
    test: o.test,
    subtotalPriceSet: moneyV2(t.subtotal, o.currency),
    totalPriceSet: moneyV2(t.total, o.currency),
    totalTaxSet: moneyV2(t.tax, o.currency),
    totalShippingPriceSet: moneyV2(o.shippingCents, o.currency),
    totalDiscountsSet: moneyV2(t.discounts, o.currency),
    currentTotalDiscountsSet: moneyV2(t.currentDiscounts, o.currency),
    taxesIncluded: o.taxesIncluded,
    taxLines: gqlTaxLines(orderTaxLines(o), o.currency),
    currentSubtotalPriceSet: moneyV2(t.currentSubtotal, o.currency),
    currentTotalPriceSet: moneyV2(t.currentTotal, o.currency),
    currentTotalTaxSet: moneyV2(t.currentTax, o.currency),
    totalRefundedSet: moneyV2(t.refunded, o.currency),
    totalOutstandingSet: moneyV2(t.outstanding, o.currency),
    customer: customer
      ? {
          id: `gid://shopify/Customer/${customer.id}`,
          legacyResourceId: customer.id.toString(),
          email: customer.email,
          firstName: customer.firstName,
          lastName: customer.lastName,
        }
      : null,
    shippingAddress: gqlAddress(o.shippingAddress),
    billingAddress: gqlAddress(o.billingAddress),
    lineItems: {
      nodes: items.map((li) => ({
        id: `gid://shopify/LineItem/${li.id}`,
        sku: li.sku,
        name: li.title,
        quantity: li.quantity,
        currentQuantity: li.currentQuantity,
        requiresShipping: li.requiresShipping,
        originalUnitPriceSet: moneyV2(li.priceCents, o.currency),
        taxLines: gqlTaxLines(taxesOn(o, lineNetCents(li, li.quantity)), o.currency),
        discountAllocations: li.discountCents ? [{ allocatedAmountSet: moneyV2(li.discountCents, o.currency) }] : [],
      })),
      pageInfo: {
        hasNextPage: o.lineItems.length > items.length,
        endCursor: lastItem ? Buffer.from(`li:${lastItem.id}`).toString('base64url') : null,
      },
    },
    shippingLines: {
      nodes: shipping,
      pageInfo: {
        hasNextPage: allShipping.length > shipping.length,
        endCursor: shipping.length ? Buffer.from(`sl:${o.id + 1n}`).toString('base64url') : null,
      },
    },
  };
}
