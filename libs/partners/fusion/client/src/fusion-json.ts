import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * Fusion REST bodies read without losing a digit. Oracle writes ids and amounts as JSON numbers: ids are 15–18 digit
 * integers (POHeaderId 300000012345678, beyond 2^53 on some pods) and amounts and quantities are decimals that a
 * double may not keep. `JSON.parse` would round both silently, so the client reads number tokens from their text:
 *
 * - an attribute whose name ends in `Id` (POHeaderId, LineLocationId, CustomerTransactionId, PartyId, ...): the
 *   digits as a string;
 * - an amount or quantity attribute (a name with the word Quantity, Price, Amount, Total, Percent or Rate:
 *   Quantity, QuantityReceived, Price, UnitSellingPrice, EnteredAmount, AllocatedFreightAmount, ...): the decimal
 *   text as a string, exactly as Oracle wrote it (read it with `Decimal.parse` from `@mlc/platform-decimal`);
 * - any other number (LineNumber, ScheduleNumber, offset, count): a JS number when it converts exactly, else its text
 *   as a string (never a rounded number).
 *
 * Only the client changes: the Fusion sandbox keeps answering JSON numbers, as Oracle does.
 */
const ID_ATTRIBUTE = /Id$/;
const DECIMAL_ATTRIBUTE = /(?:Quantity|Price|Amount|Total|Percent|Rate)(?![a-z])/;

export function isFusionIdAttribute(name: string): boolean {
  return ID_ATTRIBUTE.test(name);
}

export function isFusionDecimalAttribute(name: string): boolean {
  return DECIMAL_ATTRIBUTE.test(name);
}

function revive(key: string, value: unknown): unknown {
  if (!isLosslessNumber(value)) return value;
  const text = value.toString();
  if (ID_ATTRIBUTE.test(key) || DECIMAL_ATTRIBUTE.test(key)) return text;
  const n = Number(text);
  return Number.isFinite(n) && isExact(text, n) ? n : text;
}

/** True when the double `n` is exactly the decimal `text` (no digit lost, no integer beyond 2^53). */
function isExact(text: string, n: number): boolean {
  if (/^-?\d+$/.test(text)) return Number.isSafeInteger(n) && BigInt(text) === BigInt(n);
  return normalise(String(n)) === normalise(text);
}

/** A decimal text without exponent, sign of zero, leading zeros or trailing zeros after the point. */
function normalise(text: string): string {
  const m = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  let digits = m[2]! + (m[3] ?? '');
  let point = m[2]!.length + Number(m[4] ?? 0);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  const body = frac ? `${whole}.${frac}` : whole;
  return m[1] && /[1-9]/.test(body) ? `-${body}` : body;
}

/**
 * True when every number token of `text` is what `String()` of its double gives back (no digit a double would lose
 * or drop). Scans for a number where JSON allows one (after `:`, `,` or `[`, ending where a value ends): every number
 * token of a JSON text is seen; digits inside a string may be seen too (they only send the text down the slow path).
 */
function numbersRoundTrip(text: string): boolean {
  if (/^\s*-?\d/.test(text)) return false; // a bare number: leave it to the exact parser
  const end = text.length;
  NUMBER_START.lastIndex = 0;
  // The regex finds the candidates natively (no match objects with test()); each number is read by hand from there.
  while (NUMBER_START.test(text)) {
    let j = NUMBER_START.lastIndex;
    const start = j;
    if (text.charCodeAt(j) === 45) j++; // -
    let integer = true;
    if (text.charCodeAt(j) === 48) j++;
    else while (isDigit(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
      integer = false;
      j++;
      while (isDigit(text.charCodeAt(j))) j++;
    }
    const e = text.charCodeAt(j);
    if (e === 101 || e === 69) {
      let k = j + 1;
      const sign = text.charCodeAt(k);
      if (sign === 43 || sign === 45) k++;
      if (isDigit(text.charCodeAt(k))) {
        integer = false;
        j = k;
        while (isDigit(text.charCodeAt(j))) j++;
      }
    }
    const next = text.charCodeAt(j);
    if (j < end && next !== 44 && next !== 93 && next !== 125 && !isSpace(next)) continue; // not where a value ends: inside a string
    const token = text.slice(start, j);
    const n = Number(token);
    if (integer ? !Number.isSafeInteger(n) || token === '-0' : String(n) !== token) {
      NUMBER_START.lastIndex = 0;
      return false;
    }
    NUMBER_START.lastIndex = j;
  }
  return true;
}

/** Where a number may start: after `:`, `,` or `[` (and blanks), before `-` or a digit. */
const NUMBER_START = /[:,[]\s*(?=-?\d)/g;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** The fast path's revive: ids and amounts whose text is exactly `String()` of their double become that text. */
function toExactStrings(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object') toExactStrings(v);
    }
  } else if (value !== null && typeof value === 'object') {
    const row = value as Record<string, unknown>;
    for (const key in row) {
      const v = row[key];
      if (typeof v === 'number') {
        if (ID_ATTRIBUTE.test(key) || DECIMAL_ATTRIBUTE.test(key)) row[key] = String(v);
      } else if (v !== null && typeof v === 'object') toExactStrings(v);
    }
  }
  return value;
}

