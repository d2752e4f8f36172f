import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkJsonStructure } from './json-structure';
import { recordKeyOfWebhook } from './shopify-record-key';

describe('checkJsonStructure', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const ok of ['{}', '[]', '0', '-0.5e+10', '"a\\u00e9\\n"', ' {"a":[1,2,{"b":null}],"c":true,"d":false} ', '{"id":9007199254740993}']) {
      assert.equal(checkJsonStructure(ok), undefined, ok);
      assert.doesNotThrow(() => JSON.parse(ok));
    }
  });

  it('rejects what JSON.parse rejects, with a position', () => {
    for (const bad of ['', '{', '{"a":1,}', '[1 2]', '{"a" 1}', '{a:1}', '01', '1.', '"\\x"', '"a\nb"', '{"a":1}x', 'nul', '[-]', '{"a":1}{}']) {
      const p = checkJsonStructure(bad);
      assert.ok(p, `should reject ${JSON.stringify(bad)}`);
      assert.equal(typeof p.position, 'number');
      assert.throws(() => JSON.parse(bad));
    }
  });

  it('insists on an object when asked, and reports top-level scalars as source text', () => {
    assert.ok(checkJsonStructure('[1]', { topLevelObject: true }));
    const members = new Map<string, string>();
    assert.equal(
      checkJsonStructure('{"id": 9007199254740993, "name":"#1","nested":{"id":1},"updated_at":"2026-11-01T10:00:00-05:00"}', { topLevelObject: true, members }),
      undefined,
    );
    assert.deepEqual(
      [...members],
      [
        ['id', '9007199254740993'],
        ['name', '"#1"'],
        ['updated_at', '"2026-11-01T10:00:00-05:00"'],
      ],
    );
  });

  it('rejects nesting beyond the limit without overflowing the stack', () => {
    assert.ok(checkJsonStructure('['.repeat(100_000)));
  });
});

describe('recordKeyOfWebhook', () => {
  it('keys orders and customers by exact id and instant; other topics have none', () => {
    const body = '{"id":9007199254740993,"updated_at":"2026-11-01T05:00:00-05:00"}';
    assert.equal(
      recordKeyOfWebhook('Shop.myshopify.com', 'orders/updated', body),
      `shop.myshopify.com|order|9007199254740993|${Date.parse('2026-11-01T10:00:00Z')}`,
    );
    assert.equal(recordKeyOfWebhook('shop.myshopify.com', 'customers/update', body)?.split('|')[1], 'customer');
    assert.equal(recordKeyOfWebhook('shop.myshopify.com', 'refunds/create', body), null);
    assert.equal(recordKeyOfWebhook('shop.myshopify.com', 'customers/redact', body), null);
    assert.equal(recordKeyOfWebhook('shop.myshopify.com', 'orders/updated', '{"id":"x"}'), null);
  });
});
