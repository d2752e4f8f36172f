import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '@mlc/platform-testing';
import { RawNumber, toExactJson } from './exact-json';
import { signShopifyWebhook } from './shopify-webhook.signer';
import { ID_BEYOND_2_POW_53 } from './shopify.model';
import { PUBLISHED_SAMPLES_API_VERSION, SHOPIFY_RETRY_SCHEDULE_SEC, ShopifySandbox, UNAUTHORIZED_BODY } from './shopify.sandbox';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body exactly as it arrived. */
  raw: Buffer;
}

/** A webhook endpoint on 127.0.0.1:0 recording what arrives; `status` decides the answer. */
async function receiver(status: () => number = () => 200): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      got.push({ headers: req.headers, body: raw.toString('utf8'), raw });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, got, server };
}

async function poll<T>(fn: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setImmediate(r));
  }
}

async function gql(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() };
}

const ORDER_VERSIONS_UPDATED_SINCE_QUERY = `query OrderVersionsUpdatedSince($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) { nodes { id updatedAt } pageInfo { hasNextPage endCursor } } }`;
const ORDERS_Q = 'query OrdersUpdatedSince($first: Int!, $after: String, $query: String, $lineItemsFirst: Int!) { orders(first: $first) { nodes { id } } }';

describe('exact JSON and the signer', () => {
  it('writes bigint ids as exact digits and raw numbers verbatim', () => {
    assert.equal(toExactJson({ id: ID_BEYOND_2_POW_53, a: [1n, null], s: new RawNumber('0.0'), u: undefined }), '{"id":9007199254740993,"a":[1,null],"s":0.0}');
    assert.throws(() => toExactJson({ id: 2 ** 53 + 2 }), /unsafe integer/);
  });

  it('matches the published HMAC vectors (shopify.md §6)', () => {
    assert.equal(signShopifyWebhook('{"foo": "bar"}', 'test_secret_key'), 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=');
    assert.equal(signShopifyWebhook('{"foo":"bar"}', '7008c5f4da4718b9b45d26d3fcbbb157'), '+R9TwYM4mbLTk3hEAOBkpA7zW2lc9vNFmVKs2u2jtyY=');
  });
});

describe('ShopifySandbox data and webhooks', () => {
  const sandbox = new ShopifySandbox({ seed: 7, timeScale: 1_000_000 });
  let url = '';
  let hook: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    url = await sandbox.listen();
    hook = await receiver();
  });
  after(async () => {
    sandbox.dispatcher.close();
    await sandbox.close();
    hook.server.close();
  });
  beforeEach(() => {
    hook.got.length = 0;
    sandbox.webhookFaults = {};
  });

  it('seeds deterministically, with a guest order and an order id above 2^53 written exactly', async () => {
    const a = new ShopifySandbox({ seed: 7 });
    a.seedData();
    await fetch(`${url}/__admin/seed`, { method: 'POST', body: JSON.stringify({}) });
    const text = await (await fetch(`${url}/__admin/orders`)).text();
    const ids = [...a.orders.keys()].map(String);
    assert.deepEqual(ids, [...sandbox.orders.keys()].map(String));
    assert.ok(text.includes(`"id":${ID_BEYOND_2_POW_53}`), 'the 2^53+1 id is in the body as an exact number');
    const guest = [...sandbox.orders.values()].find((o) => o.customerId === null)!;
    assert.ok(text.includes(`"id":${guest.id},`));
    const guestJson = JSON.parse(text).items.find((o: any) => o.order_number === guest.orderNumber);
    assert.equal(guestJson.customer, null);
    assert.equal(guestJson.shipping_address, null);
    assert.equal(typeof guestJson.total_price, 'string');
  });

  it('delivers orders/create with every documented header and a body signed over its exact bytes', async () => {
    sandbox.subscribe({ topic: 'orders/create', uri: hook.url, apiVersion: '2025-07', name: 'erp-sync' });
    const res = await fetch(`${url}/__admin/orders`, {
      method: 'POST',
      body: JSON.stringify({ id: '9007199254740995', lines: [{ sku: 'A-1', title: 'Thing', price: '19.99', quantity: 2 }] }),
    });
    assert.equal(res.status, 201);
    const got = await poll(() => hook.got[0]);
    const h = got.headers;
    assert.equal(h['x-shopify-topic'], 'orders/create');
    assert.equal(h['x-shopify-shop-domain'], 'mlc-demo.myshopify.com');
    assert.equal(h['x-shopify-api-version'], '2025-07');
    assert.equal(h['x-shopify-name'], 'erp-sync');
    assert.match(String(h['x-shopify-webhook-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(h['x-shopify-event-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(h['x-shopify-triggered-at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(h['x-shopify-hmac-sha256'], signShopifyWebhook(got.body, sandbox.clientSecret));
    assert.ok(got.body.startsWith('{"id":9007199254740995,'));
    const body = JSON.parse(got.body);
    assert.equal(body.total_price, '45.18'); // 2 × 19.99 + 13 % HST, no shipping for a guest
    assert.equal(body.customer, null);
    assert.ok('checkout_id' in body, '2025-07 still has checkout_id');
    assert.ok(!('line_item_groups' in body), 'line_item_groups arrives with 2025-10');
  });

  it('serialises per subscription version: 2026-10 drops checkout_id and has line_item_groups', async () => {
    sandbox.subscriptions.length = 0;
    sandbox.subscribe({ topic: 'orders/updated', uri: hook.url, apiVersion: '2026-10' });
    sandbox.subscribe({ topic: 'orders/updated', uri: hook.url, apiVersion: '2024-01' });
    const order = [...sandbox.orders.values()].find((o) => o.customerId !== null)!;
    await fetch(`${url}/__admin/orders/${order.id}/edit`, { method: 'POST', body: JSON.stringify({ tags: ['edited'] }) });
    await poll(() => hook.got.length === 2 || undefined);
    const versions = hook.got.map((g) => g.headers['x-shopify-api-version']).sort();
    assert.deepEqual(versions, ['2025-07', '2026-10'], 'an unsupported version falls forward to the oldest supported');
    const latest = JSON.parse(hook.got.find((g) => g.headers['x-shopify-api-version'] === '2026-10')!.body);
    assert.ok(!('checkout_id' in latest));
    assert.deepEqual(latest.line_item_groups, []);
    assert.equal(latest.tags, 'edited');
    assert.equal(typeof latest.customer.id, 'number');
  });

  it('a refund updates the stored order and emits refunds/create then orders/updated under one Event-Id', async () => {
    sandbox.subscriptions.length = 0;
    sandbox.subscribe({ topic: 'refunds/create', uri: hook.url });
    sandbox.subscribe({ topic: 'orders/updated', uri: hook.url });
    const order = sandbox.orders.get(ID_BEYOND_2_POW_53)!;
    const line = order.lineItems[0]!;
    const before = line.currentQuantity;
    const res = await fetch(`${url}/__admin/orders/${order.id}/refunds`, {
      method: 'POST',
      body: JSON.stringify({ lines: [{ lineItemId: String(line.id), quantity: 1 }] }),
    });
    assert.equal(res.status, 201);
    assert.equal(sandbox.orders.get(ID_BEYOND_2_POW_53)!.lineItems[0]!.currentQuantity, before - 1);
    await poll(() => hook.got.length === 2 || undefined);
    const refund = hook.got.find((g) => g.headers['x-shopify-topic'] === 'refunds/create')!;
    const updated = hook.got.find((g) => g.headers['x-shopify-topic'] === 'orders/updated')!;
    assert.equal(refund.headers['x-shopify-event-id'], updated.headers['x-shopify-event-id']);
    assert.notEqual(refund.headers['x-shopify-webhook-id'], updated.headers['x-shopify-webhook-id']);
    assert.ok(refund.body.includes('"order_id":9007199254740993'));
    assert.match(refund.body, /"subtotal":\d+\.\d+,/, 'refund line subtotal is a JSON number, as in Shopify samples');
    assert.equal(JSON.parse(updated.body).financial_status, 'partially_refunded');
    const bad = await fetch(`${url}/__admin/orders/${order.id}/refunds`, {
      method: 'POST',
      body: JSON.stringify({ lines: [{ lineItemId: String(line.id), quantity: 99 }] }),
    });
    assert.equal(bad.status, 422);
  });

  it('retries a failing endpoint on the scaled 8-retry schedule with the original body and headers', async () => {
    let calls = 0;
    const flaky = await receiver(() => (++calls < 4 ? 500 : 200));
    sandbox.subscriptions.length = 0;
    sandbox.subscribe({ topic: 'customers/create', uri: flaky.url });
    await fetch(`${url}/__admin/customers`, { method: 'POST', body: JSON.stringify({ firstName: 'Ada', lastName: 'Byron', email: null }) });
    await sandbox.dispatcher.idle();
    flaky.server.close();
    const attempts = sandbox.dispatcher.attempts.filter((a) => a.url === flaky.url);
    assert.deepEqual(
      attempts.map((a) => a.status),
      [500, 500, 500, 200],
    );
    assert.equal(new Set(flaky.got.map((g) => g.body)).size, 1);
    assert.equal(new Set(flaky.got.map((g) => g.headers['x-shopify-triggered-at'])).size, 1);
    assert.equal(new Set(flaky.got.map((g) => g.headers['x-shopify-webhook-id'])).size, 1);
    assert.equal(JSON.parse(flaky.got[0]!.body).email, null);
    assert.equal(SHOPIFY_RETRY_SCHEDULE_SEC.length, 8);
    assert.equal(
      SHOPIFY_RETRY_SCHEDULE_SEC.reduce((a, b) => a + b, 0),
      4 * 3600,
    );
  });

  it('deletes a subscription after 8 deliveries failed every retry', async () => {
    const dead = await receiver(() => 503);
    sandbox.subscriptions.length = 0;
    const sub = sandbox.subscribe({ topic: 'customers/update', uri: dead.url });
    const c = [...sandbox.customers.values()][0]!;
    for (let i = 0; i < 8; i++) {
      sandbox.updateCustomer(c.id, { note: `n${i}` } as never);
      await sandbox.dispatcher.idle();
    }
    assert.equal(sub.deleted, false);
    sandbox.updateCustomer(c.id, { firstName: 'Again' });
    assert.equal(sub.deleted, true);
    await sandbox.dispatcher.idle();
    dead.server.close();
    assert.equal(dead.got.length, 8 * 9, 'nothing delivered after the deletion');
  });

  it('duplicates, reorders and mis-signs on demand', async () => {
    sandbox.subscriptions.length = 0;
    sandbox.subscribe({ topic: 'orders/create', uri: hook.url });
    sandbox.subscribe({ topic: 'orders/updated', uri: hook.url });
    await fetch(`${url}/__admin/webhook-faults`, { method: 'POST', body: JSON.stringify({ duplicate: true, reorder: true, badSignatureCount: 1 }) });
    const o = sandbox.createOrder({ lines: [{ title: 'X', price: '1.00', quantity: 1 }] });
    sandbox.editOrder(o.id, { tags: ['x'] });
    assert.equal(hook.got.length, 0, 'held until flushed');
    await fetch(`${url}/__admin/webhooks/flush`, { method: 'POST' });
    await poll(() => hook.got.length === 4 || undefined);
    assert.deepEqual(hook.got.map((g) => g.headers['x-shopify-topic']).slice(0, 2), ['orders/updated', 'orders/updated']);
    const ids = hook.got.map((g) => g.headers['x-shopify-webhook-id']);
    assert.equal(new Set(ids).size, 2, 'duplicates share the webhook id');
    const valid = hook.got.filter((g) => g.headers['x-shopify-hmac-sha256'] === signShopifyWebhook(g.body, sandbox.clientSecret));
    assert.equal(valid.length, 2, 'the first delivery (orders/create, both copies) was badly signed');
    const log = (await (await fetch(`${url}/__admin/webhooks/deliveries`)).json()) as { items: Array<{ signedWith: string }> };
    assert.deepEqual(
      log.items.slice(-2).map((d) => d.signedWith),
      ['bad', 'current'],
    );
  });
});

describe('ShopifySandbox GraphQL and tokens', () => {
  const sandbox = new ShopifySandbox({ seed: 3 });
  let url = '';
  let token = '';
  before(async () => {
    url = await sandbox.listen();
    sandbox.seedData({ customers: 4, orders: 6 });
    token = sandbox.issueToken({ expiresInSec: 3600 }).access_token;
  });
  after(() => sandbox.close());

  it('answers discounts, tax lines per title and shipping lines in GraphQL as its REST payload has them', async () => {
    const res = await fetch(`${url}/__admin/orders`, {
      method: 'POST',
      body: JSON.stringify({
        lines: [
          { sku: 'A', title: 'Gear', price: '12.99', quantity: 3 },
          { sku: 'B', title: 'Bolt', price: '1.05', quantity: 7 },
        ],
        discount: { code: 'TEN', amount: '10.00' },
        shipping: { title: 'Express', code: 'EXP', price: '9.95' },
        taxes: [
          { title: 'State Tax', rate: '0.0625' },
          { title: 'County Tax', rate: '0.0125' },
        ],
      }),
    });
    assert.equal(res.status, 201);
    const rest = JSON.parse(await res.text());
    assert.equal(rest.total_discounts, '10.00');
    assert.equal(rest.subtotal_price, '36.32', 'after discounts');
    assert.equal(rest.total_price, '49.73');
    assert.deepEqual(
      rest.tax_lines.map((t: any) => [t.title, t.rate, t.price]),
      [
        ['State Tax', 0.0625, '2.89'],
        ['County Tax', 0.0125, '0.57'],
      ],
    );
    assert.deepEqual(
      rest.line_items.map((l: any) => l.discount_allocations.map((a: any) => a.amount)),
      [['8.42'], ['1.58']],
    );
    assert.deepEqual(
      rest.shipping_lines.map((s: any) => [s.title, s.code, s.price, s.tax_lines.map((t: any) => t.price)]),
      [['Express', 'EXP', '9.95', ['0.62', '0.12']]],
    );
    assert.equal(rest.discount_codes[0].code, 'TEN');

    const q = 'query OrderById($id: ID!, $lineItemsFirst: Int!, $shippingLinesFirst: Int!) { order(id: $id) { id } }';
    const ans = await gql(url, token, q, { id: `gid://shopify/Order/${rest.id}`, lineItemsFirst: 10, shippingLinesFirst: 3 });
    const o = ans.body.data.order;
    // Shopify's rule (objects 1, a *Set and its shopMoney 1 each, connections 2 + first), lists assumed 2 long:
    // order 1 + 10 money bags × 2 + taxLines 2 × 3 + customer 1 + 2 addresses
    // + lineItems 2 + 10 × (1 + 2 + taxLines 2 × 3 + discountAllocations 2 × 3)
    // + shippingLines 2 + 3 × (1 + 2 × 2 + taxLines 2 × 3).
    assert.equal(ans.body.extensions.cost.requestedQueryCost, 1 + 20 + 6 + 1 + 2 + (2 + 10 * 15) + (2 + 3 * 11));
    assert.equal(ans.body.extensions.cost.requestedQueryCost, 217);
    // Actual: what came back — a guest order (customer and addresses null, 0), 2 tax lines, 2 line items each with
    // 2 tax lines and 1 discount allocation, 1 shipping line with 2 tax lines.
    assert.equal(ans.body.extensions.cost.actualQueryCost, 1 + 20 + 6 + (2 + 2 * (1 + 2 + 6 + 3)) + (2 + 1 * 11));
    assert.equal(o.totalDiscountsSet.shopMoney.amount, rest.total_discounts);
    assert.equal(o.taxesIncluded, false);
    assert.deepEqual(
      o.taxLines.map((t: any) => [t.title, t.rate, t.priceSet.shopMoney.amount]),
      rest.tax_lines.map((t: any) => [t.title, t.rate, t.price]),
    );
    assert.deepEqual(
      o.lineItems.nodes.map((l: any) => [
        l.discountAllocations.map((a: any) => a.allocatedAmountSet.shopMoney.amount),
        l.taxLines.map((t: any) => t.priceSet.shopMoney.amount),
      ]),
      rest.line_items.map((l: any) => [l.discount_allocations.map((a: any) => a.amount), l.tax_lines.map((t: any) => t.price)]),
    );
    const ship = o.shippingLines.nodes[0];
    assert.deepEqual(
      [ship.title, ship.code, ship.isRemoved, ship.originalPriceSet.shopMoney.amount, ship.discountedPriceSet.shopMoney.amount],
      ['Express', 'EXP', false, '9.95', '9.95'],
    );
    assert.deepEqual(
      ship.taxLines.map((t: any) => t.priceSet.shopMoney.amount),
      ['0.62', '0.12'],
    );
    assert.equal(o.shippingLines.pageInfo.hasNextPage, false);

    const inclusive = await fetch(`${url}/__admin/orders`, {
      method: 'POST',
      body: JSON.stringify({
        lines: [{ title: 'Mug', price: '18.00', quantity: 2 }],
        discount: { amount: '5.00' },
        shipping: { title: 'Post', price: '7.50' },
        taxes: [{ title: 'VAT', rate: '0.2' }],
        taxesIncluded: true,
      }),
    });
    const inc = JSON.parse(await inclusive.text());
    assert.equal(inc.taxes_included, true);
    assert.equal(inc.total_price, '38.50', 'taxes are inside the prices');
    assert.equal(inc.total_tax, '6.42', '31.00 / 1.2 × 0.2 = 5.17 on the line + 7.50 / 1.2 × 0.2 = 1.25 on shipping');
    const bad = await fetch(`${url}/__admin/orders`, {
      method: 'POST',
      body: JSON.stringify({ lines: [{ title: 'X', price: '1.00', quantity: 1 }], taxes: [{ title: 'T', rate: '13' }] }),
    });
    assert.equal(bad.status, 422);
  });

  it("answers the shop's IANA time zone, writes REST times in its offset (DST included) and GraphQL times in UTC", async () => {
    const shop = await gql(url, token, 'query Shop { shop { name myshopifyDomain ianaTimezone } }');
    assert.equal(shop.body.data.shop.ianaTimezone, 'America/New_York');
    const winter = sandbox.createOrder({ lines: [{ title: 'Scarf', price: '10.00', quantity: 1 }], processedAt: '2026-12-01T00:30:00Z' });
    const summer = sandbox.createOrder({ lines: [{ title: 'Hat', price: '10.00', quantity: 1 }], processedAt: '2026-07-01T03:30:00Z' });
    const rest = async (id: bigint) => JSON.parse(await (await fetch(`${url}/__admin/orders/${id}`)).text());
    assert.equal((await rest(winter.id)).processed_at, '2026-11-30T19:30:00-05:00');
    assert.equal((await rest(summer.id)).processed_at, '2026-06-30T23:30:00-04:00');
    const q = 'query OrderById($id: ID!, $lineItemsFirst: Int!, $shippingLinesFirst: Int!) { order(id: $id) { processedAt } }';
    const g = await gql(url, token, q, { id: `gid://shopify/Order/${winter.id}`, lineItemsFirst: 1, shippingLinesFirst: 1 });
    assert.equal(g.body.data.order.processedAt, '2026-12-01T00:30:00Z');
  });

  it("pages an order's line items and shipping lines by cursor (OrderLineItems, OrderShippingLines), costed like the others", async () => {
    const o = sandbox.createOrder({
      lines: Array.from({ length: 7 }, (_, i) => ({ title: `L${i + 1}`, price: '1.00', quantity: 1 })),
      shippingLines: [
        { title: 'A', price: '1.00' },
        { title: 'B', price: '2.00' },
        { title: 'C', price: '3.00' },
      ],
    });
    const first = await gql(url, token, 'query OrderById($id: ID!, $lineItemsFirst: Int!, $shippingLinesFirst: Int!) { order(id: $id) { id } }', {
      id: `gid://shopify/Order/${o.id}`,
      lineItemsFirst: 3,
      shippingLinesFirst: 1,
    });
    const order = first.body.data.order;
    assert.equal(order.lineItems.pageInfo.hasNextPage, true);
    assert.equal(order.shippingLines.pageInfo.hasNextPage, true);
    const LI =
      'query OrderLineItems($id: ID!, $first: Int!, $after: String) { order(id: $id) { id updatedAt lineItems(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }';
    const SL =
      'query OrderShippingLines($id: ID!, $first: Int!, $after: String) { order(id: $id) { id updatedAt shippingLines(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }';
    const names: string[] = order.lineItems.nodes.map((n: any) => n.name);
    let after = order.lineItems.pageInfo.endCursor;
    for (;;) {
      const p = await gql(url, token, LI, { id: `gid://shopify/Order/${o.id}`, first: 3, after });
      // The order (1) and the connection: 2 + 3 × 15.
      assert.equal(p.body.extensions.cost.requestedQueryCost, 1 + 2 + 3 * 15);
      names.push(...p.body.data.order.lineItems.nodes.map((n: any) => n.name));
      if (!p.body.data.order.lineItems.pageInfo.hasNextPage) break;
      after = p.body.data.order.lineItems.pageInfo.endCursor;
    }
    assert.deepEqual(names, ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7']);
    const ships = await gql(url, token, SL, { id: `gid://shopify/Order/${o.id}`, first: 5, after: order.shippingLines.pageInfo.endCursor });
    assert.deepEqual(
      ships.body.data.order.shippingLines.nodes.map((n: any) => n.title),
      ['B', 'C'],
    );
    assert.equal(ships.body.extensions.cost.requestedQueryCost, 1 + 2 + 5 * 11);
    const rest = JSON.parse(await (await fetch(`${url}/__admin/orders/${o.id}`)).text());
    assert.deepEqual(
      rest.shipping_lines.map((s: any) => [s.title, s.price]),
      [
        ['A', '1.00'],
        ['B', '2.00'],
        ['C', '3.00'],
      ],
    );
    assert.equal(rest.total_shipping_price_set.shop_money.amount, '6.00');
    await fetch(`${url}/__admin/graphql-faults`, { method: 'POST', body: JSON.stringify({ tooCostly: ['OrderLineItems'] }) });
    const refused = await gql(url, token, LI, { id: `gid://shopify/Order/${o.id}`, first: 1, after: null });
    assert.equal(refused.body.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
    await fetch(`${url}/__admin/graphql-faults`, { method: 'POST', body: '{}' });
  });

  it("answers 401 with Shopify's body for unknown and expired tokens", async () => {
    const unknown = await gql(url, 'nope', 'query Ping { shop { name } }');
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, UNAUTHORIZED_BODY);
    const short = sandbox.issueToken({ expiresInSec: 60 }).access_token;
    assert.equal((await gql(url, short, 'query Ping { shop { name } }')).status, 200);
    await fetch(`${url}/__admin/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 61_000 }) });
    assert.equal((await gql(url, short, 'query Ping { shop { name } }')).status, 401);
  });

  it('reports cost, throttles with HTTP 200 THROTTLED and refuses queries above 1000 points', async () => {
    const ok = await gql(url, token, ORDERS_Q, { first: 5, lineItemsFirst: 5 });
    assert.equal(ok.status, 200);
    // Per order 1 + 20 (money bags) + 6 (taxLines) + 3 (customer, addresses) + lineItems 2 + 5 × 15
    // + shippingLines 2 + 0 × 11 ($shippingLinesFirst absent) = 109.
    assert.equal(ok.body.extensions.cost.requestedQueryCost, 2 + 5 * 109);
    assert.ok(ok.body.extensions.cost.actualQueryCost <= ok.body.extensions.cost.requestedQueryCost);
    assert.equal(ok.body.extensions.cost.throttleStatus.maximumAvailable, 2000);
    assert.equal(ok.body.data.orders.nodes.length, 5);

    await fetch(`${url}/__admin/throttle`, { method: 'POST', body: JSON.stringify({ currentlyAvailable: 10 }) });
    const throttled = await gql(url, token, ORDERS_Q, { first: 5, lineItemsFirst: 5 });
    assert.equal(throttled.status, 200);
    assert.equal(throttled.body.errors[0].extensions.code, 'THROTTLED');
    assert.equal(throttled.body.extensions.cost.actualQueryCost, null);
    assert.equal(throttled.body.data, undefined);

    const tooBig = await gql(url, token, ORDERS_Q, { first: 250, lineItemsFirst: 10 });
    assert.equal(tooBig.status, 200);
    assert.equal(tooBig.body.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
    assert.equal(tooBig.body.errors[0].extensions.maxCost, 1000);
    assert.equal(tooBig.body.extensions, undefined);

    await fetch(`${url}/__admin/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 6000 }) });
    assert.equal((await gql(url, token, ORDERS_Q, { first: 5, lineItemsFirst: 5 })).body.data.orders.nodes.length, 5, 'restored at 100/s');
  });

  it('cost model knobs: a longer assumed list or a lower max cost refuses with MAX_COST_EXCEEDED, and every query is logged', async () => {
    await fetch(`${url}/__admin/throttle`, { method: 'POST', body: JSON.stringify({ currentlyAvailable: 2000 }) });
    const vars = { first: 4, lineItemsFirst: 10, shippingLinesFirst: 3 };
    const logged = sandbox.graphqlLog.length;
    const fits = await gql(url, token, ORDERS_Q, vars);
    assert.equal(fits.body.extensions.cost.requestedQueryCost, 2 + 4 * 217);

    const set = await fetch(`${url}/__admin/cost-model`, { method: 'POST', body: JSON.stringify({ assumedListLength: 3 }) });
    assert.deepEqual(JSON.parse(await set.text()), { assumedListLength: 3, maxQueryCost: 1000 });
    // Each list element 3 points: order +3 (taxLines), line item +6, shipping line +3 → 217 + 3 + 60 + 9 = 289.
    const longer = await gql(url, token, ORDERS_Q, vars);
    assert.equal(longer.status, 200);
    assert.equal(longer.body.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
    assert.equal(longer.body.errors[0].extensions.cost, 2 + 4 * 289);

    await fetch(`${url}/__admin/cost-model`, { method: 'POST', body: JSON.stringify({ assumedListLength: 2, maxQueryCost: 500 }) });
    const lower = await gql(url, token, ORDERS_Q, vars);
    assert.deepEqual(lower.body.errors[0].extensions, { code: 'MAX_COST_EXCEEDED', cost: 870, maxCost: 500 });
    assert.equal((await fetch(`${url}/__admin/cost-model`, { method: 'POST', body: JSON.stringify({ maxQueryCost: -1 }) })).status, 422);
    await fetch(`${url}/__admin/cost-model`, { method: 'POST', body: JSON.stringify({ maxQueryCost: 1000 }) });

    const log = JSON.parse(await (await fetch(`${url}/__admin/graphql-log`)).text()).slice(logged);
    assert.deepEqual(
      log.map((e: any) => [e.operation, e.requestedQueryCost, e.outcome, e.actualQueryCost === null]),
      [
        ['OrdersUpdatedSince', 870, 'OK', false],
        ['OrdersUpdatedSince', 1158, 'MAX_COST_EXCEEDED', true],
        ['OrdersUpdatedSince', 870, 'MAX_COST_EXCEEDED', true],
      ],
    );
    assert.ok(log[0].actualQueryCost <= 870);
  });

  it('OrderVersionsUpdatedSince: ids and updatedAt only, oldest first, 2 + first points; another selection is not recognised', async () => {
    const since = `updated_at:>='${new Date(0).toISOString()}'`;
    const all = await gql(url, token, ORDER_VERSIONS_UPDATED_SINCE_QUERY, { first: 250, after: null, query: since });
    assert.equal(all.status, 200);
    assert.equal(all.body.extensions.cost.requestedQueryCost, 252);
    const nodes = all.body.data.orders.nodes as Array<Record<string, string>>;
    assert.equal(nodes.length, sandbox.orders.size);
    assert.equal(all.body.extensions.cost.actualQueryCost, 2 + nodes.length);
    for (const n of nodes) assert.deepEqual(Object.keys(n), ['id', 'updatedAt']);
    const times = nodes.map((n) => Date.parse(n['updatedAt']!));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    const two = await gql(url, token, ORDER_VERSIONS_UPDATED_SINCE_QUERY, { first: 2, after: null, query: since });
    const next = await gql(url, token, ORDER_VERSIONS_UPDATED_SINCE_QUERY, { first: 250, after: two.body.data.orders.pageInfo.endCursor, query: since });
    assert.deepEqual([...two.body.data.orders.nodes, ...next.body.data.orders.nodes], nodes);
    const wider = ORDER_VERSIONS_UPDATED_SINCE_QUERY.replace('nodes { id updatedAt }', 'nodes { id updatedAt name }');
    assert.equal((await gql(url, token, wider, { first: 1, after: null, query: since })).body.errors[0].extensions.code, 'UNSUPPORTED_BY_SANDBOX');
  });

  it('answers unknown documents and missing scopes with GraphQL errors', async () => {
    const other = await gql(url, token, '{ products(first: 1) { nodes { id } } }');
    assert.equal(other.body.errors[0].extensions.code, 'UNSUPPORTED_BY_SANDBOX');
    const customersOnly = sandbox.issueToken({ scopes: ['read_customers'] }).access_token;
    const denied = await gql(url, customersOnly, ORDERS_Q, { first: 1, lineItemsFirst: 1 });
    assert.equal(denied.body.errors[0].extensions.code, 'ACCESS_DENIED');
    assert.equal(denied.body.data, null);
  });

  it('metafieldsSet on an order: an allow-list of MetafieldsSetInput fields, userErrors as documented, an upsert by namespace + key, 10 points', async () => {
    const M = `mutation OrderMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
      metafieldsSet(metafields: $metafields) { metafields { id namespace key value type } userErrors { field message code elementIndex } } }`;
    const order = [...sandbox.orders.values()][0]!;
    const ownerId = `gid://shopify/Order/${order.id}`;
    const input = { ownerId, namespace: 'ml_connector', key: 'fusion_invoice_number', type: 'single_line_text_field', value: 'INV-1001' };
    // A field MetafieldsSetInput does not define (or a missing non-null one) is a variable error: nothing is set.
    const unknown = await gql(url, token, M, { metafields: [{ ...input, description: 'x' }] });
    assert.equal(unknown.body.errors[0].extensions.code, 'INVALID_VARIABLE');
    assert.deepEqual(unknown.body.errors[0].extensions.problems, [{ path: [0, 'description'], explanation: 'Field is not defined on MetafieldsSetInput' }]);
    const noValue = await gql(url, token, M, { metafields: [{ ownerId, key: 'fusion_invoice_number', type: 'single_line_text_field' }] });
    assert.equal(noValue.body.errors[0].extensions.code, 'INVALID_VARIABLE');
    // Business rules answer in userErrors: no type (no definition in this shop), a key too short, an unknown owner.
    const bad = await gql(url, token, M, {
      metafields: [
        { ...input, type: undefined },
        { ...input, key: 'k' },
        { ...input, ownerId: 'gid://shopify/Order/1' },
      ],
    });
    assert.equal(bad.status, 200);
    assert.equal(bad.body.data.metafieldsSet.metafields, null);
    assert.deepEqual(
      bad.body.data.metafieldsSet.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]),
      [
        ['metafields.0.type', 'BLANK'],
        ['metafields.1.key', 'TOO_SHORT'],
        ['metafields.2.ownerId', 'INVALID'],
      ],
    );
    assert.equal(order.metafields?.length ?? 0, 0, 'atomic: nothing set');
    // Sent as a query, or under a token without write_orders, it is refused.
    assert.equal((await gql(url, token, M.replace('mutation', 'query'), { metafields: [input] })).body.errors[0].extensions.code, 'UNSUPPORTED_BY_SANDBOX');
    const readOnly = sandbox.issueToken({ scopes: ['read_orders'] }).access_token;
    assert.equal((await gql(url, readOnly, M, { metafields: [input] })).body.errors[0].extensions.code, 'ACCESS_DENIED');
    // Set, then set again with the same and with a new value: one metafield, the last value.
    const ok = await gql(url, token, M, { metafields: [input] });
    assert.deepEqual(ok.body.data.metafieldsSet.userErrors, []);
    assert.deepEqual(ok.body.data.metafieldsSet.metafields[0], {
      ...ok.body.data.metafieldsSet.metafields[0],
      namespace: 'ml_connector',
      key: 'fusion_invoice_number',
      value: 'INV-1001',
      type: 'single_line_text_field',
    });
    assert.equal(ok.body.extensions.cost.requestedQueryCost, 10);
    await gql(url, token, M, { metafields: [input] });
    await gql(url, token, M, { metafields: [{ ...input, value: 'INV-1002' }] });
    assert.deepEqual(
      order.metafields!.map((m) => [m.namespace, m.key, m.value]),
      [['ml_connector', 'fusion_invoice_number', 'INV-1002']],
    );
    assert.deepEqual(
      sandbox.graphqlLog.filter((e) => e.operation === 'OrderMetafieldsSet').map((e) => e.outcome),
      ['INVALID_VARIABLE', 'INVALID_VARIABLE', 'USER_ERRORS', 'ACCESS_DENIED', 'OK', 'OK', 'OK'],
    );
  });

  it('grants client credentials and rotates refresh tokens', async () => {
    const post = (body: Record<string, string>, form = false): Promise<Response> =>
      fetch(`${url}/admin/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
        body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
      });
    const creds = { client_id: sandbox.clientId, client_secret: sandbox.clientSecret };
    const cc = await post({ ...creds, grant_type: 'client_credentials' }, true);
    assert.equal(cc.status, 200);
    const ccBody = (await cc.json()) as { access_token: string; expires_in: number; refresh_token?: string };
    assert.equal(ccBody.expires_in, 86399);
    assert.equal(ccBody.refresh_token, undefined);
    assert.equal((await post({ ...creds, client_secret: 'wrong', grant_type: 'client_credentials' })).status, 401);

    const pair = sandbox.issueToken({ withRefresh: true });
    const r1 = (await (await post({ ...creds, grant_type: 'refresh_token', refresh_token: pair.refresh_token! })).json()) as {
      refresh_token: string;
      expires_in: number;
    };
    assert.equal(r1.expires_in, 3600);
    assert.notEqual(r1.refresh_token, pair.refresh_token);
    // the old one stays valid until the replacement is used (2026-08-28)
    const again = await post({ ...creds, grant_type: 'refresh_token', refresh_token: pair.refresh_token! });
    assert.equal(again.status, 200);
    const r2 = (await again.json()) as { refresh_token: string };
    assert.equal((await post({ ...creds, grant_type: 'refresh_token', refresh_token: r2.refresh_token })).status, 200);
    const dead = await post({ ...creds, grant_type: 'refresh_token', refresh_token: pair.refresh_token! });
    assert.equal(dead.status, 400);
    assert.equal(((await dead.json()) as { error: string }).error, 'invalid_grant');
  });
});

/** Shopify's published samples and vectors, copied byte for byte (test/fixtures/shopify/SOURCES.md). */
const FIXTURES = join(REPO_ROOT, 'test/fixtures/shopify');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
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

/**
 * The published vectors' method (hmac_test_vectors.json `algorithm`), written here on its own rather than through the
 * sandbox's signer: base64 (standard, padded) HMAC-SHA256 of the raw bytes, the secret's UTF-8 bytes as key.
 */
const publishedMethod = (secret: string, body: Buffer): string => createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64');

describe("ShopifySandbox delivers Shopify's published samples byte for byte", () => {
  const sandbox = new ShopifySandbox({ seed: 5, timeScale: 1_000_000 });
  let url = '';
  let hook: Awaited<ReturnType<typeof receiver>>;
  /** The X-Shopify-* headers of the documented example delivery (webhook_delivery_headers_example.json), lowercased. */
  const documented = (JSON.parse(fixture('webhook_delivery_headers_example.json').toString('utf8')) as { headers: [string, string][] }).headers
    .map(([name]) => name.toLowerCase())
    .filter((name) => name.startsWith('x-shopify-'));
  const publish = (topic: string, body: Buffer): Promise<Response> =>
    fetch(`${url}/__admin/webhooks/publish-sample?topic=${encodeURIComponent(topic)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  before(async () => {
    url = await sandbox.listen();
    hook = await receiver();
  });
  after(async () => {
    sandbox.dispatcher.close();
    await sandbox.close();
    hook.server.close();
  });
  beforeEach(() => {
    hook.got.length = 0;
    sandbox.webhookFaults = {};
    sandbox.subscriptions.length = 0;
  });

  it('the published HMAC vectors hold under the method the tests check deliveries with', () => {
    const vectors = JSON.parse(fixture('hmac_test_vectors.json').toString('utf8')) as {
      published: Array<{ secret: string; body: string; x_shopify_hmac_sha256: string }>;
      derived_not_published: Array<{ secret: string; body: string; x_shopify_hmac_sha256: string; expect_valid: boolean }>;
    };
    assert.equal(vectors.published.length, 2);
    for (const v of vectors.published) assert.equal(publishedMethod(v.secret, Buffer.from(v.body, 'utf8')), v.x_shopify_hmac_sha256);
    for (const v of vectors.derived_not_published)
      assert.equal(publishedMethod(v.secret, Buffer.from(v.body, 'utf8')) === v.x_shopify_hmac_sha256, v.expect_valid);
  });

  it('every published sample arrives as the fixture bytes, signed over them, with every documented header', async () => {
    assert.deepEqual(documented.sort(), [
      'x-shopify-api-version',
      'x-shopify-event-id',
      'x-shopify-hmac-sha256',
      'x-shopify-name',
      'x-shopify-shop-domain',
      'x-shopify-topic',
      'x-shopify-triggered-at',
      'x-shopify-webhook-id',
    ]);
    for (const [topic] of PUBLISHED_SAMPLES) sandbox.subscribe({ topic, uri: hook.url, apiVersion: '2026-10', name: 'erp-sync' });
    for (const [topic, file] of PUBLISHED_SAMPLES) {
      const bytes = fixture(file);
      const res = await publish(topic, bytes);
      assert.equal(res.status, 202, await res.clone().text());
      const answer = (await res.json()) as { eventId: string; deliveries: Array<{ webhookId: string }> };
      assert.equal(answer.deliveries.length, 1);
      const got = await poll(() => hook.got.find((g) => g.headers['x-shopify-webhook-id'] === answer.deliveries[0]!.webhookId));
      assert.ok(got.raw.equals(bytes), `${file}: delivered bytes equal the fixture`);
      const h = got.headers;
      for (const name of documented) assert.ok(typeof h[name] === 'string' && h[name] !== '', `${file}: header ${name}`);
      assert.equal(h['content-type'], 'application/json');
      assert.equal(h['x-shopify-topic'], topic);
      assert.equal(h['x-shopify-hmac-sha256'], publishedMethod(sandbox.clientSecret, bytes), `${file}: HMAC over the fixture bytes`);
      assert.equal(h['x-shopify-shop-domain'], sandbox.shopDomain);
      assert.equal(h['x-shopify-api-version'], PUBLISHED_SAMPLES_API_VERSION, 'the version that wrote the body, not the subscription’s');
      assert.equal(h['x-shopify-event-id'], answer.eventId);
      assert.match(String(h['x-shopify-webhook-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(String(h['x-shopify-triggered-at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.equal(h['x-shopify-name'], 'erp-sync');
    }
    // The 64-bit ids are in the bytes as Shopify wrote them (a JSON.parse round trip would make ...154500 of them).
    const order = hook.got.find((g) => g.headers['x-shopify-topic'] === 'orders/create')!;
    assert.ok(order.body.startsWith('{\n  "id": 820982911946154508,'));
  });

  it('the JSON envelope {topic, body} delivers the exact text too; unknown topics and non-UTF-8 bytes are refused', async () => {
    sandbox.subscribe({ topic: 'refunds/create', uri: hook.url });
    const text = fixture('refunds_create.json').toString('utf8');
    const res = await fetch(`${url}/__admin/webhooks/publish-sample`, { method: 'POST', body: JSON.stringify({ topic: 'refunds/create', body: text }) });
    assert.equal(res.status, 202);
    const got = await poll(() => hook.got[0]);
    assert.ok(got.raw.equals(fixture('refunds_create.json')));
    assert.match(got.body, /"total_tax": 0\.0,/, 'number spellings kept');
    assert.equal((await publish('orders/delete', fixture('orders_create.json'))).status, 422);
    assert.equal((await publish('refunds/create', Buffer.from([0x7b, 0xff, 0x7d]))).status, 422);
    assert.equal((await fetch(`${url}/__admin/webhooks/publish-sample`, { method: 'POST', body: '{"topic":"refunds/create"}' })).status, 422);
  });

  it('retries of a published sample keep Webhook-Id, Event-Id, Triggered-At, bytes and signature', async () => {
    let calls = 0;
    const flaky = await receiver(() => (++calls < 3 ? 500 : 200));
    sandbox.subscribe({ topic: 'orders/paid', uri: flaky.url });
    const [sent] = sandbox.publishSample('orders/paid', fixture('orders_paid.json'));
    assert.ok(sent);
    await sandbox.dispatcher.idle();
    flaky.server.close();
    assert.deepEqual(
      sandbox.dispatcher.attempts.filter((a) => a.webhookId === sent.webhookId).map((a) => a.status),
      [500, 500, 200],
    );
    assert.equal(flaky.got.length, 3);
    for (const name of ['x-shopify-webhook-id', 'x-shopify-event-id', 'x-shopify-triggered-at', 'x-shopify-hmac-sha256']) {
      assert.equal(new Set(flaky.got.map((g) => g.headers[name])).size, 1, `${name} unchanged across retries`);
    }
    assert.equal(flaky.got[0]!.headers['x-shopify-webhook-id'], sent.webhookId);
    assert.ok(flaky.got.every((g) => g.raw.equals(fixture('orders_paid.json'))));
  });

  it('one event to two subscriptions: the same Event-Id, two Webhook-Ids (published samples and generated bodies alike)', async () => {
    const other = await receiver();
    sandbox.subscribe({ topic: 'customers/create', uri: hook.url });
    sandbox.subscribe({ topic: 'customers/create', uri: other.url });
    const sent = sandbox.publishSample('customers/create', fixture('customers_create.json'));
    sandbox.createCustomer({ firstName: 'Generated', lastName: 'Body' });
    await poll(() => (hook.got.length === 2 && other.got.length === 2) || undefined);
    other.server.close();
    assert.equal(sent.length, 2);
    const all = [...hook.got, ...other.got];
    const byEvent = new Map<string, Received[]>();
    for (const g of all) byEvent.set(String(g.headers['x-shopify-event-id']), [...(byEvent.get(String(g.headers['x-shopify-event-id'])) ?? []), g]);
    assert.equal(byEvent.size, 2, 'two events (the sample and the generated customer)');
    for (const [eventId, copies] of byEvent) {
      assert.equal(copies.length, 2, `event ${eventId} reached both subscriptions`);
      assert.notEqual(copies[0]!.headers['x-shopify-webhook-id'], copies[1]!.headers['x-shopify-webhook-id'], 'one Webhook-Id per delivery');
      assert.ok(copies[0]!.raw.equals(copies[1]!.raw));
    }
    assert.deepEqual(
      byEvent.get(sent[0]!.eventId)!.map((g) => g.raw.equals(fixture('customers_create.json'))),
      [true, true],
    );
  });

  it('Webhook-Id is stable across retries of generated bodies by default; only the newWebhookIdOnRetry switch changes it', async () => {
    for (const newWebhookIdOnRetry of [false, true]) {
      let calls = 0;
      const flaky = await receiver(() => (++calls < 3 ? 503 : 200));
      sandbox.subscriptions.length = 0;
      sandbox.subscribe({ topic: 'customers/update', uri: flaky.url });
      sandbox.webhookFaults = newWebhookIdOnRetry ? { newWebhookIdOnRetry } : {};
      const c = [...sandbox.customers.values()][0] ?? sandbox.createCustomer({ firstName: 'A', lastName: 'B' });
      sandbox.updateCustomer(c.id, { firstName: `Retry${String(newWebhookIdOnRetry)}` });
      await sandbox.dispatcher.idle();
      flaky.server.close();
      assert.equal(flaky.got.length, 3);
      assert.equal(new Set(flaky.got.map((g) => g.headers['x-shopify-webhook-id'])).size, newWebhookIdOnRetry ? 3 : 1);
      assert.equal(new Set(flaky.got.map((g) => g.headers['x-shopify-event-id'])).size, 1);
    }
  });
});