/**
 * A Fusion JSON body, ids and amounts as exact strings (see above). Throws SyntaxError for text that is not JSON.
 * Fast path (the usual body): when every number token round-trips through a double (`12.5`, `300000012345678`, not
 * `12.50`, `1e2` or an integer beyond 2^53), the native parser reads it and ids and amounts become `String()` of their
 * double, which is then their exact text; otherwise the token-exact parser reads it. Both give the same result.
 */
export function parseFusionJson<T = unknown>(text: string): T {
  if (numbersRoundTrip(text)) return toExactStrings(JSON.parse(text)) as T;
  return parseFusionJsonExact<T>(text);
}

/** The token-exact parser alone (lossless-json): what parseFusionJson's fast path must equal. */
export function parseFusionJsonExact<T = unknown>(text: string): T {
  return parse(text, revive) as T;
}

const NUMBER_TOKEN = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * JSON text of a record read with `parseFusionJson`, the way Oracle wrote it: id and amount attributes held as
 * strings go back out as bare number tokens with their exact digits (e.g. the `raw` copy of a PO in an event).
 *
 * Written by `writePlain` for plain data (what JSON.parse gives: objects, arrays, strings, numbers, booleans, null),
 * which gives JSON.stringify's text without a replacer function: a replacer called for every member made this the
 * poller's largest CPU cost (about half of its time per PO in the poller benchmark's profile). An id or amount
 * string that is no JSON number token (`007`, leading zeros) is written as the string it is (the token-exact writer
 * throws on it). Anything that is not plain data (a `toJSON`, a BigInt) goes to the token-exact writer.
 */
export function stringifyFusionJson(value: unknown): string {
  try {
    return writePlain(value, '') ?? 'null';
  } catch (err) {
    if (err !== NOT_PLAIN) throw err;
    return stringifyFusionJsonExact(value);
  }
}

const NOT_PLAIN = new Error('not plain JSON data');
/** A JSON number token (no leading zeros). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Per attribute name: is it an id or amount attribute (two regex tests once per name, not per value). */
const exactNames = new Map<string, boolean>();

function isExactName(name: string): boolean {
  let exact = exactNames.get(name);
  if (exact === undefined) {
    exact = ID_ATTRIBUTE.test(name) || DECIMAL_ATTRIBUTE.test(name);
    if (exactNames.size < 10_000) exactNames.set(name, exact);
  }
  return exact;
}

/** JSON.stringify's text of `value` (undefined where it gives undefined), id and amount strings as number tokens. */
function writePlain(value: unknown, key: string): string | undefined {
  switch (typeof value) {
    case 'string':
      // An id or amount written as a number token; one that is no JSON number (`007`) was a string, and stays one.
      return isExactName(key) && JSON_NUMBER.test(value) ? value : JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (writePlain(value[i], String(i)) ?? 'null');
        return `${out}]`;
      }
      let out = '{';
      let first = true;
      const row = value as Record<string, unknown>;
      for (const name of Object.keys(row)) {
        const member = writePlain(row[name], name);
        if (member === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(name)}:${member}`;
        first = false;
      }
      return `${out}}`;
    }
    case 'bigint':
      throw NOT_PLAIN;
    default:
      return undefined; // undefined, functions and symbols, left out as JSON.stringify leaves them out
  }
}

/** The token-exact writer alone (lossless-json): what stringifyFusionJson must equal. */
export function stringifyFusionJsonExact(value: unknown): string {
  const replacer = (key: string, v: unknown): unknown =>
    typeof v === 'string' && (ID_ATTRIBUTE.test(key) || DECIMAL_ATTRIBUTE.test(key)) && NUMBER_TOKEN.test(v) ? new LosslessNumber(v) : v;
  return stringify(value, replacer) ?? 'null';
}
