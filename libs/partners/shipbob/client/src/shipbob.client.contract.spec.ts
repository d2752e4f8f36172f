import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_SEED, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShipbobClient, type ShipbobClientConfig } from './shipbob.client';
import { SHIPBOB_ERROR, ShipbobDuplicateOrderError, ShipbobError } from './shipbob.errors';
import { verifyShipbobWebhook, type ShipbobWebhookVerification } from './shipbob-webhook.verifier';
import type { ShipbobCreateOrderInput } from './shipbob.types';

/** Contract spec: the client against the in-process ShipBob sandbox (set SHIPBOB_BASE_URL etc. for the real sandbox later). */

function order(referenceId: string, extra: Partial<ShipbobCreateOrderInput> = {}): ShipbobCreateOrderInput {
  return {
    referenceId,
    type: 'B2B',
    shippingMethod: 'Standard',
    recipient: { name: 'Grace Hopper', address: { address1: '1 Navy Way', city: 'Arlington', state: 'VA', country: 'US', zipCode: '22202' } },
    lines: [
      { sku: 'ML-1001', name: 'Widget', quantity: 1, unitPriceMinor: 1299, externalLineId: 1 },
      { sku: 'ML-1002', name: 'Gadget', quantity: 1, externalLineId: 2 },
    ],
    ...extra,
  };
}

