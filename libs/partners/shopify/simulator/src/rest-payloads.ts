import { inOrder, RawNumber } from './exact-json';
import {
  lineTaxes,
  money,
  orderTaxLines,
  orderTotals,
  shippingCents,
  shopTime,
  type SimAddress,
  type SimCustomer,
  type SimOrder,
  type SimRefund,
} from './shopify.model';

/**
 * Webhook bodies in Shopify's REST shape, serialised for the subscription's API version (shopify.md §2).
 * Ids stay bigint until toExactJson writes them; money is a string except where Shopify's samples use numbers
 * (refund_line_items subtotal/total_tax).
 */
export interface PayloadContext {
  apiVersion: string;
  /** The shop's IANA time zone: every timestamp is written with its offset at that instant (shopTime). */
  shopTimeZone: string;
  customers: ReadonlyMap<bigint, SimCustomer>;
}

/** `unstable` sorts after every dated version. */
export function versionAtLeast(version: string, min: string): boolean {
  return version === 'unstable' || version >= min;
}

function set(cents: number, currency: string): Record<string, unknown> {
  const m = { amount: money(cents), currency_code: currency };
  return { shop_money: m, presentment_money: { ...m } };
}

function address(a: SimAddress | null): Record<string, unknown> | null {
  if (!a) return null;
  return {
    first_name: a.firstName,
    address1: a.address1,
    phone: a.phone,
    city: a.city,
    zip: a.zip,
    province: a.province,
    country: a.country,
    last_name: a.lastName,
    address2: a.address2,
    company: a.company,
    latitude: null,
    longitude: null,
    name: `${a.firstName} ${a.lastName}`,
    country_code: a.countryCode,
    province_code: a.provinceCode,
  };
}

/** A customer's address: the order address's members, with the id, the owner, and the codes also in country/province/country_name (a quirk of Shopify's customer samples that we mirror). */
function defaultAddress(c: SimCustomer): Record<string, unknown> | null {
  const a = c.address;
  if (!a) return null;
  const members = { ...address(a), id: a.id, customer_id: c.id, province: a.provinceCode, country: a.countryCode, country_name: a.countryCode, default: true };
  return inOrder(
    'id customer_id first_name last_name company address1 address2 city province country zip phone name province_code country_code country_name default',
    members,
  );
}

/** The customer as embedded in an order (2025-01+: no tags, marketing consent or purchase summary). */
function orderCustomer(c: SimCustomer, ctx: PayloadContext): Record<string, unknown> {
  const t = (ms: number): string => shopTime(ms, ctx.shopTimeZone);
  return {
    id: c.id,
    email: c.email,
    created_at: t(c.createdAtMs),
    updated_at: t(c.updatedAtMs),
    first_name: c.firstName,
    last_name: c.lastName,
    state: c.state,
    note: c.note,
    verified_email: c.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: c.taxExempt,
    phone: c.phone,
    currency: c.currency,
    tax_exemptions: [],
    admin_graphql_api_id: `gid://shopify/Customer/${c.id}`,
    default_address: defaultAddress(c),
  };
}

/** A customers/* body: the members of the order's customer plus `addresses`, in the order of Shopify's customer samples. */
export function customerPayload(c: SimCustomer, ctx: PayloadContext): Record<string, unknown> {
  const members = { ...orderCustomer(c, ctx), addresses: c.address ? [defaultAddress(c)] : [] };
  return inOrder(
    'id created_at updated_at first_name last_name state note verified_email multipass_identifier tax_exempt email phone currency addresses tax_exemptions admin_graphql_api_id default_address',
    members,
  );
}

/** Tax lines in REST shape, one per title: `rate` a JSON number (0.13), money strings. */
function taxLines(order: SimOrder, taxes: Array<{ title: string; rateBp: number; cents: number }>): Record<string, unknown>[] {
  return taxes.map((t) => ({
    price: money(t.cents),
    rate: t.rateBp / 10_000,
    title: t.title,
    price_set: set(t.cents, order.currency),
    channel_liable: false,
  }));
}

