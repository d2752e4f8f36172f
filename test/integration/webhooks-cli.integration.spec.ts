import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { AvroCodec, type WebhookReceived } from '@mlc/contracts';
import { DEMO_PAT, DEMO_SEED, DEMO_CHANNEL_ID, ShipbobSandbox, generateWebhookSecret, type SentWebhook } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { topicName } from '@mlc/platform-kafka';
import {
  collect,
  readiness,
  REPO_ROOT,
  startService,
  testDatabase,
  testKafka,
  waitFor,
  TEST_ENCRYPTION_KEYS,
  type RunningService,
  type TestDatabase,
} from '@mlc/platform-testing';
import {
  createTenantsDataSource,
  InMemoryTenantChangePublisher,
  SecretBox,
  TenantConfigService,
  type ShipbobConnection,
  type ShopifyConnection,
} from '@mlc/tenants';

const KEY = 'opskey-webhooks-cli';
/** An operator key scoped to another tenant. */
const OTHER_KEY = 'opskey-webhooks-cli-other';
const T = 'acme2';
const SHIPBOB_SECRET = generateWebhookSecret();
const APP_SECRET = 'acme2-shopify-app-secret-1';
const APP_SECRET_2 = 'acme2-shopify-app-secret-2';

type Collected = { messages: Array<{ key: Buffer | null; value: Buffer | null }>; stop: () => Promise<void> };

/**
 * `mlc webhooks` end to end: a second (non-demo) tenant is subscribed at the ShipBob and Shopify sandboxes through
 * the CLI → audit-projector's admin API → the tenant's partner clients; the sandboxes' signed deliveries then reach
 * the real webhook-gateway and are published on Kafka. Real Kafka, PostgreSQL and service processes.
 */
