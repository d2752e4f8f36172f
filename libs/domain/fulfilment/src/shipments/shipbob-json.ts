/**
 * JSON.parse that keeps every number exactly as written (integers beyond 2^53 and decimals such as money come back
 * as their source text), so ids and amounts survive. Uses the reviver's `context.source` (V8 11.4+, Node 21+).
 */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === 'number' && context?.source !== undefined) {
      return Number.isSafeInteger(value) ? value : context.source;
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/** A JSON number or numeric string as a string (ids), or undefined. */
export function idString(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return undefined;
}

/** A JSON number or numeric string as a decimal string (money), or undefined. */
export function decimalString(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return v.trim();
  return undefined;
}
