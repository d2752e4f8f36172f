import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  customerDocument,
  ledgerOfInvoice,
  orderInvoice,
  refundCreditMemo,
  type ShopifyCustomer,
  type ShopifyOrder,
  type ShopifyRefund,
} from '@mlc/domain-accounting';
import { parseShopifyJson } from '@mlc/partners-shopify-client';
import { ShopifySandbox, signShopifyWebhook, type DeliveryRecord } from '@mlc/partners-shopify-simulator';
import { freePort, readiness, waitFor, REPO_ROOT, type RunningService } from '@mlc/platform-testing';
import * as testing from '@mlc/platform-testing';
import { gatewayTestEnv, type GatewayTestEnv, type Watched } from '../testing/gateway-test-env';

const TENANT = 'shop-hooks';
const OLD_SECRET = 'shopify-app-secret-old';
const NEW_SECRET = 'shopify-app-secret-new';
/** Above 2^53: a JS number would round it to ...992. */
const BIG_ORDER_ID = 9007199254740993n;
/** Shopify's published webhook samples (test/fixtures/shopify/SOURCES.md), by topic. */
const PUBLISHED_SAMPLES: Array<[topic: string, file: string]> = [
  ['orders/create', 'orders_create.json'],
  ['orders/updated', 'orders_updated.json'],
  ['orders/paid', 'orders_paid.json'],
  ['refunds/create', 'refunds_create.json'],
  ['customers/create', 'customers_create.json'],
  ['customers/update', 'customers_update.json'],
  ['customers/data_request', 'compliance_customers_data_request.json'],
  ['customers/redact', 'compliance_customers_redact.json'],
  ['shop/redact', 'compliance_shop_redact.json'],
];
const fixture = (file: string): Buffer => readFileSync(join(REPO_ROOT, 'test/fixtures/shopify', file));

/**
 * Every integer of 16 digits or more in a JSON text (numbers outside strings, and strings that are only digits): what
 * a lossless parse must hand over digit for digit.
 */
function bigIntegersOf(text: string): string[] {
  const out: string[] = [];
  const withoutStrings = text.replace(/"(?:[^"\\]|\\.)*"/g, (lit) => {
    if (/^"\d{16,}"$/.test(lit)) out.push(lit.slice(1, -1));
    return '""';
  });
  for (const m of withoutStrings.matchAll(/(?<![\d.])\d{16,}(?![\d.eE])/g)) out.push(m[0]);
  return out.sort();
}

/** Every string leaf of a parsed value that is a 16+ digit integer. */
function bigIntegerLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && /^\d{16,}$/.test(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) bigIntegerLeaves(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) bigIntegerLeaves(v, out);
  return out.sort();
}