async function rejects(p: Promise<unknown>, code: string): Promise<ShipbobError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ShipbobError, `expected a ShipbobError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('ShipbobClient against the ShipBob sandbox', () => {
  const sandbox = new ShipbobSandbox({ seed: 21 });
  let client: ShipbobClient;
  let cfg: ShipbobClientConfig;
  let otherChannelId = 0;

  before(async () => {
    const seeded = sandbox.seedData(DEMO_SEED);
    otherChannelId = sandbox.seedData({ channel: { id: 2000, name: 'Shopify store' } }).channel.id;
    const url = await sandbox.listen();
    cfg = { baseUrl: url, channelId: seeded.channel.id, auth: { kind: 'pat', token: seeded.pat }, timeoutMs: 2000 };
    client = new ShipbobClient(cfg);
  });
  afterEach(() => {
    sandbox.faults = {};
    sandbox.limiter.limit = 150;
    sandbox.limiter.reset();
  });
  after(() => sandbox.close());

  it('pings, sees its channel and exposes x-remaining-calls', async () => {
    const ping = await client.ping();
    assert.equal(ping.channelFound, true);
    assert.equal(ping.remainingCalls, 149);
    assert.equal(client.rateLimit.remainingCalls, 149);
    const lost = await new ShipbobClient({ ...cfg, channelId: 424242 }).ping();
    assert.equal(lost.channelFound, false);
  });

  it('creates an order, and on a duplicate returns the existing order instead of creating a second', async () => {
    const first = await client.createOrder(order('FUSION-PO-1-1'));
    assert.equal(first.created, true);
    assert.equal(first.order.referenceId, 'FUSION-PO-1-1');
    assert.equal(first.order.status, 'Processing');
    assert.deepEqual(
      first.order.lines.map((l) => [l.sku, l.quantity, l.externalLineId]),
      [
        ['ML-1001', 1, 1],
        ['ML-1002', 1, 2],
      ],
    );
    assert.equal(first.order.shipments.length, 1);
    assert.equal(sandbox.orders.at(-1)?.products[0]?.unit_price, 12.99);

    const again = await client.createOrder(order('FUSION-PO-1-1'));
    assert.equal(again.created, false);
    assert.equal(again.order.id, first.order.id);
    assert.equal(sandbox.orders.filter((o) => o.reference_id === 'FUSION-PO-1-1').length, 1);
    const posts = sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/2026-01/order');
    assert.deepEqual(
      posts.slice(-2).map((r) => [r.status, r.headers['shipbob_channel_id']]),
      [
        [201, String(cfg.channelId)],
        [422, String(cfg.channelId)],
      ],
    );
  });

  it('throws ShipbobDuplicateOrderError when the duplicate lives in a channel it cannot read', async () => {
    await client.createOrder(order('FUSION-PO-2-1'));
    const other = new ShipbobClient({ ...cfg, channelId: otherChannelId });
    const err = await rejects(other.createOrder(order('FUSION-PO-2-1')), SHIPBOB_ERROR.DUPLICATE_ORDER);
    assert.ok(err instanceof ShipbobDuplicateOrderError);
    assert.equal(err.retryable, false);
    assert.deepEqual(err.details['partnerBody'], { '': ['Cannot insert order with existing ReferenceId'] });
  });

  it('finds orders by reference id, gets one, and answers undefined for an unknown id', async () => {
    const { order: created } = await client.createOrder(order('FUSION-PO-3-1'));
    const found = await client.findOrdersByReferenceIds(['FUSION-PO-3-1', 'NOPE']);
    assert.deepEqual(
      found.map((o) => o.id),
      [created.id],
    );
    assert.deepEqual(await client.findOrdersByReferenceIds([]), []);
    assert.equal((await client.getOrder(created.id))?.referenceId, 'FUSION-PO-3-1');
    assert.equal(await client.getOrder(987654321), undefined);
    const other = new ShipbobClient({ ...cfg, channelId: otherChannelId });
    assert.equal(await other.getOrder(created.id), undefined, 'another channel does not see it');
  });

  it('cancels before pick, and reports Failure (not an error) once picked', async () => {
    const a = (await client.createOrder(order('FUSION-PO-4-1'))).order;
    const ok = await client.cancelOrder(a.id);
    assert.equal(ok.status, 'Success');
    assert.equal((await client.getOrder(a.id))?.status, 'Cancelled');
    const b = (await client.createOrder(order('FUSION-PO-4-2'))).order;
    sandbox.advance(b.shipments[0]!.id, 'pick');
    const late = await client.cancelOrder(b.id);
    assert.equal(late.status, 'Failure');
    assert.equal(late.shipments[0]?.cancelled, false);
    assert.match(late.shipments[0]?.reason ?? '', /picked/);
    await rejects(client.cancelOrder(999), SHIPBOB_ERROR.REJECTED);
  });

  it('lists products by SKU with cursor paging, and fulfillment centers', async () => {
    const one = await client.listProducts({ sku: 'ML-1002' });
    assert.deepEqual(
      one.items.map((p) => p.variants[0]?.sku),
      ['ML-1002'],
    );
    assert.equal(one.items[0]?.variants[0]?.onHand, 40);
    const page1 = await client.listProducts({ pageSize: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.nextCursor);
    const page2 = await client.listProducts({ pageSize: 2, cursor: page1.nextCursor! });
    assert.notDeepEqual(
      page2.items.map((p) => p.id),
      page1.items.map((p) => p.id),
    );
    const fcs = await client.listFulfillmentCenters();
    assert.deepEqual(
      fcs.map((f) => [f.id, f.name]),
      [
        [10, 'Cicero (IL)'],
        [11, 'Moreno Valley (CA)'],
      ],
    );
    assert.equal(fcs[0]?.address.zipCode, '60804');
  });

  it('queries the shipping charges a shipment created', async () => {
    const o = (await client.createOrder(order('FUSION-PO-5-1'))).order;
    const shipmentId = o.shipments[0]!.id;
    sandbox.runLifecycle(shipmentId);
    const shipment = await client.getShipment(shipmentId);
    assert.equal(shipment?.status, 'Completed');
    assert.deepEqual(shipment?.statusDetails, ['Delivered']);
    assert.ok(shipment?.tracking?.trackingNumber);
    const page = await client.queryTransactions({ referenceTypes: ['Shipment'], referenceIds: [String(shipmentId)] });
    assert.deepEqual(
      page.items.map((t) => [t.referenceId, t.transactionType, t.amountMinor, t.currencyCode]),
      [[String(shipmentId), 'Charge', 485, 'USD']],
    );
  });

  it('reads orders changed in a window by both documented date filters, each once, paging until a short page', async () => {
    const { order: o } = await client.createOrder(order('SWEEP-READ-1'));
    const from = new Date(sandbox.now()).toISOString();
    sandbox.runLifecycle(o.shipments[0]!.id);
    const to = new Date(sandbox.now() + 1000).toISOString();
    const start = sandbox.requests().at(-1)?.seq ?? 0;
    const seen: number[] = [];
    for await (const x of client.ordersChangedBetween(from, to, 1)) seen.push(x.id);
    assert.deepEqual(seen, [o.id], 'found by both filters, yielded once');
    const reads = sandbox.requests().filter((r) => r.seq > start);
    assert.deepEqual(
      reads.map((r) => [...new URLSearchParams(r.query.replace(/^\?/, '')).keys()].sort().join(',')),
      [
        'LastUpdateEndDate,LastUpdateStartDate,Limit,Page',
        'LastUpdateEndDate,LastUpdateStartDate,Limit,Page',
        'LastTrackingUpdateEndDate,LastTrackingUpdateStartDate,Limit,Page',
        'LastTrackingUpdateEndDate,LastTrackingUpdateStartDate,Limit,Page',
      ],
    );
    assert.ok(reads.every((r) => r.status === 200 && r.headers['shipbob_channel_id'] === String(cfg.channelId)));
    const [again] = await client.listOrdersChanged({ by: 'last-tracking-update', from, to, page: 1, limit: 250 });
    const s = again!.shipments[0]!;
    assert.equal(s.status, 'Completed');
    assert.deepEqual(
      s.details?.map((d) => d.name),
      ['Delivered'],
    );
    assert.ok(s.trackingUpdatedAt && s.deliveredAt);
    assert.deepEqual(s.products, [
      { referenceId: 'ML-1001', sku: 'ML-1001', quantity: 1 },
      { referenceId: 'ML-1002', sku: 'ML-1002', quantity: 1 },
    ]);
  });

  it('maps a validation 400 to SHIPBOB.REJECTED with the partner body, and an unknown channel too', async () => {
    const err = await rejects(client.createOrder(order('', { lines: [] })), SHIPBOB_ERROR.REJECTED);
    assert.equal(err.retryable, false);
    assert.equal(err.details['status'], 400);
    assert.ok((err.details['partnerBody'] as Record<string, string[]>)['ReferenceId']);
    const stranger = new ShipbobClient({ ...cfg, channelId: 31337 });
    const e2 = await rejects(stranger.createOrder(order('FUSION-PO-6-1')), SHIPBOB_ERROR.REJECTED);
    assert.deepEqual(e2.details['partnerBody'], { shipbob_channel_id: ['Channel 31337 was not found.'] });
  });

  it('throws SHIPBOB.RATE_LIMITED with retryAfterMs from x-retry-after after the limit', async () => {
    sandbox.limiter.limit = 3;
    for (let i = 0; i < 3; i++) await client.listFulfillmentCenters();
    assert.equal(client.rateLimit.remainingCalls, 0);
    const err = await rejects(client.listFulfillmentCenters(), SHIPBOB_ERROR.RATE_LIMITED);
    assert.equal(err.retryable, true);
    assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs >= 1000 && err.retryAfterMs <= 60_000, String(err.retryAfterMs));
    assert.equal(client.rateLimit.retryAfterMs, err.retryAfterMs);
    sandbox.faults = { rateLimitUntil: Date.now() + 60_000, rateLimitRetryAfterSec: 25 };
    sandbox.limiter.limit = 150;
    const storm = await rejects(client.getOrder(1), SHIPBOB_ERROR.RATE_LIMITED);
    assert.equal(storm.retryAfterMs, 25_000);
  });

  it('rides out a short 429 storm by itself (partner policy), never sooner than x-retry-after', async () => {
    const mark = sandbox.requests().length;
    sandbox.faults = { rateLimitUntil: Date.now() + 1_500, rateLimitRetryAfterSec: 1 };
    const started = Date.now();
    assert.ok((await client.listFulfillmentCenters()).length > 0);
    const log = sandbox
      .requests()
      .slice(mark)
      .filter((r) => r.path.endsWith('/fulfillment-center'));
    assert.equal(log[0]?.status, 429);
    assert.equal(log.at(-1)?.status, 200);
    assert.ok(Date.now() - started >= (log.length - 1) * 1_000, `${log.length} requests in ${Date.now() - started} ms: each retry waited x-retry-after (1 s)`);
  });

  it('repeats a read after a 5xx but never a webhook subscription create (it has no key)', async () => {
    sandbox.faults = { errorRate: 1 };
    const mark = sandbox.requests().length;
    await rejects(client.createWebhookSubscription({ topics: ['order.shipped'], url: 'https://example.com/hook' }), SHIPBOB_ERROR.UNAVAILABLE);
    assert.equal(
      sandbox
        .requests()
        .slice(mark)
        .filter((r) => r.method === 'POST' && r.path.endsWith('/webhook')).length,
      1,
      'sent once',
    );
    const mark2 = sandbox.requests().length;
    await rejects(client.listFulfillmentCenters(), SHIPBOB_ERROR.UNAVAILABLE);
    assert.equal(
      sandbox
        .requests()
        .slice(mark2)
        .filter((r) => r.path.endsWith('/fulfillment-center')).length,
      3,
      'a read: three attempts',
    );
  });

  it('throws SHIPBOB.UNAVAILABLE (retryable) on 5xx, dropped connections, timeouts and cut bodies', async () => {
    sandbox.faults = { errorRate: 1 };
    assert.equal((await rejects(client.listFulfillmentCenters(), SHIPBOB_ERROR.UNAVAILABLE)).retryable, true);
    sandbox.faults = { outageFrom: 0, outageUntil: Date.now() + 60_000, outageDrop: true };
    assert.equal((await rejects(client.listFulfillmentCenters(), SHIPBOB_ERROR.UNAVAILABLE)).details['reason'], 'network');
    sandbox.faults = { latencyMs: 300 };
    const slow = new ShipbobClient({ ...cfg, timeoutMs: 50 });
    assert.equal((await rejects(slow.listFulfillmentCenters(), SHIPBOB_ERROR.UNAVAILABLE)).details['reason'], 'timeout');
    sandbox.faults = { malformedRate: 1 };
    assert.equal((await rejects(client.listFulfillmentCenters(), SHIPBOB_ERROR.UNAVAILABLE)).details['reason'], 'malformed_response');
  });

  it('throws SHIPBOB.AUTH for a bad PAT and when the token hook cannot help', async () => {
    const bad = new ShipbobClient({ ...cfg, auth: { kind: 'pat', token: 'revoked' } });
    const err = await rejects(bad.ping(), SHIPBOB_ERROR.AUTH);
    assert.equal(err.retryable, false);
    assert.equal(err.details['status'], 401);
    const calls: boolean[] = [];
    const hooked = new ShipbobClient({
      ...cfg,
      getAccessToken: async (force) => {
        calls.push(force);
        return 'still-bad';
      },
    });
    await rejects(hooked.ping(), SHIPBOB_ERROR.AUTH);
    assert.deepEqual(calls, [false, true]);
  });

  it('asks the token hook for a fresh token after a 401 and retries once', async () => {
    const calls: boolean[] = [];
    const pat = (cfg.auth as { token: string }).token;
    const hooked = new ShipbobClient({
      ...cfg,
      getAccessToken: async (force) => {
        calls.push(force);
        return force ? pat : 'stale';
      },
    });
    assert.equal((await hooked.ping()).channelFound, true);
    assert.deepEqual(calls, [false, true]);
  });
});

describe('ShipbobClient with OAuth against the sandbox', () => {
  const sandbox = new ShipbobSandbox({ seed: 31 });
  let url = '';
  let channelId = 0;
  const redirect = 'http://127.0.0.1/callback';

  before(async () => {
    channelId = sandbox.seedData(DEMO_SEED).channel.id;
    url = await sandbox.listen();
  });
  after(() => sandbox.close());

  async function firstRefreshToken(): Promise<string> {
    const code = sandbox.issueAuthorizationCode('mlc-demo-client', redirect, ['orders_read', 'orders_write', 'channels_read', 'offline_access']);
    const res = await fetch(`${url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirect,
        client_id: 'mlc-demo-client',
        client_secret: 'mlc-demo-secret',
      }).toString(),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { refresh_token: string }).refresh_token;
  }

  it('refreshes, rotates the refresh token, renews an expired access token and refuses a used refresh token', async () => {
    const original = await firstRefreshToken();
    const rotated: string[] = [];
    const oauth = {
      kind: 'oauth' as const,
      clientId: 'mlc-demo-client',
      clientSecret: 'mlc-demo-secret',
      refreshToken: original,
      onRefreshTokenRotated: (t: string) => void rotated.push(t),
    };
    const client = new ShipbobClient({ baseUrl: url, channelId, auth: oauth });
    await Promise.all([client.ping(), client.findOrdersByReferenceIds(['X']), client.ping()]);
    assert.equal(rotated.length, 1, 'concurrent calls share one refresh');
    assert.notEqual(rotated[0], original);

    sandbox.advanceClock(3601_000); // the sandbox expires the access token; the client's own clock has not moved
    assert.equal((await client.ping()).channelFound, true);
    assert.equal(rotated.length, 2, 'a 401 led to one more refresh');
    const tokenCalls = sandbox.requests().filter((r) => r.path === '/connect/token');
    assert.deepEqual(
      tokenCalls.slice(-2).map((r) => r.status),
      [200, 200],
    );

    const stale = new ShipbobClient({ baseUrl: url, channelId, auth: { ...oauth, refreshToken: original } });
    const err = await rejects(stale.ping(), SHIPBOB_ERROR.AUTH);
    assert.deepEqual(err.details['partnerBody'], { error: 'invalid_grant' });
  });

  it('maps a missing scope (403) to SHIPBOB.AUTH', async () => {
    const code = sandbox.issueAuthorizationCode('mlc-demo-client', redirect, ['channels_read', 'offline_access']);
    const res = await fetch(`${url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirect,
        client_id: 'mlc-demo-client',
        client_secret: 'mlc-demo-secret',
      }).toString(),
    });
    const { refresh_token } = (await res.json()) as { refresh_token: string };
    const client = new ShipbobClient({
      baseUrl: url,
      channelId,
      auth: { kind: 'oauth', clientId: 'mlc-demo-client', clientSecret: 'mlc-demo-secret', refreshToken: refresh_token },
    });
    const err = await rejects(client.createOrder(order('SCOPE-1')), SHIPBOB_ERROR.AUTH);
    assert.equal(err.details['status'], 403);
  });
});

describe('a ShipBob lifecycle delivers signed webhooks to a local receiver', () => {
  const sandbox = new ShipbobSandbox({ seed: 41, webhookTimeScale: 200_000 });
  let client: ShipbobClient;
  let receiver: Server;
  let secret = '';
  const received: Array<{ topic: string | undefined; id: string | undefined; body: string; verdict: ShipbobWebhookVerification }> = [];

  before(async () => {
    const seeded = sandbox.seedData(DEMO_SEED);
    const url = await sandbox.listen();
    client = new ShipbobClient({ baseUrl: url, channelId: seeded.channel.id, auth: { kind: 'pat', token: seeded.pat } });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const verdict = verifyShipbobWebhook({ rawBody: raw, headers: req.headers, secrets: [secret], nowSec: Math.floor(sandbox.now() / 1000) });
        received.push({
          topic: req.headers['x-webhook-topic'] as string | undefined,
          id: req.headers['webhook-id'] as string | undefined,
          body: raw.toString('utf8'),
          verdict,
        });
        res.writeHead(verdict.ok ? 204 : 401).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const sub = await fetch(`${url}/2026-01/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${seeded.pat}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/shipbob`,
        topics: [
          'order.shipped',
          'order.shipment.delivered',
          'order.shipment.exception',
          'order.shipment.on_hold',
          'order.shipment.cancelled',
          'billing.charge.created',
        ],
      }),
    });
    assert.equal(sub.status, 200);
    secret = ((await sub.json()) as { secret: string }).secret;
    assert.match(secret, /^whsec_[a-zA-Z0-9+/]{32}$/);
  });
  after(async () => {
    await sandbox.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('sends order.shipped, billing.charge.created and order.shipment.delivered, each verifiable', async () => {
    received.length = 0;
    const o = (await client.createOrder(order('HOOK-1'))).order;
    sandbox.runLifecycle(o.shipments[0]!.id);
    await sandbox.dispatcher.idle();
    assert.deepEqual(
      received.map((r) => [r.topic, r.verdict.ok]),
      [
        ['order.shipped', true],
        ['billing.charge.created', true],
        ['order.shipment.delivered', true],
      ],
    );
    assert.equal((JSON.parse(received[0]!.body) as { reference_id: string }).reference_id, 'HOOK-1');
    assert.equal((JSON.parse(received[2]!.body) as { status: string }).status, 'Completed');
    assert.equal(new Set(received.map((r) => r.id)).size, 3);
  });

  it('sends exception, on-hold and cancellation webhooks from the side branches', async () => {
    received.length = 0;
    const o = (await client.createOrder(order('HOOK-2'))).order;
    const id = o.shipments[0]!.id;
    sandbox.runLifecycle(id, ['exception', 'release', 'on_hold', 'cancel'], undefined);
    await sandbox.dispatcher.idle();
    assert.deepEqual(
      received.map((r) => [r.topic, r.verdict.ok]),
      [
        ['order.shipment.exception', true],
        ['order.shipment.on_hold', true],
        ['order.shipment.cancelled', true],
      ],
    );
    assert.equal((await client.getOrder(o.id))?.status, 'Cancelled');
  });

  it('retries a badly signed delivery on the whole (scaled) ShipBob schedule while the receiver refuses it', async () => {
    received.length = 0;
    sandbox.setWebhookSwitches({ badSignature: true });
    try {
      const o = (await client.createOrder(order('HOOK-3'))).order;
      sandbox.runLifecycle(o.shipments[0]!.id, ['exception']);
      await sandbox.dispatcher.idle();
    } finally {
      sandbox.setWebhookSwitches({ badSignature: false });
    }
    assert.equal(received.length, 9, 'first attempt plus 8 retries');
    assert.ok(received.every((r) => !r.verdict.ok && r.verdict.reason === 'signature_mismatch'));
    assert.equal(new Set(received.map((r) => r.id)).size, 1, 'the webhook-id stays the same across retries');
    const attempts = sandbox.dispatcher.attempts.filter((a) => a.webhookId === received[0]!.id);
    assert.deepEqual(
      attempts.map((a) => a.status),
      Array(9).fill(401),
    );
  });

  it('delivers duplicates with the same webhook-id, and reordered batches newest first', async () => {
    received.length = 0;
    sandbox.setWebhookSwitches({ duplicate: true });
    try {
      const o = (await client.createOrder(order('HOOK-4'))).order;
      sandbox.runLifecycle(o.shipments[0]!.id, ['on_hold']);
      await sandbox.dispatcher.idle();
    } finally {
      sandbox.setWebhookSwitches({ duplicate: false });
    }
    assert.equal(received.length, 2);
    assert.equal(received[0]!.id, received[1]!.id);
    assert.ok(received.every((r) => r.verdict.ok));

    received.length = 0;
    sandbox.setWebhookSwitches({ reorder: true });
    const o = (await client.createOrder(order('HOOK-5'))).order;
    sandbox.runLifecycle(o.shipments[0]!.id);
    assert.equal(received.length, 0, 'held until flushed');
    sandbox.setWebhookSwitches({ reorder: false }); // releases the held batch
    await sandbox.dispatcher.idle();
    assert.deepEqual(
      received.map((r) => r.topic),
      ['order.shipment.delivered', 'billing.charge.created', 'order.shipped'],
    );
    assert.ok(received.every((r) => r.verdict.ok));
  });
});
