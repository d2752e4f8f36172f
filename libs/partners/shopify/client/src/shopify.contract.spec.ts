import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '@mlc/platform-testing';
import { ID_BEYOND_2_POW_53, ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { ShopifyClient, type ShopifyClientConfig, type ShopifyTokenSet } from './shopify.client';
import { orderNodeCost, ordersPageCost } from './shopify.cost';
import { parseShopifyJson } from './parse-shopify-json';
import { readShopifyWebhookHeaders, verifyShopifyWebhook } from './verify-shopify-webhook';

/**
 * Contract: the client against the in-process Shopify sandbox. Against a real shop the same assertions need
 * SHOPIFY_BASE_URL and credentials (not run here).
 */
async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

async function poll<T>(fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setImmediate(r));
  }
}

describe('ShopifyClient against the sandbox', () => {
  const sandbox = new ShopifySandbox({ seed: 11 });
  let url = '';
  let sleeps: number[] = [];
  /** Sleeping moves the sandbox's clock instead of waiting, so throttle waits are exact and instant. */
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
    sandbox.advanceClock(ms);
  };
  const client = (extra: Partial<ShopifyClientConfig> = {}): ShopifyClient =>
    new ShopifyClient({
      baseUrl: url,
      apiVersion: '2026-10',
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      sleep,
      now: () => sandbox.now(),
      ...extra,
    });
  const graphqlCalls = (): number => sandbox.requests().filter((r) => r.path.endsWith('/graphql.json')).length;
  const tokenCalls = (): number => sandbox.requests().filter((r) => r.path === '/admin/oauth/access_token').length;

  before(async () => {
    url = await sandbox.listen();
    sandbox.seedData({ customers: 6, orders: 9 });
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sleeps = [];
    sandbox.faults = {};
    sandbox.bucket.set({ currentlyAvailable: 2000, restoreRate: 100, maximumAvailable: 2000 }, sandbox.now());
    sandbox.costModel = { assumedListLength: 2, maxQueryCost: 1000 };
  });
  const logFrom = (n: number) => sandbox.graphqlLog.slice(n);
  const sizes = (e: { variables: Record<string, unknown> }): string =>
    JSON.stringify([e.variables['first'], e.variables['lineItemsFirst'], e.variables['after'] ?? null]);

  it('pings with a client-credentials token', async () => {
    const c = client();
    assert.deepEqual(await c.ping(), { name: 'ML Connector Demo', myshopifyDomain: 'mlc-demo.myshopify.com' });
    assert.equal(tokenCalls(), 1);
  });

  it('lists every order updated since a date across cursor pages, with the 2^53+1 id exact and the guest order null', async () => {
    const c = client({ ordersPageSize: 2 });
    const before = graphqlCalls();
    const orders = await collect(c.listOrdersUpdatedSince(new Date(0)));
    assert.equal(orders.length, 9);
    assert.equal(graphqlCalls() - before, 5, '9 orders at 2 per page');
    assert.deepEqual(
      orders.map((o) => o.updatedAt),
      [...orders.map((o) => o.updatedAt)].sort(),
    );
    const big = orders.find((o) => o.id === ID_BEYOND_2_POW_53.toString());
    assert.ok(big, 'order 9007199254740993 came back with its exact id');
    assert.equal(big.gid, 'gid://shopify/Order/9007199254740993');
    const guest = orders.find((o) => o.customer === null)!;
    assert.equal(guest.shippingAddress, null);
    assert.match(guest.total.amount, /^\d+\.\d{2}$/);

    const cutoff = orders[5]!.updatedAt;
    const recent = await collect(c.listOrdersUpdatedSince(new Date(cutoff)));
    assert.deepEqual(
      recent.map((o) => o.id),
      orders.filter((o) => o.updatedAt >= cutoff).map((o) => o.id),
    );
  });

  it('lists customers and reads single records by id', async () => {
    const c = client({ customersPageSize: 4 });
    const customers = await collect(c.listCustomersUpdatedSince(new Date(0)));
    assert.equal(customers.length, 6);
    assert.ok(
      customers.some((x) => x.email === null),
      'a customer without email is handled',
    );
    const one = await c.getCustomer(customers[0]!.id);
    assert.equal(one?.email, customers[0]!.email);
    const order = await c.getOrder(ID_BEYOND_2_POW_53.toString());
    assert.equal(order?.id, '9007199254740993');
    assert.equal(await c.getOrder('1'), null);
  });

  it('sets an order metafield (metafieldsSet) the strict sandbox accepts; a replay leaves one; userErrors throw', async () => {
    const c = client();
    const id = ID_BEYOND_2_POW_53.toString();
    const input = { namespace: 'ml_connector', key: 'fusion_invoice_number', type: 'single_line_text_field', value: 'INV-77' };
    const [set] = await c.setOrderMetafields(id, [input]);
    assert.deepEqual({ ...set, id: '' }, { id: '', ...input });
    await c.setOrderMetafields(id, [input]);
    assert.deepEqual(
      sandbox.orders.get(ID_BEYOND_2_POW_53)!.metafields!.map((m) => m.value),
      ['INV-77'],
    );
    await assert.rejects(
      c.setOrderMetafields('1', [input]),
      (err: Error & { code?: string }) => err.code === 'SHOPIFY.REQUEST_FAILED' && /ownerId: Owner does not exist/.test(err.message),
    );
  });

  it('waits (requested − available) / restoreRate on THROTTLED and then succeeds', async () => {
    const c = client();
    await c.ping();
    sandbox.bucket.set({ currentlyAvailable: 0 }, sandbox.now());
    const before = graphqlCalls();
    const order = await c.getOrder(ID_BEYOND_2_POW_53.toString());
    assert.equal(order?.id, '9007199254740993');
    assert.equal(graphqlCalls() - before, 2, 'one THROTTLED answer, one retry');
    assert.equal(sleeps.length, 1);
    // OrderById with 10 line items and 3 shipping lines: 217 points (see ShopifyClientConfig, shopify.cost.ts).
    assert.equal(orderNodeCost({ lineItemsFirst: 10, shippingLinesFirst: 3 }), 217);
    // The sandbox clock is real time: a slow machine may restore a few points between the bucket reset and the query.
    assert.ok(sleeps[0]! <= 2170 && sleeps[0]! > 2170 - 100, `217 points at 100/s, waited ${sleeps[0]} ms`);
  });

  it('paces itself from the last throttle status before the bucket runs dry', async () => {
    const c = client();
    await collect(c.listOrdersUpdatedSince(new Date(0)));
    assert.equal(c.lastCost?.requestedQueryCost, 870, 'the default page: 2 + 4 × 217');
    sandbox.bucket.set({ currentlyAvailable: 2, restoreRate: 100 }, sandbox.now());
    // The client only knows the sandbox's bucket from the last answer (nearly full), so it sends, is throttled,
    // waits the computed time, and succeeds; the next pages then pace themselves from the new status, no THROTTLED.
    let mark = sandbox.graphqlLog.length;
    assert.equal((await collect(c.listOrdersUpdatedSince(new Date(0)))).length, 9);
    assert.ok(sleeps[0]! <= 8680 && sleeps[0]! > 8680 - 100, `(870 − 2) points at 100/s, waited ${sleeps[0]} ms`);
    assert.deepEqual(
      logFrom(mark).map((e) => e.outcome),
      ['THROTTLED', 'OK', 'OK', 'OK'],
    );
    assert.ok(sleeps.length > 1, 'pages 2 and 3 waited for the bucket instead of being throttled');
    sandbox.bucket.set({ currentlyAvailable: 0 }, sandbox.now());
    mark = sandbox.graphqlLog.length;
    const c2 = client();
    await collect(c2.listOrdersUpdatedSince(new Date(0)));
    await collect(c2.listOrdersUpdatedSince(new Date(0)));
    assert.equal(logFrom(mark).filter((e) => e.outcome === 'THROTTLED').length, 1, 'only the first call of the fresh client met THROTTLED');
    assert.equal(logFrom(mark).length, 7);
  });

  it('gives up with SHOPIFY.THROTTLED when the bucket never refills', async () => {
    sandbox.bucket.set({ currentlyAvailable: 0, restoreRate: 0 }, sandbox.now());
    const c = client({ maxThrottleRetries: 2 });
    await assert.rejects(c.ping(), (e: any) => e.code === 'SHOPIFY.THROTTLED' && e.retryable === true && e.retryAfterMs > 0);
  });

  it("sizes the default order page under 1000 points by Shopify's rule and reads every order once", async () => {
    const mark = sandbox.graphqlLog.length;
    const c = client();
    const orders = await collect(c.listOrdersUpdatedSince(new Date(0)));
    assert.equal(orders.length, 9);
    assert.equal(new Set(orders.map((o) => o.id)).size, 9);
    assert.deepEqual(
      orders.map((o) => o.updatedAt),
      [...orders.map((o) => o.updatedAt)].sort(),
    );
    const log = logFrom(mark);
    assert.deepEqual(
      log.map((e) => e.outcome),
      ['OK', 'OK', 'OK'],
      '9 orders at 4 per page',
    );
    for (const e of log) assert.ok(e.requestedQueryCost <= 1000, `requested ${e.requestedQueryCost}`);
    // The client's arithmetic and the sandbox's walk of the selection agree.
    assert.equal(log[0]!.requestedQueryCost, ordersPageCost(4, { lineItemsFirst: 10, shippingLinesFirst: 3 }));
    assert.equal(log[0]!.requestedQueryCost, 870);
    assert.equal(ordersPageCost(20, { lineItemsFirst: 10, shippingLinesFirst: 3 }), 4342, 'the unsized 20-order page would be refused');
    assert.deepEqual(c.lastOrdersPage, { first: 4, lineItemsFirst: 10 });
    assert.equal(c.costShrinks, 0);
    const one = await c.getOrder(orders[0]!.id);
    assert.equal(one?.id, orders[0]!.id);
    assert.equal(sandbox.graphqlLog.at(-1)!.requestedQueryCost, 217);
  });

  it('halves the page when the shop finds orders costlier mid-read, asks the same cursor again, and reads every order once in order', async () => {
    const expected = (await collect(client().listOrdersUpdatedSince(new Date(0)))).map((o) => o.id);
    const warnings: Array<Record<string, unknown>> = [];
    const c = client({ onWarning: (_m, d) => void warnings.push(d) });
    const mark = sandbox.graphqlLog.length;
    const read: string[] = [];
    for await (const o of c.listOrdersUpdatedSince(new Date(0))) {
      read.push(o.id);
      // After the first page the shop counts 4 elements per tax-line / discount list: 361 points an order, so the
      // client's 4-order page (1446) is refused and 2 orders (724) fit.
      if (read.length === 4) sandbox.costModel = { assumedListLength: 4, maxQueryCost: 1000 };
    }
    assert.deepEqual(read, expected, 'every order exactly once, in order');
    const log = logFrom(mark);
    assert.deepEqual(
      log.map((e) => [e.outcome, e.variables['first'], e.requestedQueryCost]),
      [
        ['OK', 4, 870],
        ['MAX_COST_EXCEEDED', 4, 1446],
        ['OK', 2, 724],
        ['OK', 2, 724],
        ['OK', 2, 724],
      ],
    );
    assert.equal(log[2]!.variables['after'], log[1]!.variables['after'], 'the refused cursor is asked again');
    assert.ok(log[1]!.variables['after'], 'refused mid-read, not on the first page');
    assert.equal(new Set(log.map(sizes)).size, log.length, 'no identical query twice');
    assert.equal(c.costShrinks, 1);
    assert.deepEqual(
      warnings.map((w) => [w['cost'], (w['from'] as any).first, (w['to'] as any).first]),
      [[1446, 4, 2]],
    );
  });

  it("shrinks the page when the shop's limit is lower than the client assumes (orders first, then line items)", async () => {
    sandbox.costModel = { assumedListLength: 2, maxQueryCost: 150 };
    const mark = sandbox.graphqlLog.length;
    const c = client();
    const orders = await collect(c.listOrdersUpdatedSince(new Date(0)));
    assert.equal(orders.length, 9);
    assert.equal(new Set(orders.map((o) => o.id)).size, 9);
    const log = logFrom(mark);
    // 870 → 436 → 219 (1 order, 10 line items) → 1 order with 5 line items: 2 + 142 = 144.
    assert.deepEqual(
      log.filter((e) => e.outcome === 'MAX_COST_EXCEEDED').map((e) => [e.variables['first'], e.variables['lineItemsFirst'], e.requestedQueryCost]),
      [
        [4, 10, 870],
        [2, 10, 436],
        [1, 10, 219],
      ],
    );
    const ok = log.filter((e) => e.outcome === 'OK');
    assert.equal(ok.length, 9, 'one order per page for the rest of the read');
    for (const e of ok) assert.deepEqual([e.variables['first'], e.variables['lineItemsFirst'], e.requestedQueryCost], [1, 5, 144]);
    assert.equal(new Set(log.map(sizes)).size, log.length, 'no identical query twice');
    assert.equal(c.costShrinks, 3);

    // OrderById: the client plans 10 line items (217), the shop refuses, 5 line items (142) fit.
    const before = sandbox.graphqlLog.length;
    const one = await c.getOrder(orders[0]!.id);
    assert.equal(one?.id, orders[0]!.id);
    assert.deepEqual(
      logFrom(before).map((e) => [e.outcome, e.variables['lineItemsFirst']]),
      [
        ['MAX_COST_EXCEEDED', 10],
        ['OK', 5],
      ],
    );
  });

  it('throws SHOPIFY.QUERY_TOO_COSTLY when one order with one line item is still too costly, never asking the same query twice', async () => {
    sandbox.costModel = { assumedListLength: 2, maxQueryCost: 50 };
    const mark = sandbox.graphqlLog.length;
    const c = client();
    await assert.rejects(collect(c.listOrdersUpdatedSince(new Date(0))), (e: any) => {
      assert.equal(e.code, 'SHOPIFY.QUERY_TOO_COSTLY');
      assert.equal(e.retryable, false);
      assert.equal(e.details.cost, 2 + 82, '1 order with 1 line item: 67 + 15');
      assert.equal(e.details.maxCost, 50);
      return true;
    });
    const log = logFrom(mark);
    assert.deepEqual(
      log.map((e) => [e.outcome, e.variables['first'], e.variables['lineItemsFirst']]),
      [
        ['MAX_COST_EXCEEDED', 4, 10],
        ['MAX_COST_EXCEEDED', 2, 10],
        ['MAX_COST_EXCEEDED', 1, 10],
        ['MAX_COST_EXCEEDED', 1, 5],
        ['MAX_COST_EXCEEDED', 1, 2],
        ['MAX_COST_EXCEEDED', 1, 1],
      ],
    );
    assert.equal(new Set(log.map(sizes)).size, log.length, 'no identical query twice');

    const before = sandbox.graphqlLog.length;
    await assert.rejects(c.getOrder(ID_BEYOND_2_POW_53.toString()), (e: any) => e.code === 'SHOPIFY.QUERY_TOO_COSTLY' && e.retryable === false);
    assert.deepEqual(
      logFrom(before).map((e) => e.variables['lineItemsFirst']),
      [10, 5, 2, 1],
    );
  });

  it('re-runs client credentials once on a 401 from an expired token', async () => {
    const c = client();
    await c.ping();
    const tokensBefore = tokenCalls();
    sandbox.expireTokens();
    assert.equal((await c.ping()).myshopifyDomain, 'mlc-demo.myshopify.com');
    assert.equal(tokenCalls() - tokensBefore, 1);
    const statuses = sandbox
      .requests()
      .filter((r) => r.path.endsWith('/graphql.json'))
      .slice(-2)
      .map((r) => r.status);
    assert.deepEqual(statuses, [401, 200]);
  });

  it('refreshes an expiring offline token, rotating and reporting the refresh token', async () => {
    const pair = sandbox.issueToken({ withRefresh: true });
    const seen: ShopifyTokenSet[] = [];
    const c = client({ accessToken: pair.access_token, refreshToken: pair.refresh_token, onTokens: (t) => void seen.push(t) });
    await c.ping();
    assert.equal(seen.length, 0, 'the stored token was still good');
    sandbox.expireTokens(pair.access_token);
    await c.ping();
    assert.equal(seen.length, 1);
    assert.notEqual(seen[0]!.refreshToken, pair.refresh_token);
    assert.ok(seen[0]!.expiresAtMs! > sandbox.now());
  });

  it('uses the getAccessToken hook, forcing a refresh on 401, and fails after a second 401', async () => {
    const calls: boolean[] = [];
    let good = sandbox.issueToken().access_token;
    const c = new ShopifyClient({
      baseUrl: url,
      sleep,
      getAccessToken: async (force) => {
        calls.push(force);
        if (force) good = sandbox.issueToken().access_token;
        return good;
      },
    });
    await c.ping();
    sandbox.expireTokens(good);
    await c.ping();
    assert.deepEqual(calls, [false, false, true, false]);

    const broken = new ShopifyClient({ baseUrl: url, sleep, getAccessToken: async () => 'revoked' });
    await assert.rejects(broken.ping(), (e: any) => e.code === 'SHOPIFY.UNAUTHORIZED' && e.retryable === false);
    const staticClient = new ShopifyClient({ baseUrl: url, sleep, accessToken: 'shpat_revoked' });
    await assert.rejects(staticClient.ping(), (e: any) => e.code === 'SHOPIFY.UNAUTHORIZED');
    const wrongSecret = client({ clientSecret: 'wrong' });
    await assert.rejects(wrongSecret.ping(), (e: any) => e.code === 'SHOPIFY.UNAUTHORIZED' && e.details.status === 401);
  });

  it('maps missing scopes, outages, 429 storms and broken bodies to AppErrors', async () => {
    const limited = new ShopifyClient({ baseUrl: url, sleep, accessToken: sandbox.issueToken({ scopes: ['read_customers'] }).access_token });
    await assert.rejects(limited.getOrder('1'), (e: any) => e.code === 'SHOPIFY.ACCESS_DENIED');

    const c = client();
    await c.ping();
    sandbox.faults = { outageFrom: sandbox.now() - 1, outageUntil: sandbox.now() + 3_600_000 };
    await assert.rejects(c.ping(), (e: any) => e.code === 'SHOPIFY.UNAVAILABLE' && e.retryable === true);

    sandbox.faults = { rateLimitUntil: sandbox.now() + 2500, rateLimitRetryAfterSec: 2 };
    sleeps = [];
    await c.ping();
    assert.deepEqual(sleeps, [2000, 2000], 'Retry-After "2.0" honoured until the storm ends');

    sandbox.faults = { malformedRate: 1 };
    await assert.rejects(c.ping(), (e: any) => e.code === 'SHOPIFY.UNAVAILABLE' && /not JSON/.test(e.message));
  });
});

