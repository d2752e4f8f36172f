import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseShopifyJson, quoteUnsafeNumbers } from './parse-shopify-json';
import { readShopifyWebhookHeaders, verifyShopifyWebhook } from './verify-shopify-webhook';

describe('verifyShopifyWebhook', () => {
  const body = '{"foo": "bar"}';
  const hmac = 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=';

  it('accepts the published vectors (shopify.md §6)', () => {
    assert.deepEqual(verifyShopifyWebhook({ rawBody: body, hmacHeader: hmac, secrets: ['test_secret_key'] }), { ok: true, secretIndex: 0 });
    assert.equal(
      verifyShopifyWebhook({
        rawBody: Buffer.from('{"foo":"bar"}'),
        hmacHeader: '+R9TwYM4mbLTk3hEAOBkpA7zW2lc9vNFmVKs2u2jtyY=',
        secrets: ['7008c5f4da4718b9b45d26d3fcbbb157'],
      }).ok,
      true,
    );
  });

  it('rejects a re-serialised body, a wrong secret, hex and junk', () => {
    const bad = (rawBody: string, hmacHeader: string, secrets = ['test_secret_key']): string => {
      const r = verifyShopifyWebhook({ rawBody, hmacHeader, secrets });
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(bad('{"foo":"bar"}', hmac), 'invalid_hmac');
    assert.equal(bad(body, hmac, ['other']), 'invalid_hmac');
    assert.equal(bad(body, Buffer.from(hmac, 'base64').toString('hex')), 'invalid_hmac');
    assert.equal(bad(body, `${hmac}junk`), 'invalid_hmac');
    assert.equal(bad(body, ''), 'missing_hmac');
    assert.equal(bad('', hmac), 'missing_body');
    assert.equal(bad(body, hmac, []), 'no_secrets');
  });

  it('accepts either secret during a rotation and says which matched', () => {
    const r = verifyShopifyWebhook({ rawBody: body, hmacHeader: hmac, secrets: ['new-secret', 'test_secret_key'] });
    assert.deepEqual(r, { ok: true, secretIndex: 1 });
  });

  it('reads headers case-insensitively, with or without the X- prefix', () => {
    assert.deepEqual(readShopifyWebhookHeaders({ 'X-Shopify-Topic': 'orders/create', 'x-shopify-hmac-sha256': 'h', 'shopify-webhook-id': 'w' }), {
      topic: 'orders/create',
      hmac: 'h',
      shopDomain: undefined,
      apiVersion: undefined,
      webhookId: 'w',
      eventId: undefined,
      triggeredAt: undefined,
      name: undefined,
    });
  });
});

describe('parseShopifyJson', () => {
  it('keeps ids above 2^53 exact where JSON.parse rounds them', () => {
    const text = '{"id":9007199254740993,"order_id":820982911946154508,"order_number":1001,"line_items":[{"id":1,"quantity":2}]}';
    assert.equal((JSON.parse(text) as { id: number }).id, 9007199254740992, 'plain JSON.parse is lossy');
    const parsed = parseShopifyJson<any>(text);
    assert.equal(parsed.id, '9007199254740993');
    assert.equal(parsed.order_id, '820982911946154508');
    assert.equal(parsed.order_number, 1001);
    assert.deepEqual(parsed.line_items, [{ id: '1', quantity: 2 }]);
  });

  it('turns id arrays, stray big integers and decimals into exact strings, leaving nulls alone', () => {
    const parsed = parseShopifyJson<any>(
      '{"orders_to_redact":[1,9007199254740993],"big":12345678901234567890,"subtotal":89.99,"zero":0.0,"user_id":null,"rate":1e2}',
    );
    assert.deepEqual(parsed.orders_to_redact, ['1', '9007199254740993']);
    assert.equal(parsed.big, '12345678901234567890');
    assert.equal(parsed.subtotal, '89.99');
    assert.equal(parsed.zero, '0.0');
    assert.equal(parsed.user_id, null);
    assert.equal(parsed.rate, '1e2');
  });

  it('without JSON.parse source access (Node < 21) the text is pre-quoted: ids and decimals stay exact, strings untouched', () => {
    const text = '{"id":9007199254740993,"note":"x \\" 9007199254740993 1.5","subtotal":89.99,"qty":-2,"rate":1e2,"ids":[1,820982911946154508]}';
    const parsed = JSON.parse(quoteUnsafeNumbers(text)) as Record<string, unknown>;
    assert.deepEqual(parsed, {
      id: '9007199254740993',
      note: 'x " 9007199254740993 1.5',
      subtotal: '89.99',
      qty: -2,
      rate: '1e2',
      ids: [1, '820982911946154508'],
    });
  });

  it('still rejects invalid JSON', () => {
    assert.throws(() => parseShopifyJson('{"id": 1'), SyntaxError);
  });
});
