import {
  lineTaxes,
  money,
  orderTaxLines,
  orderTotals,
  shippingCents,
  utcTime,
  type SimAddress,
  type SimCustomer,
  type SimLineItem,
  type SimOrder,
  type SimShippingLine,
  type SimTax,
} from './shopify.model';
import { inOrder } from './exact-json';

/**
 * The GraphQL operations the sandbox understands. It has no GraphQL parser: it recognises our client's
 * operations by operation name and root field, answers them with a fixed selection (below), and answers any
 * other document with an error. Keep this list in step with libs/partners/shopify/client (shopify.queries.ts).
 *
 * | operation             | root field                                                                   |
 * |-----------------------|------------------------------------------------------------------------------|
 * | Ping                  | shop { name myshopifyDomain }                                                |
 * | Shop                  | shop { name myshopifyDomain ianaTimezone }                                   |
 * | OrdersUpdatedSince    | orders(first, after, sortKey: UPDATED_AT, query) { nodes { ORDER } pageInfo } |
 * | OrderVersionsUpdatedSince | orders(first, after, sortKey: UPDATED_AT, query) { nodes { id updatedAt } pageInfo } |
 * | OrderById             | order(id) { ORDER }                                                          |
 * | OrderLineItems        | order(id) { id updatedAt lineItems(first, after) { nodes { LINE_ITEM } pageInfo } } |
 * | OrderShippingLines    | order(id) { id updatedAt shippingLines(first, after) { nodes { SHIPPING_LINE } pageInfo } } |
 * | CustomersUpdatedSince | customers(first, after, sortKey: UPDATED_AT, query) { nodes { CUSTOMER } pageInfo } |
 * | CustomerById          | customer(id) { CUSTOMER }                                                    |
 * | OrderMetafieldsSet    | mutation: metafieldsSet(metafields) { metafields { … } userErrors { … } }    |
 * | WebhookSubscriptions  | webhookSubscriptions(first, after) { nodes { id topic uri format createdAt } pageInfo } |
 * | WebhookSubscriptionCreate | mutation: webhookSubscriptionCreate(topic, webhookSubscription) { webhookSubscription { … } userErrors } |
 * | WebhookSubscriptionDelete | mutation: webhookSubscriptionDelete(id) { deletedWebhookSubscriptionId userErrors } |
 *
 * The webhook-subscription operations' allow-lists and sources are in shopify-webhook-subscriptions.ts.
 *
 * ORDER is the client's ORDER_FIELDS (lineItems(first: $lineItemsFirst), shippingLines(first: $shippingLinesFirst),
 * `$shippingLinesFirst` absent counts as 0 and answers no shipping lines); the answer may carry a few more fields
 * than the client selects, but the cost is computed from SELECTIONS below, which mirrors what the client sends.
 *
 * Cost, as documented (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, shopify.md §3.2):
 * scalar and enum 0, every object 1 (so a `*Set` MoneyBag is 1 and the `shopMoney` MoneyV2 inside it another 1),
 * a connection 2 + first × (its node's cost) (pageInfo inside the 2). Requested cost uses the `first`s; actual
 * cost walks the answer (returned nodes, actual list lengths, null objects 0), capped at the requested cost.
 *
 * UNCONFIRMED: lists of objects that are not connections (`taxLines`, `discountAllocations`) have no documented
 * rule. The sandbox takes the stricter plausible reading: such a list costs `assumedListLength` × its element
 * (default 2, a sandbox option), not a single object. Real numbers may differ; the client sizes pages with the
 * same assumption and shrinks them when a shop still answers MAX_COST_EXCEEDED.
 *
 * Default client page (20 orders asked for, 10 line items, 3 shipping lines, list length 2): an order is 217
 * points, so the client asks for 4 orders (2 + 4 × 217 = 870); the 20-order page would be 4342.
 */
export type KnownOperation =
  | 'Ping'
  | 'Shop'
  | 'OrdersUpdatedSince'
  | 'OrderVersionsUpdatedSince'
  | 'OrderById'
  | 'OrderLineItems'
  | 'OrderShippingLines'
  | 'CustomersUpdatedSince'
  | 'CustomerById'
  | 'OrderMetafieldsSet'
  | 'WebhookSubscriptions'
  | 'WebhookSubscriptionCreate'
  | 'WebhookSubscriptionDelete';

