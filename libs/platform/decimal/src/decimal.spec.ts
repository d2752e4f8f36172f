import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addAmounts, currencyDecimals, Decimal, DecimalFormatError, fromMinor, MoneyFormatError, prorate, toMinor, toMinorRounded } from './index';

/** One fixed seed for every property (FC_SEED overrides); fast-check names the seed and path of a failure in its message. */
const SEED = Number(process.env['FC_SEED'] ?? 20261207);
const check = <T>(prop: fc.IPropertyWithHooks<T> | fc.IProperty<T>, numRuns = 300): void => fc.assert(prop, { seed: SEED, numRuns });

/** Decimal texts as partners write them: sign, up to 20 whole digits, 0–6 decimals (trailing zeros included). */
const decimalText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 6 }))
  .map(([neg, units, scale]) => Decimal.of(neg ? -units : units, scale).toString());
const CURRENCIES = ['JPY', 'KRW', 'USD', 'EUR', 'KWD', 'BHD'] as const;

describe('Decimal', () => {
  it('reads decimal and JSON number texts exactly and writes them back without floats', () => {
    assert.equal(Decimal.parse('0.1').add('0.2').toString(), '0.3');
    assert.equal(Decimal.parse(0.1).add(0.2).toString(), '0.3');
    assert.equal(Decimal.parse('1200.0').toString(), '1200.0');
    assert.equal(Decimal.parse('1200.0').toPlainString(), '1200');
    assert.equal(Decimal.parse('1e-7').toString(), '0.0000001');
    assert.equal(Decimal.parse('2.5E3').toString(), '2500');
    assert.equal(Decimal.parse(' -20 ').toString(), '-20');
    assert.equal(Decimal.parse('9007199254740993').add(1).toString(), '9007199254740994');
    assert.equal(Decimal.parse('1.005').round(2).toString(), '1.01');
    assert.equal(Decimal.parse('-1.005').round(2).toString(), '-1.01');
    assert.equal(Decimal.parse('2.50').mul('3').toString(), '7.50');
    assert.ok(Decimal.parse('2.50').eq('2.5'));
    assert.ok(Decimal.parse('10').gt('9.999'));
  });

  it('refuses what is not a decimal with a DecimalFormatError naming the input', () => {
    for (const bad of ['', 'abc', '1,5', '1.2.3', '.5', '5.', '+1', 'NaN', '1e999', '0x10']) {
      assert.throws(
        () => Decimal.parse(bad),
        (e: unknown) => e instanceof DecimalFormatError && e.message.includes(JSON.stringify(bad)),
        bad,
      );
    }
    assert.throws(() => Decimal.parse(Number.NaN), DecimalFormatError);
    assert.equal(Decimal.tryParse('x'), undefined);
    assert.equal(Decimal.tryParse(null), undefined);
  });

  it('toNumber refuses a value a JSON number would not keep exactly', () => {
    assert.equal(Decimal.parse('4.85').toNumber(), 4.85);
    assert.throws(() => Decimal.parse('9007199254740993').toNumber(), DecimalFormatError);
  });

  it('property: text → Decimal → text is the identity, and never throws on its own output', () => {
    check(fc.property(decimalText, (t) => Decimal.parse(t).toString() === t));
  });

  it('property: addition is exact (matches bigint arithmetic at a common scale), commutative and undone by sub', () => {
    check(
      fc.property(decimalText, decimalText, (a, b) => {
        const x = Decimal.parse(a);
        const y = Decimal.parse(b);
        const s = x.add(y);
        const scale = Math.max(x.scale, y.scale);
        const expected = x.units * 10n ** BigInt(scale - x.scale) + y.units * 10n ** BigInt(scale - y.scale);
        return s.units === expected && s.scale === scale && s.eq(y.add(x)) && s.sub(y).eq(x);
      }),
    );
  });

  it('property: a sum of many amounts does not drift, whatever the order', () => {
    check(
      fc.property(fc.array(decimalText, { maxLength: 40 }), (texts) => {
        const forward = Decimal.sum(texts);
        const backward = Decimal.sum([...texts].reverse());
        // 0.1 added ten times is 1, exactly
        return forward.eq(backward) && Decimal.sum(texts.concat(texts)).eq(forward.mul(2));
      }),
    );
    assert.equal(Decimal.sum(Array.from({ length: 10 }, () => '0.1')).toPlainString(), '1');
  });

  it('property: rounding moves a value by at most half a unit of the target scale', () => {
    check(
      fc.property(decimalText, fc.integer({ min: 0, max: 6 }), (t, scale) => {
        const d = Decimal.parse(t);
        const diff = d.round(scale).sub(d).abs();
        return diff.mul(2).cmp(Decimal.of(1n, scale)) <= 0;
      }),
    );
  });
});

