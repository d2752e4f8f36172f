import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { DEMO_SEED, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { verifyShopifyWebhook } from '@mlc/partners-shopify-client';
import { partnerPingers } from '@mlc/tenancy';
import { ConnectionPingService, createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService, type Partner } from '@mlc/tenants';
import { collect, REPO_ROOT, TEST_ENCRYPTION_KEYS, testDatabase, testKafka, waitFor, type TestDatabase } from '@mlc/platform-testing';
import { topicName } from '@mlc/platform-kafka';

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/tools/seed-demo.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('seed-demo (npm start): demo tenant against the sandboxes, webhooks pointed at the gateway', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let fusion: FusionSandbox;
  let shipbob: ShipbobSandbox;
  let shopify: ShopifySandbox;
  let gateway: Server;
  const delivered: Array<{ url: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
  let env: Record<string, string>;
  let suffix: string;
  let changes: Awaited<ReturnType<typeof collect>>;

  before(async () => {
    const k = await testKafka('seed-demo');
    suffix = k.suffix;
    changes = await collect(k.kafka, topicName('tenant.config.changed.v1', suffix));
    db = await testDatabase('seed_demo');
    fusion = new FusionSandbox();
    shipbob = new ShipbobSandbox();
    shipbob.seedData(DEMO_SEED);
    shopify = new ShopifySandbox({ timeScale: 1000 });
    gateway = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        delivered.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', () => r()));
    const gatewayPort = (gateway.address() as { port: number }).port;
    env = {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      DEMO_FUSION_URL: await fusion.listen(0),
      DEMO_SHIPBOB_URL: await shipbob.listen(0),
      DEMO_SHOPIFY_URL: await shopify.listen(0),
      DEMO_WEBHOOK_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    };
    ds = createTenantsDataSource(db.url);
  });
  after(async () => {
    await changes?.stop();
    await Promise.all([fusion?.close(), shipbob?.close(), shopify?.close(), new Promise((r) => gateway?.close(r))]);
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('seeds once, changes nothing the second time, and publishes the changes on Kafka', async () => {
    const first = await run(env);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /ShipBob webhooks -> .*\/webhooks\/shipbob\/demo \(subscribed 6 topics\)/);
    assert.match(first.out, /Shopify webhooks -> .*\/webhooks\/shopify\/demo \(subscribed 7 topics\)/);
    const second = await run(env);
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /config version \d+ \(unchanged\)/);
    assert.match(second.out, /already subscribed[\s\S]*already subscribed/);
    assert.equal(shipbob.subscriptions.length, 1);
    assert.equal(
      shopify.subscriptions.filter((s) => s.uri.endsWith('/webhooks/shopify/demo')).length,
      7,
      'one subscription per topic, orders/cancelled included',
    );
    await waitFor(() => changes.messages.length >= 8, { what: 'demo change events on tenant.config.changed.v1' });
  });

  it('the seeded credentials are accepted by every sandbox and the Shopify webhook secret verifies deliveries', async () => {
    await ds.initialize();
    const config = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    const ping = new ConnectionPingService(config, partnerPingers());
    for (const p of ['fusion', 'shipbob', 'shopify'] as Partner[]) {
      const r = await ping.pingConnection('demo', p);
      assert.equal(r.failedCheck, null, `${p}: ${r.message}`);
    }
    const snap = await config.getTenantSnapshot('demo');
    assert.equal(snap.settings.pollingIntervalsMs.purchaseOrdersMs, 30_000);
    // Every item and ship-to location of the Fusion sandbox's demo POs is mapped, and every SKU exists in ShipBob.
    const pos = fusion.seedPurchaseOrders({
      count: 12,
      locations: [
        { LocationCode: 'SHIPBOB-RENO', OrganizationCode: 'RNO' },
        { LocationCode: 'SHIPBOB-DALLAS', OrganizationCode: 'DAL' },
      ],
      items: ['SKU-TSHIRT-M', 'SKU-HOODIE-L', 'SKU-CAP', 'SKU-MUG'],
    });
    const skus = new Set(
      (await (await fetch(`${env['DEMO_SHIPBOB_URL']}/2026-01/product?PageSize=50`, { headers: { authorization: `Bearer ${DEMO_SEED.pat}` } })).text()).match(
        /ML-\d{4}/g,
      ),
    );
    for (const po of pos) {
      assert.ok(snap.mappings['ship-to-fc'][po.ShipToLocationCode], `ship-to ${po.ShipToLocationCode} mapped`);
      for (const line of po.lines) {
        const sku = snap.mappings['item-product'][line.Item]?.shipbobSku;
        assert.ok(sku && skus.has(sku), `item ${line.Item} -> ${sku} exists in the ShipBob sandbox`);
      }
    }
    await fetch(`${env['DEMO_SHOPIFY_URL']}/__admin/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lines: [{ sku: 'ML-1001', title: 'Widget', price: '9.99', quantity: 1 }] }),
    });
    const hook = await waitFor(() => delivered.find((d) => d.url === '/webhooks/shopify/demo'), { what: 'a Shopify webhook at the gateway URL' });
    const verified = verifyShopifyWebhook({
      rawBody: hook.body,
      hmacHeader: hook.headers['x-shopify-hmac-sha256'],
      secrets: snap.connections.shopify!.webhookSecrets,
    });
    assert.equal(verified.ok, true, JSON.stringify(verified));
  });
});
