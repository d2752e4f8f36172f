import type { ShopifyAddress } from './address';

/**
 * The parts of Shopify's webhook bodies (REST shape, shopify.md §2) the accounting mapping reads, as produced by a
 * lossless parse (parseShopifyJson): ids and non-integer numbers are exact strings, money is strings.
 */
export interface ShopifyTaxLine {
  title?: string | null;
  price: string;
  rate?: string | number | null;
}

export interface ShopifyMoneySet {
  shop_money?: { amount: string; currency_code: string };
  presentment_money?: { amount: string; currency_code: string };
}

export interface ShopifyLineItem {
  id: string;
  sku?: string | null;
  title?: string | null;
  name?: string | null;
  quantity: number;
  current_quantity?: number | null;
  price: string;
  total_discount?: string | null;
  discount_allocations?: { amount: string }[] | null;
  tax_lines?: ShopifyTaxLine[] | null;
}

export interface ShopifyShippingLine {
  id?: string;
  title?: string | null;
  code?: string | null;
  price: string;
  discounted_price?: string | null;
  is_removed?: boolean | null;
  tax_lines?: ShopifyTaxLine[] | null;
  /** Discounts allocated to this shipping line (a free-shipping code); `price` minus these is what it charges. */
  discount_allocations?: { amount: string }[] | null;
}

export interface ShopifyCustomer {
  id: string;
  email?: string | null;
  phone?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  updated_at?: string | null;
  created_at?: string | null;
  currency?: string | null;
  default_address?: (ShopifyAddress & { company?: string | null }) | null;
}

export interface ShopifyRefundLineItem {
  id: string;
  line_item_id: string;
  quantity: number;
  subtotal: string | number;
  total_tax: string | number;
  line_item?: { id?: string; title?: string | null; name?: string | null; sku?: string | null; price?: string } | null;
}

export interface ShopifyRefund {
  id: string;
  order_id: string;
  created_at?: string | null;
  processed_at?: string | null;
  note?: string | null;
  refund_line_items?: ShopifyRefundLineItem[] | null;
  refund_shipping_lines?:
    { id?: string; amount?: string; subtotal_amount_set?: ShopifyMoneySet; tax_amount_set?: ShopifyMoneySet; shipping_line?: { title?: string } }[] | null;
  order_adjustments?: { id?: string; amount: string; tax_amount?: string; kind?: string; reason?: string }[] | null;
  transactions?: { kind?: string; status?: string; amount?: string }[] | null;
}

export interface ShopifyOrder {
  id: string;
  name?: string | null;
  order_number?: number | null;
  email?: string | null;
  contact_email?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  processed_at?: string | null;
  cancelled_at?: string | null;
  /** customer | fraud | inventory | declined | other (orders/cancelled). */
  cancel_reason?: string | null;
  currency: string;
  total_price: string;
  subtotal_price?: string | null;
  total_tax?: string | null;
  total_discounts?: string | null;
  current_total_price?: string | null;
  current_total_tax?: string | null;
  current_total_discounts?: string | null;
  current_shipping_price_set?: ShopifyMoneySet | null;
  total_shipping_price_set?: ShopifyMoneySet | null;
  taxes_included?: boolean | null;
  tax_lines?: ShopifyTaxLine[] | null;
  financial_status?: string | null;
  po_number?: string | null;
  customer?: ShopifyCustomer | null;
  billing_address?: ShopifyAddress | null;
  shipping_address?: ShopifyAddress | null;
  line_items: ShopifyLineItem[];
  shipping_lines?: ShopifyShippingLine[] | null;
  refunds?: ShopifyRefund[] | null;
}
