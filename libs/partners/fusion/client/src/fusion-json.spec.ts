import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFusionJson, parseFusionJsonExact, stringifyFusionJson, stringifyFusionJsonExact } from './fusion-json';

const FIXTURES = join(process.cwd(), 'test/fixtures/fusion');

describe('Fusion JSON, read losslessly', () => {
  it('reads ids as digit strings and amounts as their exact decimal text, other numbers as numbers', () => {
    const body = parseFusionJson<Record<string, unknown>>(
      '{"POHeaderId":300000012345678901,"LineNumber":1,"Quantity":12.50,"Price":0.1,"UnitSellingPrice":19.999999999999999999,' +
        '"EnteredAmount":-4.00,"offset":0,"hasMore":false,"Odd":12345678901234567890,"Ratio":0.5,"items":[{"PartyId":1}]}',
    );
    assert.deepEqual(body, {
      POHeaderId: '300000012345678901',
      LineNumber: 1,
      Quantity: '12.50',
      Price: '0.1',
      UnitSellingPrice: '19.999999999999999999',
      EnteredAmount: '-4.00',
      offset: 0,
      hasMore: false,
      // not an id or amount attribute, but a double would round it: kept as its text
      Odd: '12345678901234567890',
      Ratio: 0.5,
      items: [{ PartyId: '1' }],
    });
  });

  it('refuses text that is not JSON with a SyntaxError (the client turns it into FusionBadResponseError)', () => {
    assert.throws(() => parseFusionJson('<html>Service Unavailable</html>'), SyntaxError);
    assert.throws(() => parseFusionJson('{"a":1,}'), SyntaxError);
  });

  it('writes a parsed body back with the same number tokens', () => {
    const text = '{"POHeaderId":300000012345678901,"OrderNumber":"1001","Quantity":12.50,"lines":[{"POLineId":7,"Price":0.30}]}';
    assert.equal(stringifyFusionJson(parseFusionJson(text)), text);
  });

  it("every published Fusion fixture parses; its ids come out as strings with the digits of Oracle's text", () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    assert.ok(files.length > 0, 'fixtures present');
    for (const f of files) {
      const text = readFileSync(join(FIXTURES, f), 'utf8');
      const parsed = parseFusionJson(text);
      const ids = [...text.matchAll(/"(\w+Id)"\s*:\s*(-?\d+)/g)].map((m) => m[2]!);
      const found: string[] = [];
      const walk = (v: unknown, key = ''): void => {
        if (Array.isArray(v)) v.forEach((x) => walk(x));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
        else if (/Id$/.test(key) && typeof v === 'string' && /^-?\d+$/.test(v)) found.push(v);
        else if (/Id$/.test(key)) assert.notEqual(typeof v, 'number', `${f}: ${key} is not a number`);
      };
      walk(parsed);
      assert.deepEqual(found, ids, f);
    }
  });

  it('the native fast path reads and writes exactly what the token-exact parser and writer do', () => {
    const bodies = [
      '{"POHeaderId":300000012345678,"LineNumber":1,"Quantity":12.5,"Price":0.1,"Total":-4,"offset":0,"Ratio":0.5,"items":[{"PartyId":1,"n":[1,2.25]}]}',
      '{"POHeaderId":300000012345678901,"Quantity":12.50}', // beyond 2^53, a trailing zero: the exact parser
      '{"Price":1e2,"Amount":-0,"x":"a:1.50,","LastUpdateDate":"2026-12-06T18:19:22.015+00:00","href":"http://127.0.0.1:45735/x/300100000000013"}',
      '{"SupplierSiteId":"12","Quantity":"12.50","Price":"1e2","nested":{"deeper":[{"TaxRate":7.25,"Rate":[1.10]}]}}',
      ...readdirSync(FIXTURES)
        .filter((f) => f.endsWith('.json'))
        .map((f) => readFileSync(join(FIXTURES, f), 'utf8')),
    ];
    for (const text of bodies) {
      const parsed = parseFusionJson(text);
      assert.deepEqual(parsed, parseFusionJsonExact(text), text.slice(0, 80));
      assert.equal(stringifyFusionJson(parsed), stringifyFusionJsonExact(parsed), text.slice(0, 80));
    }
  });

  it('writes plain data as JSON.stringify does, an id that is no number token as a string; anything else goes to the token-exact writer', () => {
    const plain = { a: undefined, b: [undefined, null, () => 1, 'x"y\u2028'], c: true, d: false, n: [1e21, -0, 0.1, NaN], s: '12.50', e: {} };
    assert.equal(stringifyFusionJson(plain), JSON.stringify(plain));
    assert.equal(stringifyFusionJson(undefined), 'null');
    assert.equal(stringifyFusionJson('x'), '"x"');
    // An id with leading zeros is no JSON number token: it was a string, and is written as one.
    assert.equal(stringifyFusionJson({ SupplierId: '007', Quantity: '1.5' }), '{"SupplierId":"007","Quantity":1.5}');
    // A toJSON (a Date) is not plain data: the token-exact writer.
    const odd = { LastUpdateDate: new Date(0), POHeaderId: '300000012345678901' };
    assert.equal(stringifyFusionJson(odd), stringifyFusionJsonExact(odd));
    assert.equal(stringifyFusionJson({ Quantity: '12.50', PartyId: '-0', Percent: '1e400' }), '{"Quantity":12.50,"PartyId":-0,"Percent":1e400}');
  });
});
