import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import { parseShopifyJson } from '@mlc/partners-shopify-client';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { readiness, waitFor, type RunningService } from '@mlc/platform-testing';
import * as testing from '@mlc/platform-testing';
import { gatewayTestEnv, type GatewayTestEnv, type Watched } from '../testing/gateway-test-env';

const TENANT = 'shop-sweep';
const SECRET = 'shopify-sweep-secret';

describe('webhook-gateway: Shopify reconciliation sweep (real process, Kafka, Postgres, Shopify sandbox)', () => {
  let env: GatewayTestEnv<RunningService>;
  let sandbox: ShopifySandbox;
  let gateway: RunningService;
  let topic: Watched;

  let pool: Pool;
  const aboutOrder = (id: bigint) => topic.records().filter((r) => r.value.body.startsWith(`{"id":${id},`));
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };
  const ordersCursor = async (): Promise<number> => {
    const r = await pool.query<{ updated_since: Date }>("SELECT updated_since FROM gateway_sweep_cursors WHERE tenant_id = $1 AND resource = 'orders'", [
      TENANT,
    ]);
    return r.rows[0]!.updated_since.getTime();
  };
  /** Resolves after the gateway finished `n` more sweeps of the tenant. */
  async function sweeps(n: number): Promise<void> {
    const count = async (): Promise<number> => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      return Number(/mlc_sweep_runs_total\{outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const target = (await count()) + n;
    await waitFor(async () => (await count()) >= target, { what: `${n} more sweeps`, timeoutMs: 30_000 });
  }

  before(async () => {
    env = await gatewayTestEnv('gw_sweep', testing);
    pool = new Pool({ connectionString: env.db.url, max: 2 });
    sandbox = new ShopifySandbox({ seed: 5, timeScale: 5, clientSecret: SECRET });
    const sandboxUrl = await sandbox.listen();
    await env.tenants.createTenant({ id: TENANT, name: 'Shopify sweep', settings: { pollingIntervalsMs: { shopifyOrdersMs: 1000 } } }, 'test');
    await env.tenants.setConnection(
      TENANT,
      {
        partner: 'shopify',
        baseUrl: sandboxUrl,
        shopDomain: sandbox.shopDomain,
        apiVersion: '2026-10',
        webhookSecrets: [SECRET],
        auth: { type: 'client-credentials', clientId: sandbox.clientId, clientSecret: SECRET },
      },
      'test',
    );
    topic = await env.watch('shopify.webhook.received.v1');
    gateway = await env.startGateway({
      SHOPIFY_SWEEP_TICK_MS: '200',
      SHOPIFY_SWEEP_SETTLE_MS: '0',
      SHOPIFY_SWEEP_OVERLAP_MS: '60000',
      SHOPIFY_SWEEP_LOOKBACK_MS: '60000',
    });
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready' });
    await sweeps(1);
  });

  after(async () => {
    await pool?.end();
    sandbox?.dispatcher.close();
    await sandbox?.close();
    await env?.close();
  });

  it('publishes an order that no webhook announced, once, shaped like an orders/updated webhook', async () => {
    const customer = sandbox.createCustomer({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
    const order = sandbox.createOrder({
      id: 9007199254740993n + 10n,
      customerId: customer.id,
      lines: [{ sku: 'SKU-9', title: 'Gear', price: '12.50', quantity: 3 }],
      discount: { code: 'TWO', amount: '2.00' },
      shipping: { title: 'Express', price: '9.95' },
    });
    assert.equal(sandbox.deliveries.length, 0, 'no subscription: no webhook was sent');
    const [rec] = await waitFor(() => (aboutOrder(order.id).length > 0 ? aboutOrder(order.id) : undefined), { what: 'swept order on the topic' });
    assert.ok(rec);
    const v = rec.value;
    assert.equal(v.partner, 'shopify');
    assert.equal(v.topic, 'orders/updated');
    assert.equal(v.headers['mlc-origin'], 'sweep');
    assert.equal(v.headers['x-shopify-topic'], 'orders/updated');
    assert.equal(v.headers['x-shopify-shop-domain'], sandbox.shopDomain);
    assert.match(v.deliveryId, new RegExp(`^sweep:gid://shopify/Order/${order.id}:\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z$`));
    assert.equal(rec.key, `${TENANT}:${v.deliveryId}`);
    // Exact 64-bit ids as digits, money as strings.
    assert.ok(v.body.startsWith(`{"id":${order.id},"admin_graphql_api_id":"gid://shopify/Order/${order.id}"`), v.body.slice(0, 120));
    assert.ok(v.body.includes(`"customer":{"id":${customer.id},`));
    assert.ok(v.body.includes('"price":"12.50"'));
    assert.ok(v.body.includes('"currency":"CAD"'));
    // Discounts, tax lines per title and shipping lines in webhook shape, so the invoice matches the webhook's.
    assert.ok(v.body.includes('"total_discounts":"2.00"'));
    assert.ok(v.body.includes('"taxes_included":false'));
    assert.ok(v.body.includes('"discount_allocations":[{"amount":"2.00"'));
    assert.ok(v.body.includes(`"shipping_lines":[{"id":${order.id + 1n},"title":"Express"`), v.body);
    assert.ok(v.body.includes('"tax_lines":[{"price":"5.91","rate":0.13,"title":"HST"'), 'order tax: 13 % of 35.50 (4.62) + of 9.95 (1.29)');
    assert.doesNotThrow(() => JSON.parse(v.body));

    // The customer was swept too, as customers/update.
    const cust = await waitFor(() => topic.records().find((r) => r.value.topic === 'customers/update' && r.value.body.startsWith(`{"id":${customer.id},`)));
    assert.equal(cust.value.headers['mlc-origin'], 'sweep');
    assert.ok(cust.value.body.includes('"email":"ada@example.com"'));

    // Later sweeps re-read the overlap window and publish nothing again.
    await sweeps(3);
    assert.equal(aboutOrder(order.id).length, 1);
  });

  it('does not re-emit what a webhook delivered, and picks up a later change no webhook announced', async () => {
    const hookUrl = `${gateway.url}/webhooks/shopify/${TENANT}`;
    const sub = sandbox.subscribe({ topic: 'orders/create', uri: hookUrl });
    const order = sandbox.createOrder({ lines: [{ sku: 'SKU-1', title: 'Bolt', price: '1.05', quantity: 10 }] });
    await waitFor(() => aboutOrder(order.id).length === 1, { what: 'webhook published' });
    assert.equal(aboutOrder(order.id)[0]?.value.headers['mlc-origin'], 'webhook');
    await sweeps(3);
    assert.equal(aboutOrder(order.id).length, 1, 'the sweep skipped the version the webhook brought');

    sub.deleted = true;
    sandbox.editOrder(order.id, { tags: ['edited'] }); // orders/updated: nobody subscribed
    await waitFor(() => aboutOrder(order.id).length === 2, { what: 'the edit swept' });
    const edited = aboutOrder(order.id)[1]!.value;
    assert.equal(edited.headers['mlc-origin'], 'sweep');
    assert.ok(edited.body.includes('"tags":"edited"'));
    await sweeps(2);
    assert.equal(aboutOrder(order.id).length, 2);
  });

  it('after a burst, lists versions and reads whole only the orders no webhook brought', async () => {
    const sub = sandbox.subscribe({ topic: 'orders/create', uri: `${gateway.url}/webhooks/shopify/${TENANT}` });
    const newOrder = () => sandbox.createOrder({ lines: [{ sku: 'SKU-B', title: 'Burst', price: '2.00', quantity: 1 }] });
    try {
      const hooked = Array.from({ length: 60 }, newOrder);
      await waitFor(() => hooked.every((o) => aboutOrder(o.id).length >= 1), { what: 'the webhooks of 60 orders published' });
      // With no settle time (SHOPIFY_SWEEP_SETTLE_MS=0 here) a sweep may race a webhook still on its way on a loaded
      // machine; two more sweeps and every one of these versions is in the ledger before the count starts.
      await sweeps(2);
      const hookedRecords = hooked.map((o) => aboutOrder(o.id).length);
      const from = sandbox.graphqlLog.length;
      sandbox.webhookFaults = { drop: true };
      const missed = Array.from({ length: 12 }, newOrder);
      await waitFor(() => missed.every((o) => aboutOrder(o.id).length === 1), { what: 'the 12 orders no webhook announced swept' });
      await sweeps(2);
      for (const o of missed) assert.equal(aboutOrder(o.id).length, 1, `order ${o.id} published once`);
      assert.deepEqual(
        hooked.map((o) => aboutOrder(o.id).length),
        hookedRecords,
        'orders already in the ledger are listed again but not published again',
      );
      assert.ok(missed.every((o) => aboutOrder(o.id)[0]!.value.headers['mlc-origin'] === 'sweep'));
      const ops = sandbox.graphqlLog.slice(from);
      assert.equal(ops.filter((e) => e.operation === 'OrdersUpdatedSince').length, 0, 'no whole-order pages');
      assert.ok(ops.some((e) => e.operation === 'OrderVersionsUpdatedSince' && e.outcome === 'OK'));
      const readWhole = new Set(ops.filter((e) => e.operation === 'OrderById').map((e) => String(e.variables['id'])));
      assert.deepEqual([...readWhole].sort(), missed.map((o) => `gid://shopify/Order/${o.id}`).sort(), 'only the missed orders were read whole');
      // The lost webhooks arrive late, after the sweep published their versions: answered, not published again.
      const late = sandbox.deliveries.filter((d) => d.dropped && missed.some((o) => d.body.startsWith(`{"id":${o.id},`)));
      assert.equal(late.length, missed.length, 'one dropped orders/create delivery per missed order');
      for (const d of late) {
        const res = await fetch(`${gateway.url}/webhooks/shopify/${TENANT}`, {
          method: 'POST',
          headers: { ...d.headers, 'content-type': 'application/json' },
          body: d.body,
        });
        assert.equal(res.status, 200, await res.text());
      }
      await sweeps(2);
      for (const o of missed) assert.equal(aboutOrder(o.id).length, 1, `order ${o.id}: its late webhook is not published again`);
    } finally {
      sandbox.webhookFaults = {};
      sub.deleted = true;
    }
  });

  it("completes an order with more line items and shipping lines than a page holds, and writes its times in the shop's offset", async () => {
    const order = sandbox.createOrder({
      lines: Array.from({ length: 25 }, (_, i) => ({ sku: `PART-${i + 1}`, title: `Part ${i + 1}`, price: '2.00', quantity: 1 })),
      shippingLines: [1, 2, 3, 4].map((n) => ({ title: `Leg ${n}`, price: `${n}.00` })),
      processedAt: '2026-11-30T19:30:00-05:00',
    });
    const [rec] = await waitFor(() => (aboutOrder(order.id).length > 0 ? aboutOrder(order.id) : undefined), { what: 'the large order swept' });
    const body = parseShopifyJson<Record<string, any>>(rec!.value.body);
    assert.equal(body['line_items'].length, 25, 'all 25 line items, not the 10 of the page');
    assert.deepEqual(
      body['shipping_lines'].map((s: any) => s.title),
      ['Leg 1', 'Leg 2', 'Leg 3', 'Leg 4'],
    );
    assert.equal(body['processed_at'], '2026-11-30T19:30:00-05:00', "the shop's local time (America/New_York), not UTC");
    assert.match(body['created_at'], /-0[45]:00$/);
    assert.match(body['updated_at'], /-0[45]:00$/);
    assert.ok(sandbox.graphqlLog.some((e) => e.operation === 'OrderLineItems' && e.outcome === 'OK'));
    assert.ok(sandbox.graphqlLog.some((e) => e.operation === 'OrderShippingLines' && e.outcome === 'OK'));
    assert.ok(
      sandbox.graphqlLog.some((e) => e.operation === 'Shop'),
      'the shop time zone was read',
    );
  });

  it('an order that cannot be read whole is not published: counted, logged, the cursor held at it; published once it can be read', async () => {
    const incompleteBefore = await metric('mlc_sweep_incomplete_orders_total');
    sandbox.graphqlFaults = { tooCostly: ['OrderLineItems'] };
    try {
      const big = sandbox.createOrder({ lines: Array.from({ length: 12 }, (_, i) => ({ title: `Nut ${i + 1}`, price: '0.50', quantity: 1 })) });
      await waitFor(async () => (await metric('mlc_sweep_incomplete_orders_total')) > incompleteBefore, {
        what: 'the incomplete order counted',
        timeoutMs: 30_000,
      });
      // A later order the sweep can read is published meanwhile; the cursor still stays at the incomplete one.
      sandbox.advanceClock(1_000); // GraphQL times have whole seconds: the later order is a second later on Shopify's clock
      const small = sandbox.createOrder({ lines: [{ title: 'Washer', price: '0.10', quantity: 5 }] });
      await waitFor(() => aboutOrder(small.id).length === 1, { what: 'the later order swept' });
      await sweeps(2);
      assert.equal(aboutOrder(big.id).length, 0, 'nothing published for the order that could not be read whole');
      assert.ok((await metric('mlc_sweep_incomplete_orders_total')) >= incompleteBefore + 2, 'every sweep tried it again');
      assert.ok((await ordersCursor()) <= big.updatedAtMs, 'the cursor is not past the incomplete order');
      assert.match(gateway.output(), /SHOPIFY\.ORDER_INCOMPLETE/);
      assert.ok(gateway.output().includes(String(big.id)), 'the log names the order');
    } finally {
      sandbox.graphqlFaults = {};
    }
    const big = [...sandbox.orders.values()].find((o) => o.lineItems.length === 12 && o.lineItems[0]!.title === 'Nut 1')!;
    const [rec] = await waitFor(() => (aboutOrder(big.id).length > 0 ? aboutOrder(big.id) : undefined), { what: 'the order swept once readable' });
    assert.equal(parseShopifyJson<Record<string, any>>(rec!.value.body)['line_items'].length, 12);
    await sweeps(1);
    assert.ok((await ordersCursor()) > big.updatedAtMs, 'the cursor moved on');
    assert.equal(aboutOrder(big.id).length, 1);
  });
});