/** Operations sent as `mutation` (the others must be sent as `query`). */
export const MUTATIONS: ReadonlySet<KnownOperation> = new Set<KnownOperation>(['OrderMetafieldsSet', 'WebhookSubscriptionCreate', 'WebhookSubscriptionDelete']);

const ROOT_FIELD: Record<KnownOperation, RegExp> = {
  Ping: /\bshop\s*\{/,
  Shop: /\bshop\s*\{/,
  OrdersUpdatedSince: /\borders\s*\(/,
  // Order.id and Order.updatedAt only (shopify.md §3.4: orders(first, after, sortKey: UPDATED_AT, query) { nodes }).
  OrderVersionsUpdatedSince:
    /\borders\s*\(\s*first\s*:\s*\$first\s*,\s*after\s*:\s*\$after\s*,\s*sortKey\s*:\s*UPDATED_AT\s*,\s*query\s*:\s*\$query\s*\)\s*\{\s*nodes\s*\{\s*id\s+updatedAt\s*\}\s*pageInfo\s*\{\s*hasNextPage\s+endCursor\s*\}\s*\}/,
  OrderById: /\border\s*\(/,
  OrderLineItems: /\border\s*\([^)]*\)\s*\{[^]*\blineItems\s*\(/,
  OrderShippingLines: /\border\s*\([^)]*\)\s*\{[^]*\bshippingLines\s*\(/,
  CustomersUpdatedSince: /\bcustomers\s*\(/,
  CustomerById: /\bcustomer\s*\(/,
  OrderMetafieldsSet: /\bmetafieldsSet\s*\(\s*metafields\s*:\s*\$metafields\s*\)/,
  WebhookSubscriptions: /\bwebhookSubscriptions\s*\(\s*first\s*:\s*\$first\s*,\s*after\s*:\s*\$after\s*\)/,
  WebhookSubscriptionCreate: /\bwebhookSubscriptionCreate\s*\(\s*topic\s*:\s*\$topic\s*,\s*webhookSubscription\s*:\s*\$webhookSubscription\s*\)/,
  WebhookSubscriptionDelete: /\bwebhookSubscriptionDelete\s*\(\s*id\s*:\s*\$id\s*\)/,
};

export function recogniseOperation(query: string): KnownOperation | undefined {
  const m = /^\s*(query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query);
  const name = m?.[2] as KnownOperation | undefined;
  if (!name || !(name in ROOT_FIELD)) return undefined;
  if ((m?.[1] === 'mutation') !== MUTATIONS.has(name)) return undefined;
  return ROOT_FIELD[name].test(query) ? name : undefined;
}

/** Max cost of a single query (shopify.md §3.2); a sandbox option can lower it. */
export const MAX_QUERY_COST = 1000;
/** UNCONFIRMED: assumed length of a non-connection list of objects in the requested cost (see above). */
export const DEFAULT_ASSUMED_LIST_LENGTH = 2;

/**
 * The shape of a selection, as far as cost goes: fields selecting objects, lists of objects or connections
 * (scalars and enums cost 0 and are left out). `connection` names the variable holding its `first`.
 */
export interface Selection {
  [field: string]: { object: Selection } | { list: Selection } | { connection: Selection; first: string };
}

const MONEY_BAG: Selection = { shopMoney: { object: {} } };
const TAX_LINE: Selection = { priceSet: { object: MONEY_BAG } };
const ADDRESS: Selection = {};
const MONEY = { object: MONEY_BAG };

/** The client's LINE_ITEM_FIELDS and SHIPPING_LINE_FIELDS (shopify.queries.ts), objects only. */
const LINE_ITEM_SELECTION: Selection = {
  originalUnitPriceSet: MONEY,
  taxLines: { list: TAX_LINE },
  discountAllocations: { list: { allocatedAmountSet: MONEY } },
};
const SHIPPING_LINE_SELECTION: Selection = { originalPriceSet: MONEY, discountedPriceSet: MONEY, taxLines: { list: TAX_LINE } };

/** The client's ORDER_FIELDS (libs/partners/shopify/client/src/shopify.queries.ts), objects only. */
export const ORDER_SELECTION: Selection = {
  subtotalPriceSet: MONEY,
  totalPriceSet: MONEY,
  totalTaxSet: MONEY,
  totalShippingPriceSet: MONEY,
  currentSubtotalPriceSet: MONEY,
  currentTotalPriceSet: MONEY,
  currentTotalTaxSet: MONEY,
  totalRefundedSet: MONEY,
  totalOutstandingSet: MONEY,
  totalDiscountsSet: MONEY,
  taxLines: { list: TAX_LINE },
  customer: { object: {} },
  shippingAddress: { object: ADDRESS },
  billingAddress: { object: ADDRESS },
  lineItems: { first: 'lineItemsFirst', connection: LINE_ITEM_SELECTION },
  shippingLines: { first: 'shippingLinesFirst', connection: SHIPPING_LINE_SELECTION },
};

/** The client's CUSTOMER_FIELDS, objects only. */
export const CUSTOMER_SELECTION: Selection = { defaultAddress: { object: ADDRESS } };

export const OPERATION_SELECTIONS: Record<KnownOperation, Selection> = {
  Ping: { shop: { object: {} } },
  Shop: { shop: { object: {} } },
  OrdersUpdatedSince: { orders: { first: 'first', connection: ORDER_SELECTION } },
  OrderVersionsUpdatedSince: { orders: { first: 'first', connection: {} } },
  OrderById: { order: { object: ORDER_SELECTION } },
  OrderLineItems: { order: { object: { lineItems: { first: 'first', connection: LINE_ITEM_SELECTION } } } },
  OrderShippingLines: { order: { object: { shippingLines: { first: 'first', connection: SHIPPING_LINE_SELECTION } } } },
  CustomersUpdatedSince: { customers: { first: 'first', connection: CUSTOMER_SELECTION } },
  CustomerById: { customer: { object: CUSTOMER_SELECTION } },
  OrderMetafieldsSet: { metafieldsSet: { object: { metafields: { list: {} }, userErrors: { list: {} } } } },
  WebhookSubscriptions: { webhookSubscriptions: { first: 'first', connection: {} } },
  WebhookSubscriptionCreate: { webhookSubscriptionCreate: { object: { webhookSubscription: { object: {} }, userErrors: { list: {} } } } },
  WebhookSubscriptionDelete: { webhookSubscriptionDelete: { object: { userErrors: { list: {} } } } },
};

/** A mutation's cost, as documented on the rate-limits page: 10 points, whatever it selects. */
export const MUTATION_COST = 10;

export interface CostModel {
  /** UNCONFIRMED reading: a non-connection list of objects costs this many elements (default 2). */
  assumedListLength: number;
  /** Refuse a query whose requested cost is above this (default 1000). */
  maxQueryCost: number;
}

export const DEFAULT_COST_MODEL: CostModel = { assumedListLength: DEFAULT_ASSUMED_LIST_LENGTH, maxQueryCost: MAX_QUERY_COST };

/** Requested cost of the fields of one object (the object itself not counted). */
export function selectionRequestedCost(sel: Selection, vars: Record<string, unknown>, listLength: number): number {
  let cost = 0;
  for (const f of Object.values(sel)) {
    if ('object' in f) cost += 1 + selectionRequestedCost(f.object, vars, listLength);
    else if ('list' in f) cost += listLength * (1 + selectionRequestedCost(f.list, vars, listLength));
    else cost += 2 + Math.max(0, Number(vars[f.first] ?? 0) || 0) * (1 + selectionRequestedCost(f.connection, vars, listLength));
  }
  return cost;
}

/** Actual cost of the fields of one answered object: returned nodes, actual list lengths, null objects free. */
export function selectionActualCost(sel: Selection, value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const v = value as Record<string, unknown>;
  let cost = 0;
  for (const [name, f] of Object.entries(sel)) {
    const child = v[name];
    if ('object' in f) cost += child === null || child === undefined ? 0 : 1 + selectionActualCost(f.object, child);
    else if ('list' in f) cost += (Array.isArray(child) ? child : []).reduce((s: number, x) => s + 1 + selectionActualCost(f.list, x), 0);
    else {
      const nodes = (child as { nodes?: unknown[] } | null | undefined)?.nodes;
      cost += 2 + (Array.isArray(nodes) ? nodes : []).reduce((s: number, x) => s + 1 + selectionActualCost(f.connection, x), 0);
    }
  }
  return cost;
}

/** `$shippingLinesFirst`, 0 when absent (the sandbox then answers no shipping lines). */
export function shippingLinesFirstOf(vars: Record<string, unknown>): number {
  return Number(vars['shippingLinesFirst'] ?? 0);
}

/** Shopify's requested cost of one of our operations (documented rule; lists per `model.assumedListLength`). */
export function requestedCost(op: KnownOperation, vars: Record<string, unknown>, model: Partial<CostModel> = {}): number {
  if (MUTATIONS.has(op)) return MUTATION_COST;
  return selectionRequestedCost(OPERATION_SELECTIONS[op], vars, model.assumedListLength ?? DEFAULT_ASSUMED_LIST_LENGTH);
}

/** Actual cost of an answer (`data`), never above the requested cost. */
export function actualCost(op: KnownOperation, vars: Record<string, unknown>, data: unknown, model: Partial<CostModel> = {}): number {
  if (MUTATIONS.has(op)) return MUTATION_COST;
  return Math.min(requestedCost(op, vars, model), selectionActualCost(OPERATION_SELECTIONS[op], data));
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

/** MailingAddress in the order the client selects it (shopify.queries.ts ADDRESS). */
function gqlAddress(a: SimAddress | null): Record<string, unknown> | null {
  return (
    a &&
    inOrder('firstName lastName company address1 address2 city province provinceCode country countryCodeV2 zip phone', { ...a, countryCodeV2: a.countryCode })
  );
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

function gqlShippingLine(o: SimOrder, sl: SimShippingLine): Record<string, unknown> {
  return {
    id: `gid://shopify/ShippingLine/${sl.id}`,
    title: sl.title,
    code: sl.code,
    source: 'shopify',
    carrierIdentifier: null,
    isRemoved: false,
    originalPriceSet: moneyV2(sl.cents, o.currency),
    discountedPriceSet: moneyV2(sl.cents, o.currency),
    currentDiscountedPriceSet: moneyV2(sl.cents, o.currency),
    taxLines: gqlTaxLines(lineTaxes(o, sl), o.currency),
  };
}

function gqlLineItem(o: SimOrder, li: SimLineItem): Record<string, unknown> {
  return {
    id: `gid://shopify/LineItem/${li.id}`,
    sku: li.sku,
    name: li.title,
    quantity: li.quantity,
    currentQuantity: li.currentQuantity,
    requiresShipping: li.requiresShipping,
    originalUnitPriceSet: moneyV2(li.priceCents, o.currency),
    taxLines: gqlTaxLines(lineTaxes(o, li), o.currency),
    discountAllocations: li.discountCents ? [{ allocatedAmountSet: moneyV2(li.discountCents, o.currency) }] : [],
  };
}

/** Cursor of a line item (`li:<id>`) or shipping line (`sl:<id>`) inside its order's connection. */
const itemCursor = (prefix: 'li' | 'sl', id: bigint): string => Buffer.from(`${prefix}:${id}`).toString('base64url');

/**
 * One page of an order's line items or shipping lines: `first` nodes after the one `after` names (from the start
 * when null). undefined when `after` names no node of this order.
 */
export function itemsPage<T extends { id: bigint }>(
  items: readonly T[],
  prefix: 'li' | 'sl',
  first: number,
  after: string | null,
): { nodes: T[]; hasNextPage: boolean; endCursor: string | null } | undefined {
  let start = 0;
  if (after !== null) {
    const i = items.findIndex((x) => itemCursor(prefix, x.id) === after);
    if (i < 0) return undefined;
    start = i + 1;
  }
  const nodes = items.slice(start, start + Math.max(0, first));
  const last = nodes.at(-1);
  return { nodes, hasNextPage: items.length > start + nodes.length, endCursor: last ? itemCursor(prefix, last.id) : after };
}

/** OrderLineItems / OrderShippingLines: the order's id and updatedAt and one page of the connection. */
export function gqlOrderItems(o: SimOrder, kind: 'lineItems' | 'shippingLines', first: number, after: string | null): Record<string, unknown> | undefined {
  const base = { id: `gid://shopify/Order/${o.id}`, updatedAt: utcTime(o.updatedAtMs) };
  if (kind === 'lineItems') {
    const p = itemsPage(o.lineItems, 'li', first, after);
    return p && { ...base, lineItems: { nodes: p.nodes.map((li) => gqlLineItem(o, li)), pageInfo: { hasNextPage: p.hasNextPage, endCursor: p.endCursor } } };
  }
  const p = itemsPage(o.shippingLines, 'sl', first, after);
  return (
    p && { ...base, shippingLines: { nodes: p.nodes.map((sl) => gqlShippingLine(o, sl)), pageInfo: { hasNextPage: p.hasNextPage, endCursor: p.endCursor } } }
  );
}

export function gqlOrder(o: SimOrder, customer: SimCustomer | undefined, lineItemsFirst: number, shippingLinesFirst = 0): Record<string, unknown> {
  const t = orderTotals(o);
  const items = itemsPage(o.lineItems, 'li', lineItemsFirst, null)!;
  const shipping = itemsPage(o.shippingLines, 'sl', shippingLinesFirst, null)!;
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
    totalShippingPriceSet: moneyV2(shippingCents(o), o.currency),
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
      nodes: items.nodes.map((li) => gqlLineItem(o, li)),
      pageInfo: { hasNextPage: items.hasNextPage, endCursor: items.endCursor },
    },
    shippingLines: {
      nodes: shipping.nodes.map((sl) => gqlShippingLine(o, sl)),
      pageInfo: { hasNextPage: shipping.hasNextPage, endCursor: shipping.endCursor },
    },
  };
}

// ---- metafieldsSet ---------------------------------------------------------------------------------------------------

/**
 * MetafieldsSetInput's fields, all of them (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/MetafieldsSetInput):
 * any other is a GraphQL variable error, as Shopify's schema validation answers it. ownerId, key and value are non-null.
 */
export const METAFIELDS_SET_INPUT_FIELDS: readonly string[] = ['compareDigest', 'key', 'namespace', 'ownerId', 'type', 'value'];
const METAFIELDS_SET_REQUIRED = ['ownerId', 'key', 'value'];
/** "Allows a maximum of 25 metafields to be set at a time" (https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet). */
export const METAFIELDS_SET_MAX = 25;
/**
 * The metafield types the sandbox knows (a subset of https://shopify.dev/docs/apps/build/custom-data/metafields/list-of-data-types);
 * another type is a userError INVALID_TYPE.
 */
export const METAFIELD_TYPES: readonly string[] = [
  'single_line_text_field',
  'multi_line_text_field',
  'number_integer',
  'number_decimal',
  'boolean',
  'date',
  'date_time',
  'json',
  'url',
];

export interface MetafieldsSetUserError {
  field: string[];
  message: string;
  code: string;
  elementIndex: number | null;
}

/** A GraphQL error for a variable that does not match the schema (top-level `errors`, no data). */
export interface VariableError {
  message: string;
  extensions: { code: 'INVALID_VARIABLE'; problems: Array<{ path: Array<string | number>; explanation: string }> };
}

export interface MetafieldsSetInputRow {
  ownerId: string;
  namespace: string | null;
  key: string;
  type: string | null;
  value: string;
  compareDigest?: string | null;
}

/** Schema check of `$metafields` (unknown fields, nulls, types): a variable error, or the rows. */
export function parseMetafieldsSetVariables(vars: Record<string, unknown>): { error: VariableError } | { rows: MetafieldsSetInputRow[] } {
  const problems: Array<{ path: Array<string | number>; explanation: string }> = [];
  const list = vars['metafields'];
  if (!Array.isArray(list)) problems.push({ path: [], explanation: 'Expected value to not be null' });
  else
    list.forEach((row, i) => {
      if (!row || typeof row !== 'object' || Array.isArray(row)) return void problems.push({ path: [i], explanation: 'Expected value to not be null' });
      const r = row as Record<string, unknown>;
      for (const k of Object.keys(r))
        if (!METAFIELDS_SET_INPUT_FIELDS.includes(k)) problems.push({ path: [i, k], explanation: 'Field is not defined on MetafieldsSetInput' });
      for (const k of METAFIELDS_SET_REQUIRED)
        if (r[k] === undefined || r[k] === null) problems.push({ path: [i, k], explanation: 'Expected value to not be null' });
      for (const k of METAFIELDS_SET_INPUT_FIELDS)
        if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'string') problems.push({ path: [i, k], explanation: 'Could not coerce value to String' });
    });
  if (problems.length) {
    return {
      error: {
        message: `Variable $metafields of type [MetafieldsSetInput!]! was provided invalid value for ${problems.map((p) => `${p.path.join('.')} (${p.explanation})`).join(', ')}`,
        extensions: { code: 'INVALID_VARIABLE', problems },
      },
    };
  }
  return { rows: list as MetafieldsSetInputRow[] };
}

const KEY_CHARS = /^[A-Za-z0-9_-]+$/;

/**
 * The business checks Shopify answers in userErrors (HTTP 200, nothing persisted: "This operation is atomic"):
 * at most 25 metafields; key 2-64 and namespace 3-255 characters of letters, digits, hyphen and underscore (the
 * MetafieldsSetInput page); a type where the shop has no definition (the sandbox has none); a known type; an owner
 * that exists (`ownerExists`).
 */
export function checkMetafieldsSet(rows: MetafieldsSetInputRow[], ownerExists: (gid: string) => boolean): MetafieldsSetUserError[] {
  const errors: MetafieldsSetUserError[] = [];
  if (rows.length > METAFIELDS_SET_MAX)
    errors.push({
      field: ['metafields'],
      message: `Exceeded the maximum metafields input limit of ${METAFIELDS_SET_MAX}.`,
      code: 'LESS_THAN_OR_EQUAL_TO',
      elementIndex: null,
    });
  rows.forEach((r, i) => {
    const at = (f: string, message: string, code: string) => errors.push({ field: ['metafields', String(i), f], message, code, elementIndex: i });
    if (r.key.length < 2) at('key', 'Key is too short (minimum is 2 characters)', 'TOO_SHORT');
    else if (r.key.length > 64) at('key', 'Key is too long (maximum is 64 characters)', 'TOO_LONG');
    else if (!KEY_CHARS.test(r.key)) at('key', 'Key contains one or more invalid characters.', 'INVALID');
    if (r.namespace !== null && r.namespace !== undefined) {
      if (r.namespace.length < 3) at('namespace', 'Namespace is too short (minimum is 3 characters)', 'TOO_SHORT');
      else if (r.namespace.length > 255) at('namespace', 'Namespace is too long (maximum is 255 characters)', 'TOO_LONG');
      else if (!KEY_CHARS.test(r.namespace)) at('namespace', 'Namespace contains one or more invalid characters.', 'INVALID');
    }
    if (r.type === null || r.type === undefined || r.type === '') at('type', "Type can't be blank", 'BLANK');
    else if (!METAFIELD_TYPES.includes(r.type)) at('type', 'Type is invalid', 'INVALID_TYPE');
    else if (r.type === 'single_line_text_field' && /[\r\n]/.test(r.value)) at('value', 'Value must be a single line text string.', 'INVALID_VALUE');
    if (!/^gid:\/\/shopify\/Order\/\d+$/.test(r.ownerId)) at('ownerId', 'Owner type is not supported by the sandbox (orders only).', 'DISALLOWED_OWNER_TYPE');
    else if (!ownerExists(r.ownerId)) at('ownerId', 'Owner does not exist.', 'INVALID');
  });
  return errors;
}
