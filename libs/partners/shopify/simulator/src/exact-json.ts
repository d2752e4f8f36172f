/** A number written into JSON exactly as given (e.g. `0.0` or `89.99`, as Shopify's samples show them). */
export class RawNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a JSON number: ${text}`);
  }
}

/**
 * JSON.stringify for sandbox payloads whose ids are `bigint`s: a bigint is written as its exact digits, so a
 * 64-bit id such as 9007199254740993 reaches the receiver unrounded. Nothing here goes through a JS number.
 * `undefined` members are left out, as JSON.stringify does.
 */
export function toExactJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) return 'null';
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new Error(`unsafe integer ${value} in a payload: keep 64-bit ids as bigint`);
      }
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value instanceof RawNumber) return value.text;
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toExactJson(v))).join(',')}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined || typeof v === 'function') continue;
        parts.push(`${JSON.stringify(k)}:${toExactJson(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** `members` as an object whose keys are `keys` (space-separated), in that order: the member order of Shopify's samples and selections. */
export function inOrder(keys: string, members: object): Record<string, unknown> {
  const m = members as Record<string, unknown>;
  return Object.fromEntries(keys.split(' ').map((k) => [k, m[k]]));
}
