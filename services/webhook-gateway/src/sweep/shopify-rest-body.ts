import { Decimal } from '@mlc/platform-decimal';
import type { ShopifyAddress, ShopifyCustomer, ShopifyMoney, ShopifyOrder, ShopifyTaxLine } from '@mlc/partners-shopify-client';
import { shopLocalTime } from './shop-time';

/** An integer written into JSON as its exact digits (Shopify ids exceed 2^53). */
class Digits {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new Error(`not an integer id: ${digits}`);
  }
}
const id = (digits: string): Digits => new Digits(digits);

/** JSON text where `Digits` become bare digits and a `Decimal` its plain number token (a tax `rate` such as 0.0725); nothing passes through a JS number. `undefined` members are left out. */
export function toExactJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Digits) return value.digits;
  if (value instanceof Decimal) return value.toString();
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

/** Shopify REST tax line: `price` and `price_set` strings, `rate` a JSON number as in webhooks. */
const taxLines = (lines: ShopifyTaxLine[]): Record<string, unknown>[] =>
  lines.map((t) => ({
    price: t.price.amount,
    rate: t.rate === null ? null : Decimal.parse(t.rate),
    title: t.title,
    price_set: moneySet(t.price),
  }));

/** Sum of decimal money strings of one currency, exact (the workspace's Decimal): keeps the larger scale of the inputs, at least 2. */
function addMoney(amounts: string[], currency: string): ShopifyMoney {
  const total = Decimal.sum(amounts);
  return { amount: total.round(Math.max(2, total.scale)).toString(), currency };
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
 * is present (see README "Sweep bodies"): ids as exact digits, money as decimal strings, times (created_at,
 * processed_at, updated_at, cancelled_at) in the shop's zone `timeZone` with their offset, as webhooks write them.
 * Discounts (total and per-line allocations), taxes_included, tax lines (order, line, shipping) and shipping lines
 * are in webhook shape, so the receivables mapping builds the same invoice as from the webhook.
 *
 * The order must be whole: a truncated one (ShopifyClient.completeOrder not run, or failed) would become an invoice
 * missing lines, so it throws instead.
 */
export function orderWebhookBody(o: ShopifyOrder, timeZone: string): string {
  if (o.lineItemsTruncated || o.shippingLinesTruncated) {
    throw new Error(`order ${o.id} is truncated (line items ${o.lineItemsTruncated}, shipping lines ${o.shippingLinesTruncated}): complete it first`);
  }
  const t = (utc: string): string => shopLocalTime(utc, timeZone);
  return toExactJson({
    id: id(o.id),
    admin_graphql_api_id: o.gid,
    name: o.name,
    email: o.email,
    contact_email: o.email,
    created_at: t(o.createdAt),
    updated_at: t(o.updatedAt),
    processed_at: t(o.processedAt),
    cancelled_at: o.cancelledAt === null ? null : t(o.cancelledAt),
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
    total_discounts: o.totalDiscounts.amount,
    total_discounts_set: moneySet(o.totalDiscounts),
    taxes_included: o.taxesIncluded,
    tax_lines: taxLines(o.taxLines),
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
      total_discount: lineDiscount(li.discountAllocations, o.currency).amount,
      total_discount_set: moneySet(lineDiscount(li.discountAllocations, o.currency)),
      tax_lines: taxLines(li.taxLines),
      discount_allocations: li.discountAllocations.map((a) => ({ amount: a.amount.amount, amount_set: moneySet(a.amount) })),
    })),
    shipping_lines: o.shippingLines.map((s) => ({
      id: s.id !== null && /^\d+$/.test(s.id) ? id(s.id) : undefined,
      title: s.title,
      code: s.code,
      price: s.originalPrice.amount,
      price_set: moneySet(s.originalPrice),
      discounted_price: s.discountedPrice.amount,
      discounted_price_set: moneySet(s.discountedPrice),
      is_removed: s.isRemoved,
      tax_lines: taxLines(s.taxLines),
    })),
  });
}

const lineDiscount = (allocations: Array<{ amount: ShopifyMoney }>, currency: string): ShopifyMoney =>
  addMoney(
    allocations.map((a) => a.amount.amount),
    currency,
  );

/** A customers/update-shaped body (Shopify REST JSON) for a customer read by the sweep; times in the shop's zone. */
export function customerWebhookBody(c: ShopifyCustomer, timeZone: string): string {
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
    created_at: shopLocalTime(c.createdAt, timeZone),
    updated_at: shopLocalTime(c.updatedAt, timeZone),
    addresses: defaultAddress ? [defaultAddress] : [],
    default_address: defaultAddress,
  });
}
