import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

  const aboutOrder = (id: bigint) => topic.records().filter((r) => r.value.body.includes(`"id":${id},`));
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
    gateway = await env.startGateway({ SHOPIFY_SWEEP_TICK_MS: '200', SHOPIFY_SWEEP_SETTLE_MS: '0', SHOPIFY_SWEEP_OVERLAP_MS: '60000', SHOPIFY_SWEEP_LOOKBACK_MS: '60000' });
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready' });
    await sweeps(1);
  });

  after(async () => {
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
});
