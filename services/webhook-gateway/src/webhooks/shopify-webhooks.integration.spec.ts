import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { ShopifySandbox, signShopifyWebhook, type DeliveryRecord } from '@mlc/partners-shopify-simulator';
import { freePort, readiness, waitFor, type RunningService } from '@mlc/platform-testing';
import * as testing from '@mlc/platform-testing';
import { gatewayTestEnv, type GatewayTestEnv, type Watched } from '../testing/gateway-test-env';

const TENANT = 'shop-hooks';
const OLD_SECRET = 'shopify-app-secret-old';
const NEW_SECRET = 'shopify-app-secret-new';
/** Above 2^53: a JS number would round it to ...992. */
const BIG_ORDER_ID = 9007199254740993n;

describe('webhook-gateway: Shopify webhooks (real process, Kafka, Postgres, Shopify sandbox)', () => {
  let env: GatewayTestEnv<RunningService>;
  let sandbox: ShopifySandbox;
  let gateway: RunningService;
  let topic: Watched;
  let hookUrl: string;

  const post = (url: string, body: string | Buffer, headers: Record<string, string>): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const recordsFor = (pred: (d: { topic: string; deliveryId: string; body: string }) => boolean) => topic.records().filter((r) => pred(r.value));
  async function deliveriesRows(): Promise<number> {
    const c = new Client({ connectionString: env.db.url });
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM gateway_deliveries')).rows[0]?.n);
    } finally {
      await c.end();
    }
  }
  /** Headers with some replaced or removed, whatever their case. */
  const withHeaders = (headers: Record<string, string>, change: Record<string, string | undefined>): Record<string, string> => {
    const lower = new Set(Object.keys(change).map((k) => k.toLowerCase()));
    const out = Object.fromEntries(Object.entries(headers).filter(([k]) => !lower.has(k.toLowerCase())));
    for (const [k, v] of Object.entries(change)) if (v !== undefined) out[k] = v;
    return out;
  };
  /** Replays a recorded sandbox delivery (optionally altered) straight at the gateway. */
  const replay = (d: DeliveryRecord, change: { body?: string; headers?: Record<string, string | undefined> } = {}): Promise<Response> =>
    post(hookUrl, change.body ?? d.body, withHeaders(d.headers, change.headers ?? {}));
  /** Waits until every sandbox delivery matching `pred` got a 2xx (dispatcher.idle() would also wait for 401 retries). */
  const delivered = async (pred: (d: DeliveryRecord) => boolean): Promise<DeliveryRecord[]> => {
    const ds = sandbox.deliveries.filter(pred);
    assert.ok(ds.length, 'the sandbox sent something');
    await waitFor(() => ds.every((d) => sandbox.dispatcher.attempts.some((a) => a.webhookId === d.webhookId && a.status >= 200 && a.status < 300)), {
      what: 'sandbox deliveries answered 2xx',
      timeoutMs: 40_000,
    });
    return ds;
  };

  before(async () => {
    env = await gatewayTestEnv('gw_shopify', testing);
    sandbox = new ShopifySandbox({ seed: 3, timeScale: 5, clientSecret: OLD_SECRET });
    const sandboxUrl = await sandbox.listen();
    await env.tenants.createTenant({ id: TENANT, name: 'Shopify hooks' }, 'test');
    await env.tenants.setConnection(
      TENANT,
      {
        partner: 'shopify',
        baseUrl: sandboxUrl,
        shopDomain: sandbox.shopDomain,
        apiVersion: '2026-10',
        webhookSecrets: [OLD_SECRET, NEW_SECRET],
        auth: { type: 'client-credentials', clientId: sandbox.clientId, clientSecret: OLD_SECRET },
      },
      'test',
    );
    gateway = await env.startGateway({ SHOPIFY_SWEEP_ENABLED: 'false' });
    hookUrl = `${gateway.url}/webhooks/shopify/${TENANT}`;
    for (const t of ['orders/create', 'orders/paid', 'orders/updated', 'customers/create', 'shop/redact', 'customers/data_request']) sandbox.subscribe({ topic: t, uri: hookUrl });
    topic = await env.watch('shopify.webhook.received.v1');
    // The producer connects in the background: wait until a webhook is accepted.
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready' });
    // Warm up (the first produce fetches metadata) with a compliance webhook.
    const warm = sandbox.createCustomer({ firstName: 'Warm', lastName: 'Up' });
    sandbox.compliance('customers/data_request', warm.id);
    await delivered((d) => d.topic === 'customers/data_request');
  });

  after(async () => {
    sandbox?.dispatcher.close();
    await sandbox?.close();
    await env?.close();
  });

  it('publishes sandbox-signed webhooks byte-exact (64-bit id intact), one record per topic of one merchant action', async () => {
    sandbox.createOrder({ id: BIG_ORDER_ID, paid: true, lines: [{ sku: 'SKU-1', title: 'Widget', price: '19.99', quantity: 2 }] });
    const sent = await delivered((d) => d.body.includes(`"id":${BIG_ORDER_ID}`));
    assert.deepEqual(sent.map((d) => d.topic).sort(), ['orders/create', 'orders/paid', 'orders/updated']);
    const got = await waitFor(() => {
      const r = recordsFor((v) => v.body.includes(`"id":${BIG_ORDER_ID}`));
      return r.length >= 3 ? r : undefined;
    });
    for (const d of sent) {
      const rec = got.find((r) => r.value.topic === d.topic);
      assert.ok(rec, `record for ${d.topic}`);
      assert.equal(rec.value.body, d.body, 'body byte-exact');
      assert.equal(rec.value.partner, 'shopify');
      assert.equal(rec.value.deliveryId, d.eventId);
      assert.equal(rec.key, `${TENANT}:${d.eventId}`);
      assert.equal(rec.value.meta.tenantId, TENANT);
      assert.equal(rec.value.headers['x-shopify-topic'], d.topic);
      assert.equal(rec.value.headers['x-shopify-webhook-id'], d.webhookId);
      assert.equal(rec.value.headers['x-shopify-shop-domain'], sandbox.shopDomain);
      assert.equal(rec.value.headers['mlc-origin'], 'webhook');
      assert.equal(rec.value.headers['x-shopify-hmac-sha256'], undefined);
    }
    // orders/paid and orders/updated came from one merchant action: same Event-Id, both published.
    const paid = sent.find((d) => d.topic === 'orders/paid')!;
    assert.equal(sent.find((d) => d.topic === 'orders/updated')!.eventId, paid.eventId);
    assert.equal(got.length, 3);
  });

  it('a duplicated or redelivered webhook is answered 200 and published once', async () => {
    sandbox.webhookFaults = { duplicate: true, lowercaseHeaders: true };
    const c = sandbox.createCustomer({ firstName: 'Dup', lastName: 'Licate', email: 'dup@example.com' });
    sandbox.webhookFaults = {};
    const [d] = await delivered((x) => x.topic === 'customers/create' && x.body.includes(`"id":${c.id}`));
    assert.ok(d);
    // Both copies are answered 200 (a copy that timed out under load is retried by the sandbox and then answered 200).
    await waitFor(() => sandbox.dispatcher.attempts.filter((a) => a.webhookId === d.webhookId && a.status === 200).length === 2, {
      what: 'both copies answered 200',
      timeoutMs: 40_000,
    });
    const again = await replay(d);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { status: string }).status, 'duplicate');
    await waitFor(() => recordsFor((v) => v.deliveryId === d.eventId).length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(recordsFor((v) => v.deliveryId === d.eventId).length, 1);
  });

  it('forged, tampered and unsigned webhooks get 401 and nothing is published', async () => {
    const before = await deliveriesRows();
    sandbox.webhookFaults = { badSignatureCount: 1 };
    // Shopify retries a refused delivery 8 times over 4 h: compress that schedule for this one delivery.
    sandbox.dispatcher.options.timeScale = 1e5;
    const c = sandbox.createCustomer({ firstName: 'Forged', lastName: 'Sig', email: 'forged@example.com' });
    sandbox.dispatcher.options.timeScale = 5;
    sandbox.webhookFaults = {};
    const forged = sandbox.deliveries.find((d) => d.body.includes(`"id":${c.id}`))!;
    assert.equal(forged.signedWith, 'bad');
    await waitFor(() => sandbox.dispatcher.attempts.filter((a) => a.webhookId === forged.webhookId).length === 9, { what: 'all 9 attempts' });
    const forgedAttempts = sandbox.dispatcher.attempts.filter((a) => a.webhookId === forged.webhookId);
    assert.ok(forgedAttempts.some((a) => a.status === 401) && !forgedAttempts.some((a) => a.status >= 200 && a.status < 300), 'refused with 401, never accepted');
    const good = sandbox.deliveries.find((x) => x.topic === 'orders/create')!;
    const tampered = good.body.replace('"19.99"', '"0.01"');
    assert.notEqual(tampered, good.body);
    for (const res of [
      await replay(good, { body: tampered }),
      await replay(good, { headers: { 'X-Shopify-Hmac-Sha256': undefined } }),
      await replay(good, { headers: { 'X-Shopify-Hmac-Sha256': signShopifyWebhook(good.body, 'not-the-secret') } }),
    ]) {
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, 'WEBHOOK.UNAUTHENTICATED');
    }
    // A valid marker after the bad ones: once it is on the (single-partition) topic, the bad ones would be too.
    sandbox.compliance('shop/redact');
    await delivered((d) => d.topic === 'shop/redact');
    await waitFor(() => recordsFor((v) => v.topic === 'shop/redact').length === 1, { what: 'shop/redact published' });
    assert.equal(recordsFor((v) => v.body.includes(`"id":${c.id}`)).length, 0, 'forged delivery not published');
    assert.equal(recordsFor((v) => v.body === tampered).length, 0);
    assert.equal(await deliveriesRows(), before + 1, 'only the compliance webhook was recorded');
  });

  it('during a secret rotation webhooks signed with either secret are accepted', async () => {
    sandbox.rotateSecret(NEW_SECRET, 60_000);
    const a = sandbox.createCustomer({ firstName: 'Rot', lastName: 'One' });
    const b = sandbox.createCustomer({ firstName: 'Rot', lastName: 'Two' });
    const signed = (await delivered((d) => d.body.includes(`"id":${a.id}`) || d.body.includes(`"id":${b.id}`))).map((d) => d.signedWith);
    assert.deepEqual([...signed].sort(), ['current', 'previous']);
    await waitFor(() => recordsFor((v) => v.body.includes(`"id":${a.id}`) || v.body.includes(`"id":${b.id}`)).length === 2, {
      what: 'both rotated deliveries published',
    });
  });

  it('answers 404 for an unknown tenant, 413 for an oversized body, 400 for a wrong content type or malformed JSON', async () => {
    const d = sandbox.deliveries.find((x) => x.topic === 'orders/create')!;
    const unknown = await post(`${gateway.url}/webhooks/shopify/no-such-tenant`, d.body, d.headers);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: string }).error, 'WEBHOOK.UNKNOWN_TENANT');

    const huge = `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    const big = await post(hookUrl, huge, withHeaders(d.headers, { 'X-Shopify-Hmac-Sha256': signShopifyWebhook(huge, NEW_SECRET) }));
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: string }).error, 'WEBHOOK.TOO_LARGE');

    const form = 'a=1&b=2';
    const wrongType = await post(hookUrl, form, withHeaders(d.headers, { 'content-type': 'application/x-www-form-urlencoded', 'X-Shopify-Hmac-Sha256': signShopifyWebhook(form, NEW_SECRET) }));
    assert.equal(wrongType.status, 400);
    assert.equal(((await wrongType.json()) as { error: string }).error, 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE');

    const broken = '{"id": 9007199254740993, "name": }';
    const malformed = await post(hookUrl, broken, withHeaders(d.headers, { 'X-Shopify-Event-Id': 'malformed-1', 'X-Shopify-Hmac-Sha256': signShopifyWebhook(broken, NEW_SECRET) }));
    assert.equal(malformed.status, 400);
    const err = (await malformed.json()) as { error: string; message: string };
    assert.equal(err.error, 'WEBHOOK.MALFORMED');
    assert.match(err.message, /at byte 33/);
    assert.equal(recordsFor((v) => v.deliveryId === 'malformed-1').length, 0);
  });

  it('answers 503 (so Shopify retries) when Kafka is unreachable, and publishes nothing', async () => {
    const dead = await env.startGateway({ SHOPIFY_SWEEP_ENABLED: 'false', KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    const d = sandbox.deliveries.find((x) => x.topic === 'customers/create')!;
    const headers = withHeaders(d.headers, { 'X-Shopify-Event-Id': 'kafka-down-1' });
    const started = Date.now();
    const res = await post(`${dead.url}/webhooks/shopify/${TENANT}`, d.body, headers);
    assert.equal(res.status, 503);
    assert.ok(Date.now() - started < 5_000, 'answered within Shopify’s 5 s');
    assert.equal(((await res.json()) as { error: string }).error, 'WEBHOOK.KAFKA_UNAVAILABLE');
    await dead.stop();
    // The healthy gateway takes the partner's retry.
    const retry = await post(hookUrl, d.body, headers);
    assert.equal(retry.status, 200);
    assert.equal(((await retry.json()) as { status: string }).status, 'published');
    await waitFor(() => recordsFor((v) => v.deliveryId === 'kafka-down-1').length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(recordsFor((v) => v.deliveryId === 'kafka-down-1').length, 1, 'only the accepted retry was published');
  });
});
