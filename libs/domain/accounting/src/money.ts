/**
 * Decimal money without floats: amounts are bigint minor units of a currency, read from and written to decimal
 * strings. ISO 4217 minor units: most currencies have 2 decimals, a few 0 or 3.
 */
const ZERO_DECIMALS = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMALS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

export function currencyDecimals(currency: string): number {
  const c = currency.toUpperCase();
  if (ZERO_DECIMALS.has(c)) return 0;
  if (THREE_DECIMALS.has(c)) return 3;
  return 2;
}

export class MoneyFormatError extends Error {}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Minor units of a decimal string ("404.95", "1200.0" for JPY, "-20"). Digits beyond the currency's precision must
 * be zeros (Shopify writes "0.0" and "1200.0"); anything else is refused rather than silently rounded.
 */
export function toMinor(amount: string | number, currency: string): bigint {
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new MoneyFormatError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const d = currencyDecimals(currency);
  const frac = m[3] ?? '';
  if (frac.length > d && /[1-9]/.test(frac.slice(d))) throw new MoneyFormatError(`${text} has more than ${d} decimals for ${currency}`);
  const minor = BigInt(m[2]! + frac.slice(0, d).padEnd(d, '0'));
  return m[1] ? -minor : minor;
}

/** The decimal string of minor units, with exactly the currency's decimals ("404.95", "1200", "1.250"). */
export function fromMinor(minor: bigint, currency: string): string {
  const d = currencyDecimals(currency);
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(d + 1, '0');
  const whole = d ? digits.slice(0, -d) : digits;
  const frac = d ? `.${digits.slice(-d)}` : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}

/** a * num / den rounded half away from zero (for prorating a tax or discount over quantities). */
export function prorate(minor: bigint, num: bigint, den: bigint): bigint {
  if (den === 0n) return 0n;
  const p = minor * num;
  const neg = p < 0n !== den < 0n;
  const a = p < 0n ? -p : p;
  const b = den < 0n ? -den : den;
  const q = (a * 2n + b) / (2n * b);
  return neg ? -q : q;
}

export function sum(values: Iterable<bigint>): bigint {
  let s = 0n;
  for (const v of values) s += v;
  return s;
}

/** Sums decimal strings of one currency exactly. */
export function addAmounts(amounts: string[], currency: string): string {
  return fromMinor(sum(amounts.map((a) => toMinor(a, currency))), currency);
}