describe('webhook-gateway: Shopify webhooks (real process, Kafka, Postgres, Shopify sandbox)', () => {
  let env: GatewayTestEnv<RunningService>;
  let sandbox: ShopifySandbox;
  let gateway: RunningService;
  let topic: Watched;
  let hookUrl: string;

  const post = (url: string, body: string | Buffer, headers: Record<string, string>): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const recordsFor = (pred: (d: { topic: string; deliveryId: string; body: string }) => boolean) => topic.records().filter((r) => pred(r.value));
  /** Deliveries remembered as published (a Shopify delivery has a row per key: Event-Id and Webhook-Id). */
  async function deliveriesRows(): Promise<number> {
    const c = new Client({ connectionString: env.db.url });
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>('SELECT count(DISTINCT event_id) AS n FROM gateway_deliveries')).rows[0]?.n);
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
    for (const t of ['orders/create', 'orders/paid', 'orders/updated', 'customers/create', 'shop/redact', 'customers/data_request'])
      sandbox.subscribe({ topic: t, uri: hookUrl });
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
    assert.ok(
      forgedAttempts.some((a) => a.status === 401) && !forgedAttempts.some((a) => a.status >= 200 && a.status < 300),
      'refused with 401, never accepted',
    );
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
    const wrongType = await post(
      hookUrl,
      form,
      withHeaders(d.headers, { 'content-type': 'application/x-www-form-urlencoded', 'X-Shopify-Hmac-Sha256': signShopifyWebhook(form, NEW_SECRET) }),
    );
    assert.equal(wrongType.status, 400);
    assert.equal(((await wrongType.json()) as { error: string }).error, 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE');

    const broken = '{"id": 9007199254740993, "name": }';
    const malformed = await post(
      hookUrl,
      broken,
      withHeaders(d.headers, { 'X-Shopify-Event-Id': 'malformed-1', 'X-Shopify-Hmac-Sha256': signShopifyWebhook(broken, NEW_SECRET) }),
    );
    assert.equal(malformed.status, 400);
    const err = (await malformed.json()) as { error: string; message: string };
    assert.equal(err.error, 'WEBHOOK.MALFORMED');
    assert.match(err.message, /at byte 33/);
    assert.equal(recordsFor((v) => v.deliveryId === 'malformed-1').length, 0);
  });

  it('answers 503 (so Shopify retries) when Kafka is unreachable, and publishes nothing', async () => {
    const dead = await env.startGateway({ SHOPIFY_SWEEP_ENABLED: 'false', KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    const d = sandbox.deliveries.find((x) => x.topic === 'customers/create')!;
    // A new delivery (new Event-Id and Webhook-Id): a known one would be answered `duplicate` from the ledger alone.
    const headers = withHeaders(d.headers, { 'X-Shopify-Event-Id': 'kafka-down-1', 'X-Shopify-Webhook-Id': randomUUID() });
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

  it('a redelivery with the same X-Shopify-Webhook-Id under a new Event-Id is answered duplicate and published once', async () => {
    const c = sandbox.createCustomer({ firstName: 'Same', lastName: 'Webhook' });
    const [d] = await delivered((x) => x.topic === 'customers/create' && x.body.includes(`"id":${c.id}`));
    assert.ok(d);
    await waitFor(() => recordsFor((v) => v.deliveryId === d.eventId).length === 1 || undefined, { what: 'first delivery published' });
    const again = await replay(d, { headers: { 'X-Shopify-Event-Id': randomUUID() } });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { status: string }).status, 'duplicate');
    // The other key still works alone: the same Event-Id under a new Webhook-Id (a second subscription) is a duplicate too.
    const sameEvent = await replay(d, { headers: { 'X-Shopify-Webhook-Id': randomUUID() } });
    assert.equal(((await sameEvent.json()) as { status: string }).status, 'duplicate');
    // Control: new Webhook-Id and new Event-Id is a new delivery.
    const marker = randomUUID();
    const fresh = await replay(d, { headers: { 'X-Shopify-Event-Id': marker, 'X-Shopify-Webhook-Id': randomUUID() } });
    assert.equal(((await fresh.json()) as { status: string }).status, 'published');
    await waitFor(() => recordsFor((v) => v.deliveryId === marker).length === 1 || undefined, { what: 'control delivery published' });
    assert.equal(recordsFor((v) => v.body === d.body).length, 2, 'the first delivery and the control, not the redeliveries');
  });

  it('refuses with 403 a validly signed delivery from another shop of the same app, publishing nothing; logged and counted', async () => {
    const refusedCount = async (): Promise<number> => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('mlc_webhooks_refused_total{') && l.includes('code="WEBHOOK.FOREIGN_SHOP"') && l.includes('partner="shopify"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const rowsBefore = await deliveriesRows();
    const countBefore = await refusedCount();
    // The same app installed on another shop signs with the same client secret: the HMAC is valid.
    const foreign = new ShopifySandbox({ seed: 9, timeScale: 1e5, clientSecret: OLD_SECRET, shopDomain: 'foreign-shop.myshopify.com' });
    await foreign.listen();
    try {
      foreign.subscribe({ topic: 'customers/create', uri: hookUrl });
      const c = foreign.createCustomer({ firstName: 'Foreign', lastName: 'Shop', email: 'foreign@example.com' });
      const d = foreign.deliveries.find((x) => x.body.includes(`"id":${c.id}`))!;
      assert.equal(d.headers['X-Shopify-Hmac-Sha256'], signShopifyWebhook(d.body, OLD_SECRET), 'signed with a secret the tenant accepts');
      await waitFor(() => foreign.dispatcher.attempts.filter((a) => a.webhookId === d.webhookId).length === 9, { what: 'all 9 attempts', timeoutMs: 40_000 });
      assert.deepEqual([...new Set(foreign.dispatcher.attempts.filter((a) => a.webhookId === d.webhookId).map((a) => a.status))], [403]);

      const res = await post(hookUrl, d.body, d.headers);
      assert.equal(res.status, 403);
      const err = (await res.json()) as { error: string; message: string };
      assert.equal(err.error, 'WEBHOOK.FOREIGN_SHOP');
      assert.match(err.message, /foreign-shop\.myshopify\.com is not tenant shop-hooks's shop mlc-demo\.myshopify\.com/);
      const missing = await post(hookUrl, d.body, withHeaders(d.headers, { 'X-Shopify-Shop-Domain': undefined, 'X-Shopify-Webhook-Id': randomUUID() }));
      assert.equal(missing.status, 403);
      assert.equal(((await missing.json()) as { error: string }).error, 'WEBHOOK.FOREIGN_SHOP');
      // A wrong HMAC is still a 401 first: the shop is judged only for authentic deliveries.
      const unsigned = await post(hookUrl, d.body, withHeaders(d.headers, { 'X-Shopify-Hmac-Sha256': signShopifyWebhook(d.body, 'not-the-secret') }));
      assert.equal(unsigned.status, 401);

      // Marker from the tenant's own shop: once it is on the (single-partition) topic, a foreign record would be too.
      const [mark] = sandbox.publishSample('shop/redact', fixture('compliance_shop_redact.json'));
      assert.ok(mark);
      await waitFor(() => recordsFor((v) => v.deliveryId === mark.eventId).length === 1 || undefined, { what: 'marker published' });
      assert.equal(recordsFor((v) => v.body.includes(`"id":${c.id}`)).length, 0, 'nothing of the foreign shop published');
      assert.equal(await deliveriesRows(), rowsBefore + 1, 'only the marker was remembered');
      assert.equal((await refusedCount()) - countBefore, 11, '9 attempts + 2 direct posts counted');
      assert.match(gateway.output(), /WEBHOOK\.FOREIGN_SHOP/, 'logged');
    } finally {
      foreign.dispatcher.close();
      await foreign.close();
    }
  });

  it("every published Shopify sample passes byte for byte, and the mapper's parse and mapping keep every id digit", async () => {
    for (const t of ['refunds/create', 'customers/update', 'customers/redact']) sandbox.subscribe({ topic: t, uri: hookUrl });
    const sent = new Map<string, DeliveryRecord>();
    for (const [topic, file] of PUBLISHED_SAMPLES) {
      const [d, ...more] = sandbox.publishSample(topic, fixture(file));
      assert.ok(d && !more.length, `${topic}: one subscription, one delivery`);
      sent.set(file, d);
    }
    const byFile = new Map<string, string>();
    for (const [topic, file] of PUBLISHED_SAMPLES) {
      const d = sent.get(file)!;
      const rec = await waitFor(() => recordsFor((v) => v.deliveryId === d.eventId)[0], { what: `${file} published`, timeoutMs: 30_000 });
      assert.equal(rec.value.topic, topic);
      assert.ok(Buffer.from(rec.value.body, 'utf8').equals(fixture(file)), `${file}: the record's body is the sample's bytes`);
      assert.equal(rec.value.headers['x-shopify-webhook-id'], d.webhookId);
      assert.equal(rec.value.headers['x-shopify-api-version'], '2026-07');
      const parsed = parseShopifyJson(rec.value.body);
      assert.deepEqual(bigIntegerLeaves(parsed), bigIntegersOf(rec.value.body), `${file}: every 16+ digit integer parsed digit for digit`);
      byFile.set(file, rec.value.body);
    }
    assert.ok(bigIntegersOf(byFile.get('orders_create.json')!).length >= 15, 'the order sample is full of ids beyond 2^53');

    // The accounting mapping the mapper runs on those bodies carries the ids on exactly.
    const settings = {
      businessUnit: 'US1 Business Unit',
      transactionSource: 'SHOPIFY',
      transactionType: 'Invoice',
      paymentTerms: 'IMMEDIATE',
      revenueAccountCombination: '101-10-4000-000',
      guestCustomerAccountNumber: 'GUEST',
    };
    for (const file of ['orders_create.json', 'orders_updated.json', 'orders_paid.json']) {
      const order = parseShopifyJson<ShopifyOrder>(byFile.get(file)!);
      assert.equal(order.id, '820982911946154508');
      const invoice = orderInvoice(order, settings, 'email-then-external-id');
      assert.equal(invoice.shopifyOrderId, '820982911946154508');
      assert.equal(invoice.crossReference, '820982911946154508');
      assert.ok(invoice.billTo.kind === 'customer' && invoice.billTo.customer.shopifyCustomerId === '115310627314723954');
      for (const li of order.line_items)
        assert.ok(
          invoice.lines.some((l) => l.key === `item:${li.id}`),
          `line ${li.id} keyed by its exact id`,
        );
    }
    const order = parseShopifyJson<ShopifyOrder>(byFile.get('orders_create.json')!);
    const invoice = orderInvoice(order, settings, 'email-then-external-id');
    const refund = parseShopifyJson<ShopifyRefund>(byFile.get('refunds_create.json')!);
    assert.equal(refund.order_id, '820982911946154508');
    const memo = refundCreditMemo(refund, { id: order.id, name: order.name ?? null, billTo: invoice.billTo }, ledgerOfInvoice(invoice), settings);
    assert.ok(memo, 'the sample refund credits something');
    assert.equal(memo.shopifyOrderId, '820982911946154508');
    assert.ok(memo.reason.kind === 'refund' && memo.reason.shopifyRefundId === refund.id && /^\d{16,}$/.test(refund.id));
    for (const file of ['customers_create.json', 'customers_update.json']) {
      const customer = parseShopifyJson<ShopifyCustomer>(byFile.get(file)!);
      assert.equal(customerDocument(customer, 'email-then-external-id').shopifyCustomerId, '706405506930370084');
    }
  });
});