describe('sandbox webhooks verified and parsed by the client code', () => {
  const sandbox = new ShopifySandbox({ seed: 5, timeScale: 1_000_000 });
  const got: Array<{ headers: IncomingHttpHeaders; raw: Buffer; verdict: string }> = [];
  let secrets: string[] = [];
  let server: Server;
  let hookUrl = '';
  before(async () => {
    await sandbox.listen();
    sandbox.seedData();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const h = readShopifyWebhookHeaders(req.headers);
        const v = verifyShopifyWebhook({ rawBody: raw, hmacHeader: h.hmac, secrets });
        got.push({ headers: req.headers, raw, verdict: v.ok ? `ok:${v.secretIndex}` : v.reason });
        res.writeHead(v.ok ? 200 : 401).end(); // compliance webhooks demand 401 on a bad HMAC
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
    for (const topic of ['orders/create', 'orders/updated', 'orders/paid', 'refunds/create', 'customers/create', 'customers/update', 'customers/redact']) {
      sandbox.subscribe({ topic, uri: hookUrl });
    }
  });
  after(async () => {
    sandbox.dispatcher.close();
    await sandbox.close();
    server.close();
  });
  beforeEach(() => {
    got.length = 0;
    secrets = [sandbox.clientSecret];
  });

  it('verifies, and the 64-bit id survives from the sandbox body through parseShopifyJson exactly', async () => {
    sandbox.payOrder(ID_BEYOND_2_POW_53);
    await sandbox.dispatcher.idle();
    assert.deepEqual(
      got.map((g) => g.verdict),
      ['ok:0', 'ok:0'],
    );
    const paid = got.find((g) => g.headers['x-shopify-topic'] === 'orders/paid')!;
    const order = parseShopifyJson<{
      id: string;
      admin_graphql_api_id: string;
      line_items: Array<{ id: string }>;
      financial_status: string;
      total_price: string;
    }>(paid.raw.toString('utf8'));
    assert.equal(order.id, '9007199254740993');
    assert.equal(order.admin_graphql_api_id, 'gid://shopify/Order/9007199254740993');
    assert.equal(order.financial_status, 'paid');
    assert.equal(typeof order.total_price, 'string');
    assert.ok(order.line_items.every((li) => typeof li.id === 'string'));
  });

  it('fails verification when the body or the secret is tampered with', async () => {
    sandbox.createCustomer({ firstName: 'Eve', lastName: 'Mallory', email: 'eve@example.com' });
    await sandbox.dispatcher.idle();
    const g = got[0]!;
    assert.equal(g.verdict, 'ok:0');
    const hmac = String(g.headers['x-shopify-hmac-sha256']);
    const tampered = Buffer.from(g.raw.toString('utf8').replace('eve@example.com', 'eve@evil.example'));
    assert.deepEqual(verifyShopifyWebhook({ rawBody: tampered, hmacHeader: hmac, secrets }), { ok: false, reason: 'invalid_hmac' });
    const reserialised = JSON.stringify(JSON.parse(g.raw.toString('utf8')), null, 1);
    assert.equal(verifyShopifyWebhook({ rawBody: reserialised, hmacHeader: hmac, secrets }).ok, false);
    assert.equal(verifyShopifyWebhook({ rawBody: g.raw, hmacHeader: hmac, secrets: ['another-secret'] }).ok, false);

    sandbox.webhookFaults = { badSignatureCount: 1 };
    sandbox.compliance('customers/redact', [...sandbox.customers.keys()][0]);
    await sandbox.dispatcher.idle();
    const redact = got.slice(1);
    assert.equal(redact.length, 9, 'a 401 is a failure: Shopify retries 8 times, with the original signature');
    assert.ok(redact.every((x) => x.verdict === 'invalid_hmac'));
    assert.deepEqual(
      sandbox.dispatcher.attempts.filter((a) => a.topic === 'customers/redact').map((a) => a.status),
      Array(9).fill(401),
    );
  });

  it('during a secret rotation accepts both secrets, and only both', async () => {
    const old = sandbox.clientSecret;
    sandbox.rotateSecret('rotated-secret-2');
    const order = [...sandbox.orders.values()][0]!;
    sandbox.editOrder(order.id, { tags: ['a'] });
    sandbox.editOrder(order.id, { tags: ['b'] });
    sandbox.editOrder(order.id, { tags: ['c'] });
    await poll(() => got.length === 3);
    await sandbox.dispatcher.idle();
    // The receiver was configured with the new secret only: deliveries signed with the old one failed.
    assert.ok(got.some((g) => g.verdict === 'invalid_hmac'));
    got.length = 0;
    secrets = ['rotated-secret-2', old];
    sandbox.editOrder(order.id, { tags: ['d'] });
    sandbox.editOrder(order.id, { tags: ['e'] });
    await sandbox.dispatcher.idle();
    assert.deepEqual(got.map((g) => g.verdict).sort(), ['ok:0', 'ok:1']);
    sandbox.advanceClock(3_600_001);
    got.length = 0;
    secrets = ['rotated-secret-2'];
    sandbox.editOrder(order.id, { tags: ['f'] });
    sandbox.editOrder(order.id, { tags: ['g'] });
    await sandbox.dispatcher.idle();
    assert.deepEqual(
      got.map((g) => g.verdict),
      ['ok:0', 'ok:0'],
      'after the window only the new secret signs',
    );
  });
});

