import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { amountMinor } from './shipbob.client';
import { ShipbobUnavailableError } from './shipbob.errors';

describe('ShipBob transaction amounts in minor units', () => {
  it('converts at the currency’s ISO 4217 precision, not always at the cent', () => {
    assert.equal(amountMinor(4.85, 'USD'), 485);
    assert.equal(amountMinor(0.1 + 0.2, 'USD'), 30);
    assert.equal(amountMinor(1500, 'JPY'), 1500);
    assert.equal(amountMinor(1.234, 'KWD'), 1234);
    assert.equal(amountMinor('12.5', 'BHD'), 12500);
    assert.equal(amountMinor(-2.005, 'EUR'), -201);
  });

  it('an amount that is not a number is a clear error, not NaN', () => {
    for (const bad of [undefined, null, 'abc', {}]) {
      assert.throws(
        () => amountMinor(bad, 'USD'),
        (e: unknown) => e instanceof ShipbobUnavailableError && /transaction amount that is not a number/.test(e.message),
      );
    }
  });
});
