/**
 * JSON.parse for Shopify bodies without loss (shopify.md §2.4):
 * - every id-like field (`id`, `*_id`, `*_ids`, `orders_to_redact`, `orders_requested`) holding integers becomes a
 *   string of the exact digits, whatever its size, so ids have one type;
 * - any other integer beyond 2^53 becomes its exact digits as a string;
 * - any non-integer number (e.g. refund line `subtotal: 89.99`, tax `rate: 0.13`) becomes its exact source text,
 *   so money is never a binary float.
 * Safe integers elsewhere (quantities, grams, order_number) stay numbers. Uses JSON.parse's source-text access
 * (Node ≥ 21), so nothing passes through a JS number before it is converted.
 */
const ID_KEY = /(^|_)id$|_ids$|^orders_to_redact$|^orders_requested$/;

type SourceContext = { source?: string } | undefined;

export function parseShopifyJson<T = unknown>(text: string): T {
  return JSON.parse(text, function (this: unknown, key: string, value: unknown, context?: SourceContext) {
    if (typeof value === 'number') {
      const source = context?.source;
      if (source === undefined) return ID_KEY.test(key) && Number.isInteger(value) ? String(value) : value;
      const isInteger = /^-?\d+$/.test(source);
      if (!isInteger) return source;
      if (ID_KEY.test(key) || !Number.isSafeInteger(value)) return source;
      return value;
    }
    if (Array.isArray(value) && ID_KEY.test(key)) {
      return value.map((v: unknown) => (typeof v === 'number' ? String(v) : v));
    }
    return value;
  } as (key: string, value: unknown) => unknown) as T;
}
