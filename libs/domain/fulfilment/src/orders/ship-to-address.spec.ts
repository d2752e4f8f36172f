import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseOneLineAddress, readOneLineAddress, toRecipient } from './ship-to-address';

/** One fixed seed (FC_SEED overrides); a failure message names the seed and path to replay it. */
const SEED = Number(process.env['FC_SEED'] ?? 20261207);
const check = <T>(prop: fc.IProperty<T>, numRuns = 300): void => fc.assert(prop, { seed: SEED, numRuns });

const word = fc.stringMatching(/^[A-Z][a-z]{2,9}$/);
const street = fc.tuple(fc.integer({ min: 1, max: 99999 }), word, fc.constantFrom('St', 'Ave', 'Road', 'Pkwy', 'Blvd')).map(([n, w, s]) => `${n} ${w} ${s}`);
const unit = fc.tuple(fc.constantFrom('Suite', 'Dock', 'Bldg', 'Unit'), fc.integer({ min: 1, max: 999 })).map(([k, n]) => `${k} ${n}`);
const city = fc.array(word, { minLength: 1, maxLength: 2 }).map((w) => w.join(' '));
const state = fc.stringMatching(/^[A-Z]{2}$/);
const zip = fc.oneof(fc.stringMatching(/^\d{5}$/), fc.stringMatching(/^\d{5}-\d{4}$/));
/** How a country ends the line (Oracle writes the territory's name) and the ISO code it reads as. */
const country = fc.constantFrom(
  ['United States', 'US'],
  ['United States of America', 'US'],
  ['US', 'US'],
  ['Canada', 'CA'],
  ['United Kingdom', 'GB'],
  ['FRA', 'FR'],
  ['Germany', 'DE'],
  ['Australia', 'AU'],
);
const address = fc.record({
  address1: street,
  address2: fc.option(
    fc.array(unit, { minLength: 1, maxLength: 2 }).map((u) => u.join(', ')),
    { nil: null },
  ),
  city,
  state: fc.option(state, { nil: null }),
  postalCode: fc.option(zip, { nil: null }),
  county: fc.option(word, { nil: null }),
  country,
});
type Parts = typeof address extends fc.Arbitrary<infer T> ? T : never;

/** Oracle's one-line form: lines, city, `STATE ZIP`, county, the territory's name. */
function formatOneLine(a: Parts): string {
  const stateZip = [a.state, a.postalCode].filter(Boolean).join(' ');
  return [a.address1, a.address2, a.city, stateZip || null, stateZip ? a.county : null, a.country[0]].filter(Boolean).join(', ');
}

/** Strings that look like addresses in parts: commas, newlines, codes, digits, unicode, very long runs. */
const messy = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom(',', ', ', '\n', ' ', 'US', 'IL 60804', 'United States', 'Korea, Republic of', 'ÅLAND', '\u0000', '\uD800', 'X'.repeat(500)),
    ),
    { maxLength: 12 },
  )
  .map((xs) => xs.join(''));

describe("Fusion's one-line ship-to address (properties)", () => {
  it('property: formatting the parts the way Oracle does, then reading them, gives the same parts', () => {
    check(
      fc.property(address, (a) => {
        const text = formatOneLine(a);
        const read = readOneLineAddress(text);
        assert.ok(read.ok, `${text}: ${read.ok ? '' : read.reason}`);
        assert.deepEqual(
          read.address,
          { address1: a.address1, address2: a.address2, city: a.city, state: a.state, postalCode: a.postalCode, country: a.country[1] },
          text,
        );
        assert.deepEqual(toRecipient(text, 'LOC')?.city, a.city);
      }),
    );
  });

  it('property: any string reads without throwing; a failure always carries a reason and never half an address', () => {
    check(
      fc.property(fc.oneof(messy, fc.string({ unit: 'grapheme', maxLength: 200 })), (text) => {
        const read = readOneLineAddress(text);
        if (read.ok) {
          assert.ok(read.address.address1 && read.address.city && read.address.country, JSON.stringify(text));
          assert.match(read.address.country!, /^[A-Z]{2}$/);
          assert.deepEqual(parseOneLineAddress(text), read.address);
        } else {
          assert.ok(read.reason.length > 0);
          assert.equal(parseOneLineAddress(text), undefined);
        }
        toRecipient(text, null);
      }),
      500,
    );
  });

  it('says why an address cannot be read', () => {
    assert.deepEqual(readOneLineAddress('M1, 1 Dock Road'), {
      ok: false,
      reason: 'needs an address line, a city and a country separated by commas; found 2 part(s)',
    });
    assert.deepEqual(readOneLineAddress('5900 W Ogden Ave, Cicero, IL 60804, Cook, Atlantis'), {
      ok: false,
      reason: 'the last part "Atlantis" is not a country name or code',
    });
    // an address line with a number before the city is not a postal code
    assert.deepEqual(parseOneLineAddress('1 Main St, Suite 1, Dock 12, Springfield, United States'), {
      address1: '1 Main St',
      address2: 'Suite 1, Dock 12',
      city: 'Springfield',
      state: null,
      postalCode: null,
      country: 'US',
    });
    assert.deepEqual(readOneLineAddress(42), { ok: false, reason: 'not a text address: number' });
  });
});
