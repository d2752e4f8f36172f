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

/** Whether this runtime's JSON.parse gives revivers the source text (V8 ≥ 11.4, Node ≥ 21). */
const SOURCE_ACCESS = ((): boolean => {
  let ok = false;
  JSON.parse('1', (_k: string, v: unknown, context?: SourceContext) => ((ok = context?.source === '1'), v));
  return ok;
})();

/**
 * For runtimes without source access: the JSON text with every number token that a JS number could not hold exactly
 * (integers beyond 15 digits, decimals, exponents) turned into a string of its exact text; strings are left alone.
 */
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function quoteUnsafeNumbers(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)?.[0];
      if (!token) {
        out += ch; // not a number: JSON.parse reports it
        i += 1;
        continue;
      }
      const digits = token.replace(/^-/, '');
      out += /^\d+$/.test(digits) && digits.length <= 15 ? token : `"${token}"`;
      i += token.length;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

export function parseShopifyJson<T = unknown>(text: string): T {
  // Without source access the reviver would see rounded numbers: quote those first (never a lossy fallback).
  return JSON.parse(SOURCE_ACCESS ? text : quoteUnsafeNumbers(text), function (this: unknown, key: string, value: unknown, context?: SourceContext) {
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
