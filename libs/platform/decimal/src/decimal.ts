/**
 * Exact decimal numbers for money and quantities: a bigint of units and a scale (digits after the point), read from
 * and written to decimal strings. No floats anywhere: `Decimal.parse('0.1').add(Decimal.parse('0.2'))` is `0.3`.
 */
export class DecimalFormatError extends Error {
  override readonly name: string = 'DecimalFormatError';
}

const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Digits a JSON number or a partner's exponent may shift by; beyond that the text is refused rather than expanded. */
const MAX_EXPONENT = 400;

export class Decimal {
  private constructor(
    /** The value times 10^scale. */
    readonly units: bigint,
    /** Digits after the decimal point (0 or more). */
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  static of(units: bigint, scale = 0): Decimal {
    if (!Number.isInteger(scale) || scale < 0) throw new DecimalFormatError(`scale must be a whole number >= 0: ${scale}`);
    return new Decimal(units, scale);
  }

  /**
   * A decimal from its text (`"404.95"`, `"-20"`, `"1200.0"`, `"1e-7"`, as JSON writes numbers) or from a JS number
   * (read through its shortest round-trip text, so `0.1` is exactly 0.1). Trailing zeros are kept in the scale.
   */
  static parse(value: string | number | bigint | Decimal): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'bigint') return new Decimal(value, 0);
    if (typeof value === 'number' && !Number.isFinite(value)) throw new DecimalFormatError(`not a finite number: ${value}`);
    const text = typeof value === 'number' ? String(value) : value.trim();
    const m = DECIMAL_TEXT.exec(text);
    if (!m) throw new DecimalFormatError(`not a decimal number: ${JSON.stringify(value)}`);
    const whole = m[2]!;
    const frac = m[3] ?? '';
    const exp = m[4] === undefined ? 0 : Number(m[4]);
    if (Math.abs(exp) > MAX_EXPONENT) throw new DecimalFormatError(`exponent out of range: ${JSON.stringify(value)}`);
    let units = BigInt(whole + frac);
    let scale = frac.length - exp;
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(m[1] === '-' ? -units : units, scale);
  }

  /** Like `parse`, but undefined for anything that is not a decimal (for optional partner fields). */
  static tryParse(value: unknown): Decimal | undefined {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint' && !(value instanceof Decimal)) return undefined;
    try {
      return Decimal.parse(value);
    } catch {
      return undefined;
    }
  }

  static sum(values: Iterable<Decimal | string | number>): Decimal {
    let s = Decimal.ZERO;
    for (const v of values) s = s.add(Decimal.parse(v));
    return s;
  }

  /** The units of this value at a larger (or equal) scale. */
  private unitsAt(scale: number): bigint {
    return this.units * 10n ** BigInt(scale - this.scale);
  }

  add(other: Decimal | string | number): Decimal {
    const o = Decimal.parse(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.unitsAt(scale) + o.unitsAt(scale), scale);
  }

  sub(other: Decimal | string | number): Decimal {
    return this.add(Decimal.parse(other).neg());
  }

  mul(other: Decimal | string | number): Decimal {
    const o = Decimal.parse(other);
    return new Decimal(this.units * o.units, this.scale + o.scale);
  }

  neg(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1. */
  cmp(other: Decimal | string | number): -1 | 0 | 1 {
    const o = Decimal.parse(other);
    const scale = Math.max(this.scale, o.scale);
    const a = this.unitsAt(scale);
    const b = o.unitsAt(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(other: Decimal | string | number): boolean {
    return this.cmp(other) === 0;
  }

  lt(other: Decimal | string | number): boolean {
    return this.cmp(other) < 0;
  }

  gt(other: Decimal | string | number): boolean {
    return this.cmp(other) > 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  isInteger(): boolean {
    return this.normalize().scale === 0;
  }

  /** Rounded half away from zero to `scale` digits (exact when the value already has that many or fewer). */
  round(scale: number): Decimal {
    if (scale >= this.scale) return new Decimal(this.unitsAt(scale), scale);
    const div = 10n ** BigInt(this.scale - scale);
    const a = this.units < 0n ? -this.units : this.units;
    const q = (a * 2n + div) / (2n * div);
    return new Decimal(this.units < 0n ? -q : q, scale);
  }

  /** The same value at the smallest scale (no trailing zeros after the point). */
  normalize(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale--;
    }
    return new Decimal(units, scale);
  }

  /** Plain decimal text with exactly `scale` digits after the point (never exponent notation): "404.95", "1200", "1.250". */
  toString(): string {
    const neg = this.units < 0n;
    const digits = (neg ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const whole = this.scale ? digits.slice(0, -this.scale) : digits;
    const frac = this.scale ? `.${digits.slice(-this.scale)}` : '';
    return `${neg ? '-' : ''}${whole}${frac}`;
  }

  /** The shortest plain text of the value ("2.5" for 2.50, "3" for 3.000). */
  toPlainString(): string {
    return this.normalize().toString();
  }

  /**
   * A JS number, for a partner body that takes JSON numbers. Refused (DecimalFormatError) when the number would not
   * read back as the same decimal, so no digit is ever dropped silently.
   */
  toNumber(): number {
    const n = Number(this.toPlainString());
    if (!Decimal.parse(n).eq(this)) throw new DecimalFormatError(`${this.toPlainString()} has more digits than a JSON number keeps exactly`);
    return n;
  }

  toJSON(): string {
    return this.toString();
  }
}