export function orderPayload(order: SimOrder, ctx: PayloadContext): Record<string, unknown> {
  const t = (ms: number | null): string | null => (ms === null ? null : shopTime(ms, ctx.shopTimeZone));
  const totals = orderTotals(order);
  const cur = order.currency;
  const customer = order.customerId === null ? undefined : ctx.customers.get(order.customerId);
  const v = ctx.apiVersion;
  const body: Record<string, unknown> = {
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: order.cancelReason,
    cancelled_at: t(order.cancelledAtMs),
    cart_token: null,
    checkout_id: versionAtLeast(v, '2026-04') ? undefined : order.checkoutId,
    checkout_token: null,
    confirmation_number: `SIM${order.orderNumber}`,
    confirmed: true,
    contact_email: order.email,
    created_at: t(order.createdAtMs),
    currency: cur,
    current_shipping_price_set: set(shippingCents(order), cur),
    current_subtotal_price: money(totals.currentSubtotal),
    current_subtotal_price_set: set(totals.currentSubtotal, cur),
    current_total_discounts: money(totals.currentDiscounts),
    current_total_discounts_set: set(totals.currentDiscounts, cur),
    current_total_duties_set: null,
    current_total_price: money(totals.currentTotal),
    current_total_price_set: set(totals.currentTotal, cur),
    current_total_tax: money(totals.currentTax),
    current_total_tax_set: set(totals.currentTax, cur),
    customer_locale: 'en-CA',
    duties_included: false,
    email: order.email,
    estimated_taxes: false,
    financial_status: order.financialStatus,
    fulfillment_status: order.fulfillmentStatus,
    merchant_business_entity_id: 'MTEwMDAwMDAx',
    name: `#${order.orderNumber}`,
    note: order.note,
    note_attributes: [],
    number: order.orderNumber - 1000,
    order_number: order.orderNumber,
    phone: order.phone,
    po_number: order.poNumber,
    presentment_currency: cur,
    processed_at: t(order.processedAtMs),
    source_name: 'web',
    subtotal_price: money(totals.subtotal),
    subtotal_price_set: set(totals.subtotal, cur),
    tags: order.tags.join(', '),
    tax_lines: taxLines(order, orderTaxLines(order)),
    taxes_included: order.taxesIncluded,
    test: order.test,
    total_cash_rounding_payment_adjustment_set: set(0, cur),
    total_cash_rounding_refund_adjustment_set: set(0, cur),
    total_discounts: money(totals.discounts),
    total_discounts_set: set(totals.discounts, cur),
    total_line_items_price: money(totals.lineItemsPrice),
    total_line_items_price_set: set(totals.lineItemsPrice, cur),
    total_outstanding: money(totals.outstanding),
    total_price: money(totals.total),
    total_price_set: set(totals.total, cur),
    total_shipping_price_set: set(shippingCents(order), cur),
    total_tax: money(totals.tax),
    total_tax_set: set(totals.tax, cur),
    total_weight: order.lineItems.reduce((s, li) => s + li.grams * li.quantity, 0),
    updated_at: t(order.updatedAtMs),
    billing_address: address(order.billingAddress),
    customer: customer ? orderCustomer(customer, ctx) : null,
    discount_applications: order.discount
      ? [
          {
            target_type: 'line_item',
            type: 'discount_code',
            value: money(order.discount.cents),
            value_type: 'fixed_amount',
            allocation_method: 'across',
            target_selection: 'all',
            code: order.discount.code,
          },
        ]
      : [],
    discount_codes: order.discount ? [{ code: order.discount.code, amount: money(order.discount.cents), type: 'fixed_amount' }] : [],
    fulfillments: [],
    line_items: order.lineItems.map((li) => ({
      id: li.id,
      admin_graphql_api_id: `gid://shopify/LineItem/${li.id}`,
      current_quantity: li.currentQuantity,
      fulfillable_quantity: li.currentQuantity,
      fulfillment_service: 'manual',
      fulfillment_status: null,
      gift_card: false,
      grams: li.grams,
      name: li.title,
      price: money(li.priceCents),
      price_set: set(li.priceCents, cur),
      product_exists: li.productId !== null,
      product_id: li.productId,
      properties: [],
      quantity: li.quantity,
      requires_shipping: li.requiresShipping,
      sales_line_item_group_id: null,
      sku: li.sku,
      taxable: li.taxable,
      title: li.title,
      total_discount: money(li.discountCents),
      total_discount_set: set(li.discountCents, cur),
      variant_id: li.variantId,
      variant_inventory_management: li.variantId === null ? null : 'shopify',
      variant_title: null,
      vendor: 'ML Connector Demo',
      tax_lines: taxLines(order, lineTaxes(order, li)),
      duties: [],
      discount_allocations: li.discountCents
        ? [{ amount: money(li.discountCents), amount_set: set(li.discountCents, cur), discount_application_index: 0 }]
        : [],
    })),
    line_item_groups: versionAtLeast(v, '2025-10') ? [] : undefined,
    payment_terms: null,
    refunds: order.refunds.map((r) => refundPayload(order, r, ctx)),
    shipping_address: address(order.shippingAddress),
    shipping_lines: order.shippingLines.map((sl) => ({
      id: sl.id,
      carrier_identifier: null,
      code: sl.code,
      current_discounted_price_set: set(sl.cents, cur),
      discounted_price: money(sl.cents),
      discounted_price_set: set(sl.cents, cur),
      is_removed: false,
      phone: null,
      price: money(sl.cents),
      price_set: set(sl.cents, cur),
      source: 'shopify',
      title: sl.title,
      tax_lines: taxLines(order, lineTaxes(order, sl)),
      discount_allocations: [],
    })),
    returns: [],
  };
  return body;
}

