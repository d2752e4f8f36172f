/** Our view of Shopify data. Ids are decimal strings (int64 exceeds 2^53); money is a decimal string. */
export interface ShopifyAddress {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  provinceCode: string | null;
  countryCode: string | null;
  zip: string | null;
  phone: string | null;
}

export interface ShopifyMoney {
  amount: string;
  currency: string;
}

/** One tax of a line item, shipping line or the order (the order's are the sums per title). */
export interface ShopifyTaxLine {
  title: string;
  /** Decimal rate as Shopify wrote it ("0.13"), null when Shopify gives none. */
  rate: string | null;
  /** The tax amount, after discounts. */
  price: ShopifyMoney;
}

export interface ShopifyShippingLine {
  /** Numeric id as a string (from the GID), null when Shopify gives none. */
  id: string | null;
  title: string;
  code: string | null;
  isRemoved: boolean;
  /** Before discounts; like discountedPrice it includes tax when the order's taxesIncluded is true. */
  originalPrice: ShopifyMoney;
  /** After discounts (cart-level ones included since 2024-07). */
  discountedPrice: ShopifyMoney;
  taxLines: ShopifyTaxLine[];
}

export interface ShopifyLineItem {
  /** Numeric id as a string (from the GID). */
  id: string;
  sku: string | null;
  name: string;
  quantity: number;
  /** Quantity after edits and refunds. */
  currentQuantity: number;
  requiresShipping: boolean;
  unitPrice: ShopifyMoney;
  /** Taxes on the line after its discounts, one per title. */
  taxLines: ShopifyTaxLine[];
  /** Discount amounts allocated to the line (all of its original quantity). */
  discountAllocations: Array<{ amount: ShopifyMoney }>;
}

/** One version of an order: which order changed, and when (OrderVersionsUpdatedSince). */
export interface ShopifyOrderVersion {
  id: string;
  gid: string;
  /** GraphQL DateTime, UTC. */
  updatedAt: string;
}

export interface ShopifyOrder {
  id: string;
  gid: string;
  name: string;
  email: string | null;
  /** GraphQL DateTimes, UTC (`2026-12-01T00:30:00Z`); webhooks write the same instants in the shop's offset. */
  createdAt: string;
  updatedAt: string;
  /** When the order was processed (its accounting date; differs from createdAt for imported orders). */
  processedAt: string;
  cancelledAt: string | null;
  /** Lowercase like webhooks: paid, partially_refunded, … */
  financialStatus: string;
  fulfillmentStatus: string;
  currency: string;
  tags: string[];
  poNumber: string | null;
  subtotal: ShopifyMoney;
  total: ShopifyMoney;
  totalTax: ShopifyMoney;
  shipping: ShopifyMoney;
  currentTotal: ShopifyMoney;
  currentSubtotal: ShopifyMoney;
  currentTotalTax: ShopifyMoney;
  totalRefunded: ShopifyMoney;
  totalOutstanding: ShopifyMoney;
  /** Line and order discounts (totalDiscountsSet). */
  totalDiscounts: ShopifyMoney;
  /** Prices (lines, shipping) include tax. */
  taxesIncluded: boolean;
  /** Tax per title for the whole order. */
  taxLines: ShopifyTaxLine[];
  /** Current shipping lines (removed ones are not returned: `includeRemovals` defaults to false). */
  shippingLines: ShopifyShippingLine[];
  /** True when the order has more shipping lines than were fetched (ShopifyClient.completeOrder reads the rest). */
  shippingLinesTruncated: boolean;
  /** Cursor after the last fetched shipping line (to page the rest), null when none was fetched. */
  shippingLinesEndCursor?: string | null;
  /** null for guest checkouts. */
  customer: { id: string; email: string | null; firstName: string | null; lastName: string | null } | null;
  shippingAddress: ShopifyAddress | null;
  billingAddress: ShopifyAddress | null;
  lineItems: ShopifyLineItem[];
  /** True when the order has more line items than were fetched (ShopifyClient.completeOrder reads the rest). */
  lineItemsTruncated: boolean;
  /** Cursor after the last fetched line item (to page the rest), null when none was fetched. */
  lineItemsEndCursor?: string | null;
}

/** The shop's settings the sweep needs (`shop { name myshopifyDomain ianaTimezone }`). */
export interface ShopifyShop {
  name: string;
  myshopifyDomain: string;
  /** IANA time zone of the shop (`America/New_York`): the zone of the offsets in its REST and webhook times. */
  ianaTimezone: string;
}

export interface ShopifyCustomer {
  id: string;
  gid: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  state: string;
  tags: string[];
  taxExempt: boolean;
  createdAt: string;
  updatedAt: string;
  defaultAddress: ShopifyAddress | null;
}

/** The cost extension of a GraphQL answer (shopify.md §3.2). */
export interface ShopifyQueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

/** One metafield to set on a resource (MetafieldsSetInput without the owner, which the call supplies). */
export interface ShopifyMetafieldInput {
  namespace: string;
  key: string;
  /** A metafield type, e.g. `single_line_text_field`. */
  type: string;
  value: string;
}

export interface ShopifyMetafield {
  id: string;
  namespace: string;
  key: string;
  value: string;
  type: string;
}

/** An API-created webhook subscription (WebhookSubscription: id, topic in slash spelling, uri, format, createdAt). */
export interface ShopifyWebhookSubscription {
  id: string;
  topic: string;
  uri: string;
  format: string;
  createdAt: string | null;
}