/**
 * Shopify's published error bodies (test/fixtures/shopify, SOURCES.md) answered byte for byte with the status and
 * headers they were captured with, through the client's error handling: each must end in the right error class.
 */
describe("published Shopify error answers through the client's error handling", () => {
  const fixture = (name: string): Buffer => readFileSync(join(REPO_ROOT, 'test/fixtures/shopify', name));
  let answer: { status: number; headers: Record<string, string>; file: string } = { status: 200, headers: {}, file: 'graphql_throttled.json' };
  let calls = 0;
  let server: Server;
  let url = '';
  let sleeps: number[] = [];
  const client = (extra: Partial<ShopifyClientConfig> = {}): ShopifyClient =>
    // A still clock: the bucket never refills between answers, so every wait is the published body's own arithmetic.
    new ShopifyClient({ baseUrl: url, accessToken: 'shpat_published', sleep: async (ms) => void sleeps.push(ms), now: () => 0, ...extra });
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls++;
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers }).end(fixture(answer.file));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  beforeEach(() => {
    calls = 0;
    sleeps = [];
  });

  for (const [file, requested, available, restore] of [
    ['graphql_throttled.json', 862, 572, 200],
    ['graphql_throttled_legacy_limits.json', 752, 666, 50],
  ] as const) {
    it(`${file} (HTTP 200, no Retry-After): waits (requested − available) / restoreRate, then SHOPIFY.THROTTLED`, async () => {
      answer = { status: 200, headers: { 'x-shopify-api-version': '2026-07' }, file };
      const c = client({ maxThrottleRetries: 2 });
      const waitMs = Math.ceil(((requested - available) / restore) * 1000);
      await assert.rejects(c.ping(), (e: any) => e.code === 'SHOPIFY.THROTTLED' && e.retryable === true && e.retryAfterMs === waitMs);
      assert.equal(calls, 3, 'asked, then retried twice');
      assert.ok(sleeps.length >= 2 && sleeps.every((ms) => ms === waitMs), `slept ${waitMs} ms each time: ${sleeps.join(',')}`);
      // `4000.0` / `200.0` arrive as decimals: the cost the client keeps is numeric, not their text.
      assert.deepEqual(c.lastCost?.throttleStatus, {
        maximumAvailable: file === 'graphql_throttled.json' ? 4000 : 1000,
        currentlyAvailable: available,
        restoreRate: restore,
      });
      assert.equal(c.lastCost?.actualQueryCost, null);
    });
  }

  it('graphql_max_cost_exceeded.json (HTTP 200, no top-level extensions): SHOPIFY.QUERY_TOO_COSTLY, not retried', async () => {
    answer = { status: 200, headers: {}, file: 'graphql_max_cost_exceeded.json' };
    await assert.rejects(
      client().ping(),
      (e: any) => e.code === 'SHOPIFY.QUERY_TOO_COSTLY' && e.retryable === false && e.details.cost === 1293 && e.details.maxCost === 1000,
    );
    assert.equal(calls, 1);
    assert.deepEqual(sleeps, []);
  });

  it('admin_api_401_body.json (HTTP 401, www-authenticate): one forced refresh, then SHOPIFY.UNAUTHORIZED', async () => {
    answer = { status: 401, headers: { 'www-authenticate': 'Basic Realm="Shopify API Authentication"' }, file: 'admin_api_401_body.json' };
    const forced: boolean[] = [];
    const c = client({ accessToken: undefined, getAccessToken: async (force) => (forced.push(force), 'shpat_expired') });
    await assert.rejects(c.ping(), (e: any) => e.code === 'SHOPIFY.UNAUTHORIZED' && e.retryable === false && e.details.status === 401);
    assert.equal(forced.filter(Boolean).length, 1, 'exactly one forced refresh');
    assert.equal(calls, 2);
    // A static token with no way to get another fails at once after the 401.
    calls = 0;
    await assert.rejects(client().ping(), (e: any) => e.code === 'SHOPIFY.UNAUTHORIZED');
    assert.equal(calls, 1);
  });

  it('rest_429_body.json (HTTP 429, retry-after: 4.0): waits 4 s per retry, then SHOPIFY.THROTTLED with retryAfterMs 4000', async () => {
    answer = { status: 429, headers: { 'retry-after': '4.0' }, file: 'rest_429_body.json' };
    await assert.rejects(
      client({ maxThrottleRetries: 3 }).ping(),
      (e: any) => e.code === 'SHOPIFY.THROTTLED' && e.retryable === true && e.retryAfterMs === 4000,
    );
    assert.deepEqual(sleeps, [4000, 4000, 4000]);
    assert.equal(calls, 4);
  });
});
