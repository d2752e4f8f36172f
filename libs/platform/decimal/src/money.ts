import { Decimal, DecimalFormatError } from './decimal';

/**
 * Money as exact minor units (bigint) of a currency. ISO 4217 minor units: most currencies have 2 decimals, a few 0
 * (JPY, KRW, ...) or 3 (KWD, BHD, ...). Source: the ISO 4217 list of currency codes and minor units (List One),
 * https://www.six-group.com/en/products-services/financial-information/data-standards.html
 */
const ZERO_DECIMALS = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMALS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** Digits after the point of a currency's minor unit (ISO 4217): 0, 2 (the default) or 3. */
export function currencyDecimals(currency: string): number {
  const c = currency.trim().toUpperCase();
  if (ZERO_DECIMALS.has(c)) return 0;
  if (THREE_DECIMALS.has(c)) return 3;
  return 2;
}

export class MoneyFormatError extends DecimalFormatError {
  override readonly name = 'MoneyFormatError';
}

/**
 * Minor units of an amount ("404.95" USD is 40495n, "1200.0" JPY 1200n, "1.250" KWD 1250n). Digits beyond the
 * currency's precision must be zeros (Shopify writes "0.0" and "1200.0"); anything else is refused rather than
 * silently rounded. A JS number is read through its shortest text (0.1 is 0.1).
 */
export function toMinor(amount: string | number | Decimal, currency: string): bigint {
  let d: Decimal;
  try {
    d = Decimal.parse(amount);
  } catch {
    throw new MoneyFormatError(`not a decimal amount: ${JSON.stringify(amount instanceof Decimal ? amount.toString() : amount)}`);
  }
  const places = currencyDecimals(currency);
  const r = d.round(places);
  if (!r.eq(d)) throw new MoneyFormatError(`${d.toString()} has more than ${places} decimals for ${currency}`);
  return r.units;
}

/** Minor units of an amount rounded half away from zero to the currency's precision (for a partner's float). */
export function toMinorRounded(amount: string | number | Decimal, currency: string): bigint {
  return Decimal.parse(amount).round(currencyDecimals(currency)).units;
}

/** The decimal of minor units, at the currency's scale. */
export function minorToDecimal(minor: bigint, currency: string): Decimal {
  return Decimal.of(minor, currencyDecimals(currency));
}

/** The decimal string of minor units, with exactly the currency's decimals ("404.95", "1200", "1.250"). */
export function fromMinor(minor: bigint, currency: string): string {
  return minorToDecimal(minor, currency).toString();
}

/** minor * num / den rounded half away from zero (for prorating a tax or discount over quantities). */
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

/** Sums decimal strings of one currency exactly, written at the currency's scale. */
export function addAmounts(amounts: string[], currency: string): string {
  return fromMinor(sum(amounts.map((a) => toMinor(a, currency))), currency);
}