describe('mlc webhooks against audit-projector, webhook-gateway and the ShipBob / Shopify sandboxes', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let ds: DataSource;
  let tenants: TenantConfigService;
  let shipbob: ShipbobSandbox;
  let shopify: ShopifySandbox;
  let gateway: RunningService;
  let projector: RunningService;
  const watched: Record<string, Collected> = {};
  const codec = new AvroCodec();

  /** The real `mlc` (dist/services/cli), its exit code, stdout and stderr. */
  function mlc(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/services/cli/src/main.js'), ...argv],
        { env: { ...process.env, MLC_API_URL: projector.url, MLC_API_KEY: KEY, ...env }, timeout: 60_000 },
        (err, out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: stderr }),
      );
    });
  }
  const json = async <R>(argv: string[], env?: Record<string, string>): Promise<{ code: number; body: R; err: string }> => {
    const r = await mlc([...argv, '--json'], env);
    return { code: r.code, body: (r.out ? JSON.parse(r.out) : undefined) as R, err: r.err };
  };
  const received = (topic: 'shipbob.webhook.received.v1' | 'shopify.webhook.received.v1'): WebhookReceived[] =>
    watched[topic]!.messages.map((m) => codec.decodeFor(topic, m.value!).value);
  const sentShipbob = (): SentWebhook[] => (shipbob as unknown as { sentWebhooks: SentWebhook[] }).sentWebhooks;
  const hookUrl = (partner: string) => `${gateway.url}/webhooks/${partner}/${T}`;
  /** A ShipBob subscription URL of ours: the tenant's gateway URL plus `?key=<secret fingerprint>`. */
  const atTenantUrl = (url: string) => url.split('?')[0] === hookUrl('shipbob');

  /** Makes the ShipBob sandbox send one order.shipped to every subscription; waits until the gateway published it. */
  async function shipbobDeliveryAccepted(orderId: number): Promise<SentWebhook> {
    const from = sentShipbob().length;
    shipbob.emit('order.shipped', {
      id: orderId,
      reference_id: `PO-${orderId}-L1`,
      status: 'Fulfilled',
      shipments: [{ id: orderId * 10, tracking: { tracking_number: `1Z${orderId}` } }],
    });
    const ours = sentShipbob()
      .slice(from)
      .filter((w) => atTenantUrl(w.url));
    assert.equal(ours.length, 1, 'one delivery to the tenant URL');
    const hook = ours[0]!;
    await waitFor(() => shipbob.dispatcher.attempts.some((a) => a.webhookId === hook.id && a.status === 200), {
      what: 'the gateway answered 200',
      timeoutMs: 30_000,
    });
    const rec = await waitFor(() => received('shipbob.webhook.received.v1').find((r) => r.deliveryId === hook.id), {
      what: 'the delivery on shipbob.webhook.received.v1',
      timeoutMs: 30_000,
    });
    assert.equal(rec.meta.tenantId, T);
    assert.equal(rec.body, hook.body);
    return hook;
  }

  before(async () => {
    ({ kafka, suffix } = await testKafka('whcli'));
    db = await testDatabase('whcli');
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    tenants = new TenantConfigService({
      dataSource: ds,
      secretBox: new SecretBox(TEST_ENCRYPTION_KEYS),
      publisher: new InMemoryTenantChangePublisher(),
      snapshotCacheTtlMs: 0,
    });
    shipbob = new ShipbobSandbox({ seed: 16, webhookTimeScale: 10 });
    shipbob.seedData(DEMO_SEED);
    const shipbobUrl = await shipbob.listen();
    shopify = new ShopifySandbox({ seed: 16, timeScale: 5, clientSecret: APP_SECRET });
    const shopifyUrl = await shopify.listen();
    await tenants.createTenant({ id: T, name: 'Acme Two' }, 'test');
    await tenants.createTenant({ id: 'acme-bare', name: 'No connections yet' }, 'test');
    await tenants.setConnection(
      T,
      { partner: 'shipbob', baseUrl: shipbobUrl, channelId: DEMO_CHANNEL_ID, webhookSecrets: [SHIPBOB_SECRET], auth: { type: 'pat', token: DEMO_PAT } },
      'test',
    );
    await tenants.setConnection(
      T,
      {
        partner: 'shopify',
        baseUrl: shopifyUrl,
        shopDomain: shopify.shopDomain,
        apiVersion: '2026-10',
        webhookSecrets: [APP_SECRET],
        auth: { type: 'client-credentials', clientId: shopify.clientId, clientSecret: APP_SECRET },
      },
      'test',
    );
    gateway = await startService('webhook-gateway', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      TENANT_CACHE_TTL_MS: '0',
      SHOPIFY_SWEEP_ENABLED: 'false',
      SHIPBOB_SWEEP_ENABLED: 'false',
    });
    projector = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      TENANT_CACHE_TTL_MS: '0',
      MLC_OPERATOR_API_KEYS: `${KEY}:*,${OTHER_KEY}:someone-else`,
      OPS_LAG_GROUPS: `none${suffix}`,
      MLC_WEBHOOK_BASE_URL: gateway.url,
    });
    for (const t of ['shipbob.webhook.received.v1', 'shopify.webhook.received.v1', 'ops.operator-action.recorded.v1'])
      watched[t] = await collect(kafka, topicName(t, suffix));
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready' });
  });

  after(async () => {
    await Promise.allSettled(Object.values(watched).map((w) => w.stop()));
    shipbob?.dispatcher.close();
    shopify?.dispatcher.close();
    await shipbob?.close();
    await shopify?.close();
    await projector?.stop();
    await gateway?.stop();
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('refuses a bad partner or missing argument (usage, exit 2), an unknown tenant (404), a key of another tenant (403), an unknown body field or a bad gateway URL (400)', async () => {
    const fusion = await mlc(['webhooks', 'list', T, 'fusion']);
    assert.equal(fusion.code, 2);
    assert.match(fusion.err, /partner must be shipbob or shopify, not "fusion"/);
    const nobody = await mlc(['webhooks', 'subscribe', 'nobody', 'shipbob']);
    assert.equal(nobody.code, 1);
    assert.match(nobody.err, /TENANTS\.NOT_FOUND \(404\)/);
    const bare = await mlc(['webhooks', 'list', 'acme-bare', 'shopify']);
    assert.equal(bare.code, 1);
    assert.match(bare.err, /TENANTS\.NOT_FOUND \(404\): tenant acme-bare has no shopify connection: set it first \(mlc connections set acme-bare shopify/);
    const missing = await mlc(['webhooks', 'list', T]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /missing <tenant> <partner>/);
    const scoped = await mlc(['webhooks', 'subscribe', T, 'shipbob'], { MLC_API_KEY: OTHER_KEY });
    assert.equal(scoped.code, 1);
    assert.match(scoped.err, /\(403\): this API key may not access that tenant/);
    const unknownField = await fetch(`${projector.url}/admin/tenants/${T}/webhooks/shipbob/subscribe`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ gatewayUrl: gateway.url, secret: 'whsec_mine' }),
    });
    assert.equal(unknownField.status, 400);
    assert.match(await unknownField.text(), /unknown field\(s\): secret/);
    const badUrl = await mlc(['webhooks', 'subscribe', T, 'shipbob', '--gateway-url', 'ftp://gw.example.com']);
    assert.equal(badUrl.code, 1);
    assert.match(badUrl.err, /WEBHOOKS\.VALIDATION \(400\): gatewayUrl must be an http\(s\) URL/);
    assert.equal(shipbob.subscriptions.length, 0, 'nothing was created by the refused calls');
  });

  it('ShipBob: list shows the missing topics (exit 3), subscribe creates them once with the stored secret, deliveries reach Kafka', async () => {
    const before = await mlc(['webhooks', 'list', T, 'shipbob']);
    assert.equal(before.code, 3, before.err);
    assert.match(before.out, /MISSING \(no subscription to the expected URL\): order\.shipped, /);
    assert.match(before.out, new RegExp(`expected URL: ${hookUrl('shipbob').replace(/[.]/g, '\\.')}`));

    const sub = await mlc(['webhooks', 'subscribe', T, 'shipbob']);
    assert.equal(sub.code, 0, sub.err);
    assert.match(sub.out, /subscribed 6 topic\(s\) in 1 subscription\(s\)/);
    assert.ok(!sub.out.includes(SHIPBOB_SECRET) && !sub.out.includes('whsec_'), 'no secret printed');
    const ours = shipbob.subscriptions.filter((s) => atTenantUrl(s.url));
    assert.equal(ours.length, 1);
    assert.equal(ours[0]!.secret, SHIPBOB_SECRET, 'ShipBob signs with the secret stored for the tenant');

    const again = await json<{ created: unknown[]; missingTopics: string[] }>(['webhooks', 'subscribe', T, 'shipbob']);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(again.body.created, []);
    assert.equal(shipbob.subscriptions.filter((s) => atTenantUrl(s.url)).length, 1, 'idempotent');

    const list = await json<{ missingTopics: string[]; subscriptions: Array<{ ours: boolean; topics: string[] }> }>(['webhooks', 'list', T, 'shipbob']);
    assert.equal(list.code, 0);
    assert.deepEqual(list.body.missingTopics, []);
    assert.equal(list.body.subscriptions.filter((s) => s.ours).length, 1);

    await shipbobDeliveryAccepted(90001);
    const actions = await waitFor(
      () => {
        const a = watched['ops.operator-action.recorded.v1']!.messages.map((m) => codec.decodeFor('ops.operator-action.recorded.v1', m.value!).value).filter(
          (v) => v.action === 'webhooks-subscribe' && v.meta.tenantId === T,
        );
        return a.length >= 2 ? a : undefined;
      },
      { what: 'subscribe recorded as operator actions' },
    );
    assert.equal(actions[0]!.target, `${T}:shipbob`);
    assert.ok(!JSON.stringify(actions).includes(SHIPBOB_SECRET));
  });

  it('ShipBob: rotate stores a new secret, re-creates the subscription with it, deletes the old one; deliveries stay accepted', async () => {
    const oldIds = shipbob.subscriptions.filter((s) => atTenantUrl(s.url)).map((s) => s.id);
    const r = await json<{ created: Array<{ id: string }>; deleted: string[]; secretsStored: number; missingTopics: string[] }>([
      'webhooks',
      'rotate',
      T,
      'shipbob',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.body.deleted, oldIds);
    assert.equal(r.body.secretsStored, 2);
    assert.deepEqual(r.body.missingTopics, []);
    const now = shipbob.subscriptions.filter((s) => atTenantUrl(s.url));
    assert.deepEqual(
      now.map((s) => s.id),
      [r.body.created[0]!.id],
    );
    const conn = (await tenants.getConnection(T, 'shipbob')) as ShipbobConnection;
    assert.equal(conn.webhookSecrets.length, 2);
    assert.equal(conn.webhookSecrets[1], SHIPBOB_SECRET, 'the old secret is still accepted');
    assert.equal(now[0]!.secret, conn.webhookSecrets[0], 'the new subscription signs with the new stored secret');
    assert.notEqual(conn.webhookSecrets[0], SHIPBOB_SECRET);

    const hook = await shipbobDeliveryAccepted(90002);
    assert.equal(hook.subscriptionId, now[0]!.id);

    const finish = await json<{ secretsStored: number }>(['webhooks', 'rotate', T, 'shipbob', '--finish']);
    assert.equal(finish.code, 0, finish.err);
    assert.equal(finish.body.secretsStored, 1);
    await shipbobDeliveryAccepted(90003);
  });

  it('ShipBob findings for doctor: ok when covered and signed with a stored secret; a subscription with a foreign secret fails with the fix', async () => {
    const call = async (): Promise<Array<{ check: string; status: string; fix?: string }>> => {
      const res = await fetch(`${projector.url}/admin/tenants/${T}/webhooks/shipbob/findings`, { headers: { 'x-api-key': KEY } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { findings: Array<{ check: string; status: string; fix?: string }> }).findings;
    };
    assert.deepEqual(
      (await call()).map((f) => `${f.check}:${f.status}`),
      ['webhook-subscriptions:ok', 'webhook-subscription-secret:ok', 'webhook-secret:ok'],
    );
    const foreign = await fetch(`${shipbob.url}/2026-01/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_PAT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topics: ['return.created'], url: `${hookUrl('shipbob')}?key=000000000000`, secret: generateWebhookSecret() }),
    });
    assert.equal(foreign.status, 200, await foreign.text());
    const bad = (await call()).find((f) => f.check === 'webhook-subscription-secret')!;
    assert.equal(bad.status, 'fail');
    assert.equal(bad.fix, `mlc webhooks rotate ${T} shipbob`);
    const rotated = await mlc(['webhooks', 'rotate', T, 'shipbob']);
    assert.equal(rotated.code, 0, rotated.err);
    assert.deepEqual(
      (await call()).map((f) => `${f.check}:${f.status}`),
      ['webhook-subscriptions:ok', 'webhook-subscription-secret:ok', 'webhook-secret:warn'],
    );
    const listed = await mlc(['webhooks', 'list', T, 'shipbob']);
    assert.equal(listed.code, 0);
    assert.doesNotMatch(listed.out, /NOT STORED/);
  });

  it("Shopify: subscribe creates one app subscription per topic; an order's deliveries reach Kafka; rotate accepts old and new app secrets", async () => {
    const before = await mlc(['webhooks', 'list', T, 'shopify']);
    assert.equal(before.code, 3, before.err);
    const sub = await json<{ created: Array<{ topics: string[] }>; missingTopics: string[] }>(['webhooks', 'subscribe', T, 'shopify']);
    assert.equal(sub.code, 0, sub.err);
    assert.deepEqual(sub.body.created.map((c) => c.topics[0]).sort(), [
      'customers/create',
      'customers/update',
      'orders/cancelled',
      'orders/create',
      'orders/paid',
      'orders/updated',
      'refunds/create',
    ]);
    assert.deepEqual(sub.body.missingTopics, []);
    const again = await json<{ created: unknown[] }>(['webhooks', 'subscribe', T, 'shopify']);
    assert.deepEqual(again.body.created, []);
    assert.equal(shopify.subscriptions.filter((s) => s.uri === hookUrl('shopify') && !s.deleted).length, 7);
    assert.equal((await mlc(['webhooks', 'list', T, 'shopify'])).code, 0);

    const deliveredFor = async (orderIdText: string): Promise<void> => {
      const ds = shopify.deliveries.filter((d) => d.uri === hookUrl('shopify') && d.body.includes(orderIdText));
      assert.ok(ds.length >= 2, 'the order was delivered for several topics');
      await waitFor(() => ds.every((d) => shopify.dispatcher.attempts.some((a) => a.webhookId === d.webhookId && a.status === 200)), {
        what: 'Shopify deliveries answered 200',
        timeoutMs: 40_000,
      });
      await waitFor(
        () => ds.every((d) => received('shopify.webhook.received.v1').some((r) => r.meta.tenantId === T && r.body === d.body && r.topic === d.topic)),
        { what: 'Shopify deliveries on Kafka' },
      );
    };
    const o1 = shopify.createOrder({ paid: true, lines: [{ sku: 'SKU-1', title: 'Widget', price: '19.99', quantity: 1 }] });
    await deliveredFor(String(o1.id));

    // The operator rotates the app secret in the Partner dashboard: Shopify signs with the old or the new one for a while.
    shopify.rotateSecret(APP_SECRET_2, 3_600_000);
    const bad = await mlc(['webhooks', 'rotate', T, 'shopify']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--new-secret-env/);
    const rot = await json<{ secretsStored: number; summary: string }>(['webhooks', 'rotate', T, 'shopify', '--new-secret-env', 'NEW_APP_SECRET'], {
      NEW_APP_SECRET: APP_SECRET_2,
    });
    assert.equal(rot.code, 0, rot.err);
    assert.equal(rot.body.secretsStored, 2);
    assert.ok(!JSON.stringify(rot.body).includes(APP_SECRET_2), 'the secret is not echoed');
    const conn = (await tenants.getConnection(T, 'shopify')) as ShopifyConnection;
    assert.deepEqual(conn.webhookSecrets, [APP_SECRET_2, APP_SECRET]);
    const o2 = shopify.createOrder({ paid: true, lines: [{ sku: 'SKU-2', title: 'Gadget', price: '5.00', quantity: 3 }] });
    await deliveredFor(String(o2.id));
    const signed = new Set(shopify.deliveries.filter((d) => d.body.includes(String(o2.id))).map((d) => d.signedWith));
    assert.ok(signed.has('previous') && signed.has('current'), 'deliveries signed with both secrets were accepted');

    const finish = await json<{ secretsStored: number }>(['webhooks', 'rotate', T, 'shopify', '--finish']);
    assert.equal(finish.code, 0, finish.err);
    assert.deepEqual(((await tenants.getConnection(T, 'shopify')) as ShopifyConnection).webhookSecrets, [APP_SECRET_2]);
  });
});