describe('money in minor units (ISO 4217)', () => {
  it('knows 0-, 2- and 3-decimal currencies', () => {
    assert.deepEqual(['JPY', 'jpy', 'USD', 'EUR', 'KWD', 'BHD', 'XYZ'].map(currencyDecimals), [0, 0, 2, 2, 3, 3, 2]);
    assert.equal(toMinor('404.95', 'USD'), 40495n);
    assert.equal(toMinor('1200.0', 'JPY'), 1200n);
    assert.equal(toMinor('1.25', 'KWD'), 1250n);
    assert.equal(fromMinor(1250n, 'KWD'), '1.250');
    assert.equal(fromMinor(-5n, 'USD'), '-0.05');
    assert.equal(addAmounts(['0.1', '0.2', '0.005'], 'BHD'), '0.305');
    assert.equal(prorate(1000n, 1n, 3n), 333n);
    assert.equal(prorate(-1000n, 2n, 3n), -667n);
  });

  it('refuses digits beyond the currency, and words, with a MoneyFormatError', () => {
    assert.throws(
      () => toMinor('1.005', 'USD'),
      (e: unknown) => e instanceof MoneyFormatError && /more than 2 decimals for USD/.test(e.message),
    );
    assert.throws(() => toMinor('1.5', 'JPY'), MoneyFormatError);
    assert.throws(
      () => toMinor('ten', 'USD'),
      (e: unknown) => e instanceof MoneyFormatError && e.message.includes('"ten"'),
    );
    // ShipBob's float amounts: rounded at the currency's precision, not at the cent
    assert.equal(toMinorRounded(4.85, 'USD'), 485n);
    assert.equal(toMinorRounded(1.2345, 'KWD'), 1235n);
    assert.equal(toMinorRounded(1500, 'JPY'), 1500n);
  });

  it('property: minor units → decimal string → minor units round-trips for 0/2/3-decimal currencies', () => {
    check(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.constantFrom(...CURRENCIES), (minor, cur) => {
        const text = fromMinor(minor, cur);
        const places = currencyDecimals(cur);
        return toMinor(text, cur) === minor && (places === 0 ? !text.includes('.') : text.split('.')[1]!.length === places);
      }),
    );
  });

  it('property: the minor units of a sum are the sum of the minor units (no drift at the cent)', () => {
    check(
      fc.property(fc.constantFrom(...CURRENCIES), fc.array(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), { maxLength: 30 }), (cur, minors) => {
        const texts = minors.map((m) => fromMinor(m, cur));
        return toMinor(addAmounts(texts, cur), cur) === minors.reduce((a, b) => a + b, 0n);
      }),
    );
  });

  it('property: prorating a total over parts never loses or invents more than half a minor unit per part', () => {
    check(
      fc.property(
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        fc.array(fc.bigInt({ min: 1n, max: 1000n }), { minLength: 1, maxLength: 20 }),
        (total, weights) => {
          const den = weights.reduce((a, b) => a + b, 0n);
          const shares = weights.map((w) => prorate(total, w, den));
          const drift = shares.reduce((a, b) => a + b, 0n) - total;
          return (drift < 0n ? -drift : drift) * 2n <= BigInt(weights.length);
        },
      ),
    );
  });
});
