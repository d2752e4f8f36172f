import { ShopifyRequestError } from './shopify.errors';
import type {
  ShopifyAddress,
  ShopifyCustomer,
  ShopifyLineItem,
  ShopifyMoney,
  ShopifyOrder,
  ShopifyShippingLine,
  ShopifyTaxLine,
  ShopifyWebhookSubscription,
} from './shopify.types';

/*
 * The answers of the GraphQL operations in shopify.queries.ts as Shopify sends them (Raw*), and their mapping to
 * our types. Hand-written: the Admin API schema (introspection JSON) is not in the repository and not a file we may
 * vendor, so no types are generated from it (see README).
 */

/** One page of a connection. */
export interface Page<N> {
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function safeVariables(v: Record<string, unknown>): Record<string, unknown> {
  return { first: v['first'], lineItemsFirst: v['lineItemsFirst'], shippingLinesFirst: v['shippingLinesFirst'] };
}

export function toGid(kind: string, id: string): string {
  if (id.startsWith('gid://')) return id;
  if (!/^\d+$/.test(id)) throw new ShopifyRequestError(`not a Shopify ${kind} id: ${id}`);
  return `gid://shopify/${kind}/${id}`;
}

export function idOf(gid: string): string {
  return gid.slice(gid.lastIndexOf('/') + 1);
}

export interface RawMoneyBag {
  shopMoney: { amount: string; currencyCode: string };
}
/** MailingAddress as selected (shopify.queries.ts ADDRESS): our ShopifyAddress with the names and codes of both regions. */
export type RawAddress = Omit<ShopifyAddress, 'countryCode'> & { province: string | null; country: string | null; countryCodeV2: string | null };
export interface RawTaxLine {
  title: string;
  /** A Float: parseShopifyJson hands non-integers over as their exact source text. */
  rate: string | number | null;
  priceSet: RawMoneyBag;
}
/** LineItem as selected: our ShopifyLineItem with a GID and Shopify's money bags. */
export type RawLineItem = Omit<ShopifyLineItem, 'unitPrice' | 'taxLines' | 'discountAllocations'> & {
  originalUnitPriceSet: RawMoneyBag;
  taxLines: RawTaxLine[];
  discountAllocations: Array<{ allocatedAmountSet: RawMoneyBag }>;
};
export interface RawShippingLine {
  id: string | null;
  title: string;
  code: string | null;
  isRemoved: boolean;
  originalPriceSet: RawMoneyBag;
  discountedPriceSet: RawMoneyBag;
  taxLines: RawTaxLine[];
}
export interface RawOrder {
  id: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string | null;
  cancelledAt: string | null;
  currencyCode: string;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string;
  tags: string[];
  poNumber: string | null;
  subtotalPriceSet: RawMoneyBag;
  totalPriceSet: RawMoneyBag;
  totalTaxSet: RawMoneyBag;
  totalShippingPriceSet: RawMoneyBag;
  currentSubtotalPriceSet: RawMoneyBag;
  currentTotalPriceSet: RawMoneyBag;
  currentTotalTaxSet: RawMoneyBag;
  totalRefundedSet: RawMoneyBag;
  totalOutstandingSet: RawMoneyBag;
  totalDiscountsSet: RawMoneyBag;
  taxesIncluded: boolean;
  taxLines: RawTaxLine[];
  customer: { id: string; email: string | null; firstName: string | null; lastName: string | null } | null;
  shippingAddress: RawAddress | null;
  billingAddress: RawAddress | null;
  lineItems: { nodes: RawLineItem[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
  shippingLines: { nodes: RawShippingLine[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
}
/** Customer as selected: our ShopifyCustomer with the GID as its id (no separate gid) and a raw address. */
export type RawCustomer = Omit<ShopifyCustomer, 'gid' | 'defaultAddress'> & { defaultAddress: RawAddress | null };

const m = (b: RawMoneyBag): ShopifyMoney => ({ amount: String(b.shopMoney.amount), currency: b.shopMoney.currencyCode });
const taxLine = (t: RawTaxLine): ShopifyTaxLine => ({
  title: t.title,
  rate: t.rate === null || t.rate === undefined ? null : String(t.rate),
  price: m(t.priceSet),
});
const addr = (a: RawAddress | null): ShopifyAddress | null => {
  if (!a) return null;
  // ShopifyAddress keeps the region codes only.
  const { province, country, countryCodeV2, ...same } = a;
  return { ...same, countryCode: countryCodeV2 };
};

export function mapOrder(o: RawOrder): ShopifyOrder {
  return {
    id: idOf(o.id),
    gid: o.id,
    name: o.name,
    email: o.email,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    processedAt: o.processedAt ?? o.createdAt,
    cancelledAt: o.cancelledAt,
    financialStatus: (o.displayFinancialStatus ?? 'pending').toLowerCase(),
    fulfillmentStatus: o.displayFulfillmentStatus.toLowerCase(),
    currency: o.currencyCode,
    tags: o.tags,
    poNumber: o.poNumber,
    subtotal: m(o.subtotalPriceSet),
    total: m(o.totalPriceSet),
    totalTax: m(o.totalTaxSet),
    shipping: m(o.totalShippingPriceSet),
    currentTotal: m(o.currentTotalPriceSet),
    currentSubtotal: m(o.currentSubtotalPriceSet),
    currentTotalTax: m(o.currentTotalTaxSet),
    totalRefunded: m(o.totalRefundedSet),
    totalOutstanding: m(o.totalOutstandingSet),
    totalDiscounts: m(o.totalDiscountsSet),
    taxesIncluded: o.taxesIncluded,
    taxLines: o.taxLines.map(taxLine),
    customer: o.customer && {
      id: idOf(o.customer.id),
      email: o.customer.email,
      firstName: o.customer.firstName,
      lastName: o.customer.lastName,
    },
    shippingAddress: addr(o.shippingAddress),
    billingAddress: addr(o.billingAddress),
    lineItems: o.lineItems.nodes.map(mapLineItem),
    lineItemsTruncated: o.lineItems.pageInfo.hasNextPage,
    lineItemsEndCursor: o.lineItems.pageInfo.endCursor ?? null,
    shippingLines: o.shippingLines.nodes.map(mapShippingLine),
    shippingLinesTruncated: o.shippingLines.pageInfo.hasNextPage,
    shippingLinesEndCursor: o.shippingLines.pageInfo.endCursor ?? null,
  };
}

export function mapLineItem(li: RawLineItem): ShopifyLineItem {
  return {
    id: idOf(li.id),
    sku: li.sku,
    name: li.name,
    quantity: li.quantity,
    currentQuantity: li.currentQuantity,
    requiresShipping: li.requiresShipping,
    unitPrice: m(li.originalUnitPriceSet),
    taxLines: li.taxLines.map(taxLine),
    discountAllocations: li.discountAllocations.map((a) => ({ amount: m(a.allocatedAmountSet) })),
  };
}

export function mapShippingLine(s: RawShippingLine): ShopifyShippingLine {
  return {
    id: s.id ? idOf(s.id) : null,
    title: s.title,
    code: s.code,
    isRemoved: s.isRemoved,
    originalPrice: m(s.originalPriceSet),
    discountedPrice: m(s.discountedPriceSet),
    taxLines: s.taxLines.map(taxLine),
  };
}

export function mapCustomer(c: RawCustomer): ShopifyCustomer {
  return {
    id: idOf(c.id),
    gid: c.id,
    email: c.email,
    phone: c.phone,
    firstName: c.firstName,
    lastName: c.lastName,
    state: c.state.toLowerCase(),
    tags: c.tags,
    taxExempt: c.taxExempt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    defaultAddress: addr(c.defaultAddress),
  };
}

export interface RawWebhookSubscription {
  id: string;
  topic: string;
  uri: string | null;
  format: string | null;
  createdAt: string | null;
}

/** `orders/create` → `ORDERS_CREATE` (WebhookSubscriptionTopic). */
export function webhookTopicEnum(topic: string): string {
  return topic.replace('/', '_').toUpperCase();
}

/** `ORDERS_CREATE` → `orders/create`; `CUSTOMERS_DATA_REQUEST` → `customers/data_request` (resource names without `_`). */
export function webhookTopicName(topicEnum: string): string {
  const lower = topicEnum.toLowerCase();
  const i = lower.indexOf('_');
  return i < 0 ? lower : `${lower.slice(0, i)}/${lower.slice(i + 1)}`;
}

export function mapWebhookSubscription(n: RawWebhookSubscription): ShopifyWebhookSubscription {
  return { id: n.id, topic: webhookTopicName(n.topic), uri: n.uri ?? '', format: n.format ?? 'JSON', createdAt: n.createdAt };
}
