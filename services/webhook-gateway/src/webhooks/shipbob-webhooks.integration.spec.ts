import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_CHANNEL_ID,
  DEMO_PAT,
  DEMO_SEED,
  ShipbobSandbox,
  ShipbobWebhookSigner,
  generateWebhookSecret,
  type SentWebhook,
} from '@mlc/partners-shipbob-simulator';
import { readiness, waitFor, type RunningService } from '@mlc/platform-testing';
import * as testing from '@mlc/platform-testing';
import { gatewayTestEnv, type GatewayTestEnv, type Watched } from '../testing/gateway-test-env';

const TENANT = 'sb-hooks';
const SECRET_A = generateWebhookSecret();
const SECRET_B = generateWebhookSecret();

describe('webhook-gateway: ShipBob webhooks (real process, Kafka, Postgres, ShipBob sandbox)', () => {
  let env: GatewayTestEnv<RunningService>;
  let sandbox: ShipbobSandbox;
  let gateway: RunningService;
  let topic: Watched;
  let hookUrl: string;
  let n = 0;

  const post = (body: string, headers: Record<string, string>, url = hookUrl): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const signed = (body: string, opts: { secret?: string; id?: string; ts?: number; topic?: string } = {}): Record<string, string> =>
    new ShipbobWebhookSigner(opts.secret ?? SECRET_A).headers(
      opts.id ?? `msg_test_${++n}`,
      opts.ts ?? Math.floor(Date.now() / 1000),
      body,
      opts.topic ?? 'order.shipped',
    );
  const recordsOf = (deliveryId: string) => topic.records().filter((r) => r.value.deliveryId === deliveryId);
  const emitted = (from: number): SentWebhook[] => (sandbox as unknown as { sentWebhooks: SentWebhook[] }).sentWebhooks.slice(from);
  const sentCount = (): number => (sandbox as unknown as { sentWebhooks: SentWebhook[] }).sentWebhooks.length;
  const okAttempts = (id: string): number => sandbox.dispatcher.attempts.filter((a) => a.webhookId === id && a.status === 200).length;

  before(async () => {
    env = await gatewayTestEnv('gw_shipbob', testing);
    sandbox = new ShipbobSandbox({ seed: 1, webhookTimeScale: 10 });
    sandbox.seedData(DEMO_SEED);
    const sandboxUrl = await sandbox.listen();
    await env.tenants.createTenant({ id: TENANT, name: 'ShipBob hooks' }, 'test');
    await env.tenants.setConnection(
      TENANT,
      { partner: 'shipbob', baseUrl: sandboxUrl, channelId: DEMO_CHANNEL_ID, webhookSecrets: [SECRET_A, SECRET_B], auth: { type: 'pat', token: DEMO_PAT } },
      'test',
    );
    gateway = await env.startGateway({ SHOPIFY_SWEEP_ENABLED: 'false', SHIPBOB_SWEEP_ENABLED: 'false' });
    hookUrl = `${gateway.url}/webhooks/shipbob/${TENANT}`;
    // Two subscriptions with different secrets, as during a rotation.
    for (const [topics, secret] of [
      [['order.shipped'], SECRET_A],
      [['order.shipment.delivered'], SECRET_B],
    ] as const) {
      const res = await fetch(`${sandboxUrl}/2026-01/webhook`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO_PAT}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topics, url: hookUrl, secret }),
      });
      assert.equal(res.status, 200, await res.text());
    }
    topic = await env.watch('shipbob.webhook.received.v1');
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready' });
  });

  after(async () => {
    await sandbox?.close();
    await env?.close();
  });

  it('publishes a sandbox-signed webhook with its raw body and delivery id before answering 200', async () => {
    const from = sentCount();
    sandbox.emit('order.shipped', { id: 771, reference_id: 'PO-1-L1', status: 'Fulfilled', shipments: [{ id: 9901, tracking: { tracking_number: '1Z999' } }] });
    const [hook] = emitted(from);
    assert.ok(hook);
    await waitFor(() => okAttempts(hook.id) === 1, { what: 'sandbox got 200' });
    // Answered only after Kafka acknowledged: the record is already readable.
    const [rec] = await waitFor(() => (recordsOf(hook.id).length === 1 ? recordsOf(hook.id) : undefined));
    assert.ok(rec);
    assert.equal(rec.value.body, hook.body);
    assert.equal(rec.value.partner, 'shipbob');
    assert.equal(rec.value.topic, 'order.shipped');
    assert.equal(rec.key, `${TENANT}:${hook.id}`);
    assert.equal(rec.value.headers['webhook-id'], hook.id);
    assert.equal(rec.value.headers['x-webhook-topic'], 'order.shipped');
    assert.equal(rec.value.headers['webhook-signature'], undefined);
  });

  it('keeps a body byte-exact: 64-bit ids, non-ASCII text and whitespace', async () => {
    const body = '{ "id": 18446744073709551615,\n  "shipment": {"id": 9007199254740993, "amount": 10.10},\n  "note": "café ✓ \\u00e9" }';
    const headers = signed(body);
    const res = await post(body, headers);
    assert.equal(res.status, 200, await res.clone().text());
    const out = (await res.json()) as { status: string; deliveryId: string; eventId: string };
    assert.equal(out.status, 'published');
    const [rec] = await waitFor(() => (recordsOf(headers['webhook-id']!).length === 1 ? recordsOf(headers['webhook-id']!) : undefined));
    assert.equal(rec?.value.body, body);
    assert.equal(Buffer.compare(Buffer.from(rec!.value.body, 'utf8'), Buffer.from(body, 'utf8')), 0);
    assert.equal(rec?.value.meta.eventId, out.eventId);
  });

  it('each record carries its own delivery’s trace, though concurrent deliveries share a send', async () => {
    // Partners may send W3C trace context; each delivery's span continues it, and its record's meta and headers carry it.
    const traces = Array.from({ length: 8 }, (_, i) => `${(0xabc000 + i).toString(16).padStart(32, '0')}`);
    const sent = await Promise.all(
      traces.map(async (traceId) => {
        const body = JSON.stringify({ id: 1, reference_id: `trace-${traceId.slice(-4)}` });
        const headers: Record<string, string> = { ...signed(body), traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
        const res = await post(body, headers);
        assert.equal(res.status, 200, await res.clone().text());
        return { traceId, id: headers['webhook-id']! };
      }),
    );
    for (const { traceId, id } of sent) {
      const [rec] = await waitFor(() => (recordsOf(id).length === 1 ? recordsOf(id) : undefined), { what: `${id} on the topic` });
      const headerTrace = rec!.message.headers?.['traceparent']?.toString().split('-')[1];
      assert.equal(rec!.value.meta.traceparent?.split('-')[1], traceId, `meta.traceparent of ${id}`);
      assert.equal(headerTrace, traceId, `traceparent header of ${id}`);
    }
  });

  it('duplicated deliveries and redeliveries (same webhook-id) are published once', async () => {
    sandbox.setWebhookSwitches({ duplicate: true });
    const from = sentCount();
    sandbox.emit('order.shipped', { id: 772, reference_id: 'PO-1-L2' });
    sandbox.setWebhookSwitches({ duplicate: false });
    const [hook] = emitted(from);
    assert.ok(hook);
    await waitFor(() => okAttempts(hook.id) === 2, { what: 'both copies answered 200' });
    // A later retry of the same delivery (new timestamp, new signature) is a redelivery too.
    const again = await post(hook.body, signed(hook.body, { id: hook.id, ts: Math.floor(Date.now() / 1000) + 1 }));
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { status: string }).status, 'duplicate');
    await waitFor(() => recordsOf(hook.id).length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(recordsOf(hook.id).length, 1);
  });

  it('rejects forged, tampered, stale and unsigned webhooks with 401 and publishes nothing', async () => {
    // The sandbox's bad-signature switch; ShipBob's retry schedule compressed for this one delivery.
    sandbox.setWebhookSwitches({ badSignature: true, timeScale: 1e5 });
    const from = sentCount();
    sandbox.emit('order.shipped', { id: 773, reference_id: 'FORGED' });
    sandbox.setWebhookSwitches({ badSignature: false, timeScale: 10 });
    const [forged] = emitted(from);
    assert.ok(forged?.badSignature);
    await waitFor(() => sandbox.dispatcher.attempts.filter((a) => a.webhookId === forged.id).length === 9, { what: 'all attempts made' });
    const attempts = sandbox.dispatcher.attempts.filter((a) => a.webhookId === forged.id);
    assert.ok(attempts.some((a) => a.status === 401) && attempts.every((a) => a.status !== 200));

    const body = '{"id":774,"reference_id":"TAMPER"}';
    const good = signed(body);
    const cases: Array<[string, Record<string, string>, string]> = [
      ['tampered', good, body.replace('774', '775')],
      ['stale', signed(body, { ts: Math.floor(Date.now() / 1000) - 3600 }), body],
      ['future', signed(body, { ts: Math.floor(Date.now() / 1000) + 3600 }), body],
      ['unknown secret', signed(body, { secret: generateWebhookSecret() }), body],
      ['unsigned', { 'webhook-id': 'msg_unsigned', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'x-webhook-topic': 'order.shipped' }, body],
    ];
    for (const [what, headers, sent] of cases) {
      const res = await post(sent, headers);
      assert.equal(res.status, 401, what);
      assert.equal(((await res.json()) as { error: string }).error, 'WEBHOOK.UNAUTHENTICATED', what);
    }
    // A valid marker: once it is on the single-partition topic, anything accepted before it would be too.
    const marker = signed('{"id":776}');
    assert.equal((await post('{"id":776}', marker)).status, 200);
    await waitFor(() => recordsOf(marker['webhook-id']!).length === 1);
    assert.equal(recordsOf(forged.id).length, 0);
    for (const [, headers] of cases) assert.equal(recordsOf(headers['webhook-id']!).length, 0);
  });

  it('accepts webhooks signed with any of the tenant’s secrets during a rotation', async () => {
    const from = sentCount();
    sandbox.emit('order.shipped', { id: 777 });
    sandbox.emit('order.shipment.delivered', { id: 9902, status: 'Delivered' });
    const hooks = emitted(from);
    assert.equal(hooks.length, 2);
    for (const h of hooks) await waitFor(() => recordsOf(h.id).length === 1, { what: `${h.topic} published` });
  });

  it('answers 404 for an unknown tenant and 400 for a signed body that is not a JSON object', async () => {
    const body = '{"id":1}';
    const unknown = await post(body, signed(body), `${gateway.url}/webhooks/shipbob/nobody`);
    assert.equal(unknown.status, 404);
    const notObject = '[1,2,3]';
    const bad = await post(notObject, signed(notObject));
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'WEBHOOK.MALFORMED');
    const latin1 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"} in Latin-1
    const h = new ShipbobWebhookSigner(SECRET_A);
    const id = 'msg_latin1';
    const ts = Math.floor(Date.now() / 1000);
    const key = Buffer.from(SECRET_A.slice(6), 'base64');
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', key).update(`${id}.${ts}.`).update(latin1).digest('base64');
    assert.ok(h);
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': `v1,${sig}`,
        'x-webhook-topic': 'order.shipped',
      },
      body: latin1,
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /UTF-8/);
  });
});
