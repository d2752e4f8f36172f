import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifyShipbobWebhook } from './shipbob-webhook.verifier';
import { join } from 'node:path';
import { REPO_ROOT } from '@mlc/platform-testing';
import { STANDARD_WEBHOOKS_VECTORS } from './fixtures/standard-webhooks.vectors';

// The published vectors, byte for byte (test/fixtures/shipbob/SOURCES.md).
const SHARED_VECTORS = join(REPO_ROOT, 'test/fixtures/shipbob/signature-test-vectors.standard-webhooks.json');
const base = STANDARD_WEBHOOKS_VECTORS[0]!;

function headersOf(v: { webhookId: string; timestampSec: number | string; signatureHeader: string }): Record<string, string> {
  return { 'webhook-id': v.webhookId, 'webhook-timestamp': String(v.timestampSec), 'webhook-signature': v.signatureHeader, 'x-webhook-topic': 'order.shipped' };
}

describe('verifyShipbobWebhook', () => {
  for (const v of STANDARD_WEBHOOKS_VECTORS) {
    it(`published vector: ${v.name} -> ${v.expectValid ? 'valid' : 'invalid'} (time frozen)`, () => {
      const result = verifyShipbobWebhook({ rawBody: v.body, headers: headersOf(v), secrets: [v.secret], nowSec: v.timestampSec });
      assert.equal(result.ok, v.expectValid, JSON.stringify(result));
      if (result.ok) {
        assert.equal(result.webhookId, v.webhookId);
        assert.equal(result.topic, 'order.shipped');
      } else {
        assert.ok(['signature_mismatch', 'no_v1_signature'].includes(result.reason));
      }
    });
  }

  it('carries the same vectors as the published file', () => {
    const shared = (
      JSON.parse(readFileSync(SHARED_VECTORS, 'utf8')) as { vectors: Array<{ name: string; webhook_signature_header?: string; expected_signature?: string }> }
    ).vectors;
    assert.deepEqual(
      shared.map((s) => [s.name, s.webhook_signature_header ?? s.expected_signature]),
      STANDARD_WEBHOOKS_VECTORS.map((v) => [v.name, v.signatureHeader]),
    );
  });

  it('accepts the secret without its whsec_ prefix, raw bytes, and fetch Headers', () => {
    const raw = Buffer.from(base.body, 'utf8');
    const r = verifyShipbobWebhook({ rawBody: raw, headers: new Headers(headersOf(base)), secrets: [base.secret.slice(6)], nowSec: base.timestampSec });
    assert.equal(r.ok, true);
  });

  it('fails on a tampered body, id or timestamp', () => {
    const cases = [
      { body: base.body.replace('2432232314', '2432232315'), h: headersOf(base) },
      { body: `${base.body} `, h: headersOf(base) },
      { body: base.body, h: { ...headersOf(base), 'webhook-id': 'msg_other' } },
      { body: base.body, h: { ...headersOf(base), 'webhook-timestamp': String(base.timestampSec + 1) } },
    ];
    for (const c of cases) {
      const r = verifyShipbobWebhook({ rawBody: c.body, headers: c.h, secrets: [base.secret], nowSec: base.timestampSec });
      assert.deepEqual(r.ok ? 'ok' : r.reason, 'signature_mismatch');
    }
  });

  it('checks every secret during a rotation and reports which matched', () => {
    const other = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
    const r = verifyShipbobWebhook({ rawBody: base.body, headers: headersOf(base), secrets: [other, base.secret], nowSec: base.timestampSec });
    assert.equal(r.ok && r.secretIndex, 1);
    const wrong = verifyShipbobWebhook({ rawBody: base.body, headers: headersOf(base), secrets: [other], nowSec: base.timestampSec });
    assert.equal(wrong.ok ? 'ok' : wrong.reason, 'signature_mismatch');
    const none = verifyShipbobWebhook({ rawBody: base.body, headers: headersOf(base), secrets: [], nowSec: base.timestampSec });
    assert.equal(none.ok ? 'ok' : none.reason, 'no_secrets');
  });

  it('enforces the timestamp tolerance in both directions and rejects non-integer timestamps', () => {
    const at = (nowSec: number, toleranceSec?: number) => {
      const r = verifyShipbobWebhook({
        rawBody: base.body,
        headers: headersOf(base),
        secrets: [base.secret],
        nowSec,
        ...(toleranceSec === undefined ? {} : { toleranceSec }),
      });
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(at(base.timestampSec + 300), 'ok');
    assert.equal(at(base.timestampSec + 301), 'timestamp_too_old');
    assert.equal(at(base.timestampSec - 300), 'ok');
    assert.equal(at(base.timestampSec - 301), 'timestamp_too_new');
    assert.equal(at(base.timestampSec + 1000, 2000), 'ok');
    assert.equal(at(Math.floor(Date.now() / 1000)), 'timestamp_too_old', 'the real clock is years past the vector');
    for (const ts of ['1614265330.5', 'abc', '-1614265330']) {
      const r = verifyShipbobWebhook({
        rawBody: base.body,
        headers: { ...headersOf(base), 'webhook-timestamp': ts },
        secrets: [base.secret],
        nowSec: base.timestampSec,
      });
      assert.equal(r.ok ? 'ok' : r.reason, 'invalid_timestamp', ts);
    }
  });

  it('names the missing headers', () => {
    const { 'webhook-signature': _s, ...rest } = headersOf(base);
    const r = verifyShipbobWebhook({ rawBody: base.body, headers: rest, secrets: [base.secret], nowSec: base.timestampSec });
    assert.deepEqual(r, { ok: false, reason: 'missing_headers', detail: 'missing webhook-signature' });
  });
});
