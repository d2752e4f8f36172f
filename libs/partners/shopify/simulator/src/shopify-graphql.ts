import { money, orderTotals, utcTime, type SimAddress, type SimCustomer, type SimOrder } from './shopify.model';

/**
 * The GraphQL operations the sandbox understands. It has no GraphQL parser: it recognises our client's
 * operations by operation name and root field, answers them with a fixed selection (below), and answers any
 * other document with an error. Keep this list in step with libs/partners/shopify/client (shopify.queries.ts).
 *
 * | operation             | root field                                                  | cost (requested)                  |
 * |-----------------------|-------------------------------------------------------------|-----------------------------------|
 * | Ping                  | shop { name myshopifyDomain }                               | 1                                 |
 * | OrdersUpdatedSince    | orders(first, after, sortKey: UPDATED_AT, query) + lineItems(first: $lineItemsFirst) | 2 + first × (4 + 2 + lineItemsFirst) |
 * | OrderById             | order(id) + lineItems(first: $lineItemsFirst)               | 4 + 2 + lineItemsFirst            |
 * | CustomersUpdatedSince | customers(first, after, sortKey: UPDATED_AT, query)         | 2 + first × 2                     |
 * | CustomerById          | customer(id)                                                | 2                                 |
 *
 * The actual cost uses the returned counts instead of `first`. The cost model is the sandbox's own
 * approximation of Shopify's (objects 1, connections 2 + size); real numbers differ.
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

export const ORDER_NODE_BASE_COST = 4; // order + customer + two addresses
export const CUSTOMER_NODE_COST = 2; // customer + defaultAddress

export function requestedCost(op: KnownOperation, vars: Record<string, unknown>): number {
  const first = Number(vars['first'] ?? 0);
  const lineItemsFirst = Number(vars['lineItemsFirst'] ?? 0);
  switch (op) {
    case 'Ping':
      return 1;
    case 'OrdersUpdatedSince':
      return 2 + first * (ORDER_NODE_BASE_COST + 2 + lineItemsFirst);
    case 'OrderById':
      return ORDER_NODE_BASE_COST + 2 + lineItemsFirst;
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

export function gqlOrder(o: SimOrder, customer: SimCustomer | undefined, lineItemsFirst: number): Record<string, unknown> {
  const t = orderTotals(o);
  const items = o.lineItems.slice(0, lineItemsFirst);
  const lastItem = items.at(-1);
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
      })),
      pageInfo: {
        hasNextPage: o.lineItems.length > items.length,
        endCursor: lastItem ? Buffer.from(`li:${lastItem.id}`).toString('base64url') : null,
      },
    },
  };
}
