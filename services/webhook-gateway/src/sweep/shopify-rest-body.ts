import type { ShopifyAddress, ShopifyCustomer, ShopifyMoney, ShopifyOrder } from '@mlc/partners-shopify-client';

/** An integer written into JSON as its exact digits (Shopify ids exceed 2^53). */
class Digits {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new Error(`not an integer id: ${digits}`);
  }
}
const id = (digits: string): Digits => new Digits(digits);

/** JSON text where `Digits` become bare digits; nothing passes through a JS number. `undefined` members are left out. */
export function toExactJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Digits) return value.digits;
  if (Array.isArray(value)) return `[${value.map(toExactJson).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toExactJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) throw new Error(`unsafe integer ${value}`);
  return JSON.stringify(value);
}

const moneySet = (m: ShopifyMoney): Record<string, unknown> => {
  const money = { amount: m.amount, currency_code: m.currency };
  return { shop_money: money, presentment_money: { ...money } };
};

function address(a: ShopifyAddress | null): Record<string, unknown> | null {
  if (!a) return null;
  return {
    first_name: a.firstName,
    last_name: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    zip: a.zip,
    phone: a.phone,
    name: [a.firstName, a.lastName].filter(Boolean).join(' ') || null,
    province_code: a.provinceCode,
    country_code: a.countryCode,
  };
}

/** GraphQL displayFulfillmentStatus (lowercased by the client) → REST fulfillment_status. */
function restFulfillmentStatus(s: string): string | null {
  switch (s) {
    case 'unfulfilled':
      return null;
    case 'partially_fulfilled':
      return 'partial';
    default:
      return s;
  }
}

/**
 * An orders/updated-shaped body (Shopify REST JSON) for an order read by the sweep. Only what the GraphQL read gives
 * is present (see README "Sweep bodies"): ids as exact digits, money as decimal strings, times in UTC.
 */
export function orderWebhookBody(o: ShopifyOrder): string {
  return toExactJson({
    id: id(o.id),
    admin_graphql_api_id: o.gid,
    name: o.name,
    email: o.email,
    contact_email: o.email,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    cancelled_at: o.cancelledAt,
    currency: o.currency,
    presentment_currency: o.currency,
    financial_status: o.financialStatus,
    fulfillment_status: restFulfillmentStatus(o.fulfillmentStatus),
    tags: o.tags.join(', '),
    po_number: o.poNumber,
    subtotal_price: o.subtotal.amount,
    subtotal_price_set: moneySet(o.subtotal),
    total_price: o.total.amount,
    total_price_set: moneySet(o.total),
    total_tax: o.totalTax.amount,
    total_tax_set: moneySet(o.totalTax),
    total_shipping_price_set: moneySet(o.shipping),
    current_subtotal_price: o.currentSubtotal.amount,
    current_subtotal_price_set: moneySet(o.currentSubtotal),
    current_total_price: o.currentTotal.amount,
    current_total_price_set: moneySet(o.currentTotal),
    current_total_tax: o.currentTotalTax.amount,
    current_total_tax_set: moneySet(o.currentTotalTax),
    total_outstanding: o.totalOutstanding.amount,
    customer: o.customer && {
      id: id(o.customer.id),
      email: o.customer.email,
      first_name: o.customer.firstName,
      last_name: o.customer.lastName,
      admin_graphql_api_id: `gid://shopify/Customer/${o.customer.id}`,
    },
    billing_address: address(o.billingAddress),
    shipping_address: address(o.shippingAddress),
    line_items: o.lineItems.map((li) => ({
      id: id(li.id),
      admin_graphql_api_id: `gid://shopify/LineItem/${li.id}`,
      sku: li.sku,
      name: li.name,
      title: li.name,
      quantity: li.quantity,
      current_quantity: li.currentQuantity,
      requires_shipping: li.requiresShipping,
      price: li.unitPrice.amount,
      price_set: moneySet(li.unitPrice),
    })),
  });
}

/** A customers/update-shaped body (Shopify REST JSON) for a customer read by the sweep. */
export function customerWebhookBody(c: ShopifyCustomer): string {
  const defaultAddress = c.defaultAddress && { ...address(c.defaultAddress), customer_id: id(c.id), default: true };
  return toExactJson({
    id: id(c.id),
    admin_graphql_api_id: c.gid,
    email: c.email,
    phone: c.phone,
    first_name: c.firstName,
    last_name: c.lastName,
    state: c.state,
    tags: c.tags.join(', '),
    tax_exempt: c.taxExempt,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    addresses: defaultAddress ? [defaultAddress] : [],
    default_address: defaultAddress,
  });
}