export function refundPayload(order: SimOrder, r: SimRefund, ctx: PayloadContext): Record<string, unknown> {
  const t = (ms: number): string => shopTime(ms, ctx.shopTimeZone);
  const cur = order.currency;
  const num = (cents: number): RawNumber => new RawNumber(cents % 100 === 0 ? `${cents / 100}.0` : money(cents));
  return {
    id: r.id,
    order_id: order.id,
    created_at: t(r.createdAtMs),
    note: r.note,
    user_id: null,
    processed_at: t(r.createdAtMs),
    duties: [],
    total_duties_set: set(0, cur),
    return: null,
    refund_shipping_lines: [],
    restock: r.restock,
    admin_graphql_api_id: `gid://shopify/Refund/${r.id}`,
    order_adjustments: [],
    refund_line_items: r.lines.map((l) => {
      const li = order.lineItems.find((x) => x.id === l.lineItemId);
      return {
        id: l.id,
        quantity: l.quantity,
        line_item_id: l.lineItemId,
        location_id: null,
        restock_type: r.restock ? 'return' : 'no_restock',
        subtotal: num(l.subtotalCents),
        total_tax: num(l.taxCents),
        subtotal_set: set(l.subtotalCents, cur),
        total_tax_set: set(l.taxCents, cur),
        line_item: li ? { id: li.id, sku: li.sku, name: li.title, quantity: li.quantity, price: money(li.priceCents) } : null,
      };
    }),
    transactions: [
      {
        id: r.transactionId,
        order_id: order.id,
        kind: 'refund',
        gateway: 'bogus',
        status: 'success',
        message: 'Bogus Gateway: Forced success',
        created_at: t(r.createdAtMs),
        test: order.test,
        authorization: null,
        location_id: null,
        user_id: null,
        parent_id: null,
        processed_at: t(r.createdAtMs),
        device_id: null,
        error_code: null,
        source_name: 'web',
        receipt: {},
        amount: money(r.amountCents),
        currency: null,
        payment_id: `c${order.id}.2`,
        total_unsettled_set: {
          presentment_money: { amount: '0.0', currency: 'XXX' },
          shop_money: { amount: '0.0', currency: 'XXX' },
        },
        manual_payment_gateway: false,
        amount_rounding: null,
        admin_graphql_api_id: `gid://shopify/OrderTransaction/${r.transactionId}`,
      },
    ],
  };
}
