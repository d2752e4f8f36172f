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
}

export interface ShopifyOrder {
  id: string;
  gid: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
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
  /** null for guest checkouts. */
  customer: { id: string; email: string | null; firstName: string | null; lastName: string | null } | null;
  shippingAddress: ShopifyAddress | null;
  billingAddress: ShopifyAddress | null;
  lineItems: ShopifyLineItem[];
  /** True when the order has more line items than were fetched. */
  lineItemsTruncated: boolean;
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
