import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@mlc/platform-testing';
import { ShipbobSandbox } from './shipbob.sandbox';
import { ShipbobWebhookSigner } from './shipbob-webhook.signer';
import { DEMO_SEED } from './shipbob-demo.fixtures';

const V = '/2026-01';

function orderBody(referenceId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    reference_id: referenceId,
    type: 'B2B',
    shipping_method: 'Standard',
    recipient: { name: 'Ada', address: { address1: '1 Main St', city: 'Austin', state: 'TX', country: 'US', zip_code: '78701' } },
    products: [{ reference_id: 'ML-1001', name: 'Widget', quantity: 2 }],
    ...extra,
  };
}

describe('ShipbobSandbox refuses what ShipBob refuses', () => {
  const sandbox = new ShipbobSandbox({ seed: 11 });
  let url = '';
  let pat = '';
  let channelId = 0;
  const call = (method: string, path: string, opts: { body?: unknown; token?: string | null; channel?: number | null; raw?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = opts.token === undefined ? pat : opts.token;
    if (token) headers['authorization'] = `Bearer ${token}`;
    const channel = opts.channel === undefined ? channelId : opts.channel;
    if (channel !== null) headers['shipbob_channel_id'] = String(channel);
    return fetch(`${url}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  };

  before(async () => {
    const seeded = sandbox.seedData(DEMO_SEED);
    pat = seeded.pat;
    channelId = seeded.channel.id;
    url = await sandbox.listen();
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.limiter.reset());

  it('answers 401 without a bearer token or with an unknown one, and 200 with the PAT', async () => {
    assert.equal((await call('GET', `${V}/channel`, { token: null })).status, 401);
    assert.equal((await call('GET', `${V}/channel`, { token: 'nope' })).status, 401);
    const ok = await call('GET', `${V}/channel`);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { items: Array<{ id: number; scopes: string[] }> };
    assert.equal(body.items[0]?.id, channelId);
    assert.ok(body.items[0]?.scopes.includes('orders_write'));
    assert.match(ok.headers.get('x-remaining-calls') ?? '', /^\d+$/);
  });

  it('rejects POST /order without the shipbob_channel_id header and stores nothing', async () => {
    const before = sandbox.orders.length;
    const res = await call('POST', `${V}/order`, { body: orderBody('NO-CHANNEL-1'), channel: null });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { shipbob_channel_id: ['The shipbob_channel_id header is required.'] });
    const unknown = await call('POST', `${V}/order`, { body: orderBody('NO-CHANNEL-1'), channel: 999999 });
    assert.equal(unknown.status, 400);
    assert.equal(sandbox.orders.length, before);
  });

  it('creates an order (201, one shipment) and answers 422 with the documented body on a duplicate reference_id', async () => {
    const first = await call('POST', `${V}/order`, { body: orderBody('PO-1001-1') });
    assert.equal(first.status, 201);
    const order = (await first.json()) as { id: number; status: string; reference_id: string; shipments: Array<{ status: string }>; channel: { id: number } };
    assert.equal(order.reference_id, 'PO-1001-1');
    assert.equal(order.status, 'Processing');
    assert.equal(order.channel.id, channelId);
    assert.equal(order.shipments.length, 1);
    const dup = await call('POST', `${V}/order`, { body: orderBody('PO-1001-1') });
    assert.equal(dup.status, 422);
    assert.deepEqual(await dup.json(), { '': ['Cannot insert order with existing ReferenceId'] });
    assert.equal(sandbox.orders.filter((o) => o.reference_id === 'PO-1001-1').length, 1);
    const found = await call('GET', `${V}/order?ReferenceIds=PO-1001-1,OTHER`);
    assert.deepEqual(
      ((await found.json()) as Array<{ id: number }>).map((o) => o.id),
      [order.id],
    );
  });

  it('validates the order body as a map of string arrays and auto-creates unknown SKUs given a name', async () => {
    const bad = await call('POST', `${V}/order`, { body: { reference_id: 'X', type: 'Weird', products: [] } });
    assert.equal(bad.status, 400);
    const errors = (await bad.json()) as Record<string, string[]>;
    assert.ok(errors['Type'] && errors['ShippingMethod'] && errors['Recipient'] && errors['Products']);
    const noName = await call('POST', `${V}/order`, { body: orderBody('NEW-SKU-1', { products: [{ reference_id: 'NEW-SKU', name: null, quantity: 1 }] }) });
    assert.equal(noName.status, 422);
    assert.deepEqual(await noName.json(), { 'Products[0].Name': ['Name is required because no product with reference_id NEW-SKU exists'] });
    const named = await call('POST', `${V}/order`, {
      body: orderBody('NEW-SKU-2', { products: [{ reference_id: 'NEW-SKU', name: 'New thing', quantity: 1 }] }),
    });
    assert.equal(named.status, 201);
    const products = await call('GET', `${V}/product?SKU=NEW-SKU`);
    assert.equal(((await products.json()) as { items: unknown[] }).items.length, 1);
  });

  it('cancels only before pick', async () => {
    const a = (await (await call('POST', `${V}/order`, { body: orderBody('CANCEL-A') })).json()) as { id: number };
    const ok = await call('POST', `${V}/order/${a.id}:cancel`);
    assert.equal(ok.status, 200);
    const okBody = (await ok.json()) as { status: string; order: { status: string } };
    assert.equal(okBody.status, 'Success');
    assert.equal(okBody.order.status, 'Cancelled');

    const b = (await (await call('POST', `${V}/order`, { body: orderBody('CANCEL-B') })).json()) as { id: number; shipments: Array<{ id: number }> };
    sandbox.advance(b.shipments[0]!.id, 'pick');
    const late = await call('POST', `${V}/order/${b.id}:cancel`);
    const lateBody = (await late.json()) as { status: string; canceled_shipment_results: Array<{ is_success: boolean }> };
    assert.equal(lateBody.status, 'Failure');
    assert.equal(lateBody.canceled_shipment_results[0]?.is_success, false);
    assert.equal(sandbox.orders.find((o) => o.id === b.id)?.status, 'Processing');
    assert.deepEqual(
      sandbox.cancellations.slice(-2).map((c) => c.status),
      ['Success', 'Failure'],
    );
    assert.equal((await call('POST', `${V}/order/999999:cancel`)).status, 404);
  });

  it('answers 429 with x-retry-after after 150 calls in the window, then recovers when the window slides', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 150; i++) {
      last = await call('GET', `${V}/channel`);
      assert.equal(last.status, 200, `call ${i + 1}`);
    }
    assert.equal(last?.headers.get('x-remaining-calls'), '0');
    const limited = await call('GET', `${V}/channel`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('x-remaining-calls'), '0');
    const retryAfter = Number(limited.headers.get('x-retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `x-retry-after ${retryAfter}`);
    assert.deepEqual(await limited.json(), { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.` });
    sandbox.advanceClock(60_001);
    const again = await call('GET', `${V}/channel`);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('x-remaining-calls'), '149');
  });

  it('takes a configurable window through the admin API', async () => {
    await fetch(`${url}/__admin/rate-limit`, { method: 'POST', body: JSON.stringify({ limit: 2, windowMs: 1000 }) });
    try {
      assert.equal((await call('GET', `${V}/channel`)).status, 200);
      assert.equal((await call('GET', `${V}/channel`)).status, 200);
      assert.equal((await call('GET', `${V}/channel`)).status, 429);
    } finally {
      await fetch(`${url}/__admin/rate-limit`, { method: 'POST', body: JSON.stringify({ limit: 150, windowMs: 60_000, reset: true }) });
    }
  });

  it('runs OAuth: code -> tokens, 1 h access tokens expire, refresh tokens rotate and work once', async () => {
    const redirect = 'http://127.0.0.1/callback';
    const auth = await fetch(
      `${url}/connect/authorize?client_id=mlc-demo-client&redirect_uri=${encodeURIComponent(redirect)}&scope=orders_read%20offline_access&state=s1`,
      { redirect: 'manual' },
    );
    assert.equal(auth.status, 302);
    const fragment = new URLSearchParams(new URL(auth.headers.get('location')!).hash.slice(1));
    assert.equal(fragment.get('state'), 's1');
    const token = (body: Record<string, string>) =>
      fetch(`${url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const creds = { client_id: 'mlc-demo-client', client_secret: 'mlc-demo-secret' };
    const first = await token({ ...creds, grant_type: 'authorization_code', code: fragment.get('code')!, redirect_uri: redirect });
    assert.equal(first.status, 200);
    const t1 = (await first.json()) as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
    assert.equal(t1.expires_in, 3600);
    assert.equal(t1.token_type, 'Bearer');
    assert.equal(
      (await token({ ...creds, grant_type: 'authorization_code', code: fragment.get('code')!, redirect_uri: redirect })).status,
      400,
      'a code works once',
    );
    assert.equal((await call('GET', `${V}/order`, { token: t1.access_token })).status, 200);
    assert.equal((await call('GET', `${V}/channel`, { token: t1.access_token })).status, 403, 'scope channels_read was not granted');

    sandbox.advanceClock(3601_000);
    const expired = await call('GET', `${V}/order`, { token: t1.access_token });
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /expired/);

    const refreshed = await token({ ...creds, grant_type: 'refresh_token', refresh_token: t1.refresh_token });
    assert.equal(refreshed.status, 200);
    const t2 = (await refreshed.json()) as { access_token: string; refresh_token: string };
    assert.notEqual(t2.refresh_token, t1.refresh_token);
    assert.equal((await call('GET', `${V}/order`, { token: t2.access_token })).status, 200);
    const reused = await token({ ...creds, grant_type: 'refresh_token', refresh_token: t1.refresh_token });
    assert.equal(reused.status, 400);
    assert.deepEqual(await reused.json(), { error: 'invalid_grant' });
    assert.equal((await token({ ...creds, client_secret: 'wrong', grant_type: 'refresh_token', refresh_token: t2.refresh_token })).status, 401);
  });

  it('refuses invalid lifecycle transitions and webhook secrets in the wrong format', async () => {
    const o = (await (await call('POST', `${V}/order`, { body: orderBody('LIFE-1') })).json()) as { shipments: Array<{ id: number }> };
    const id = o.shipments[0]!.id;
    const skip = await fetch(`${url}/__admin/shipments/${id}/advance`, { method: 'POST', body: JSON.stringify({ step: 'ship' }) });
    assert.equal(skip.status, 409);
    const run = await fetch(`${url}/__admin/lifecycle`, { method: 'POST', body: JSON.stringify({ shipment_id: id }) });
    assert.equal(run.status, 200);
    const shipment = (await run.json()) as { status: string; status_details: Array<{ name: string }>; tracking: { tracking_number: string } };
    assert.equal(shipment.status, 'Completed');
    assert.equal(shipment.status_details[0]?.name, 'Delivered');
    assert.ok(shipment.tracking.tracking_number);
    assert.equal(sandbox.transactions.filter((t) => t.reference_id === String(id)).length, 1, 'a shipping charge was created');
    const badSecret = await call('POST', `${V}/webhook`, { body: { topics: ['order.shipped'], url: 'https://example.com/h', secret: 'whsec_short' } });
    assert.equal(badSecret.status, 400);
    const badTopic = await call('POST', `${V}/webhook`, { body: { topics: ['shipment.delivered'], url: 'https://example.com/h' } });
    assert.equal(badTopic.status, 400);
    const http = await call('POST', `${V}/webhook`, { body: { topics: ['order.shipped'], url: 'http://example.com/h' } });
    assert.equal(http.status, 400);
    // duplicateWebhookSubscriptions (UNCONFIRMED), default 'refuse': a second subscription of one URL to a topic it has.
    const first = await call('POST', `${V}/webhook`, { body: { topics: ['order.shipped', 'return.created'], url: 'https://example.com/dup' } });
    assert.equal(first.status, 200);
    const dup = await call('POST', `${V}/webhook`, { body: { topics: ['return.created'], url: 'https://example.com/dup' } });
    assert.equal(dup.status, 400);
    assert.match(await dup.text(), /already exists for: return\.created/);
    const otherTopic = await call('POST', `${V}/webhook`, { body: { topics: ['return.updated'], url: 'https://example.com/dup' } });
    assert.equal(otherTopic.status, 200);
    sandbox.options.duplicateWebhookSubscriptions = 'allow';
    const allowed = await call('POST', `${V}/webhook`, { body: { topics: ['return.created'], url: 'https://example.com/dup' } });
    sandbox.options.duplicateWebhookSubscriptions = 'refuse';
    assert.equal(allowed.status, 200);
  });

  it('creates, validates, lists and cancels receiving orders (WROs)', async () => {
    const inventoryId = sandbox.products.find((p) => p.variants[0]?.sku === 'ML-1001')!.variants[0]!.inventory.inventory_id;
    const wro = {
      fulfillment_center: { id: 10 },
      package_type: 'Package',
      box_packaging_type: 'EverythingInOneBox',
      expected_arrival_date: '2026-02-01T00:00:00Z',
      purchase_order_number: 'PO-77',
      boxes: [{ tracking_number: '1Z999', box_items: [{ inventory_id: inventoryId, quantity: 12 }] }],
    };
    const bad = await call('POST', `${V}/receiving`, { body: { ...wro, package_type: 'Crate' }, channel: null });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys((await bad.json()) as Record<string, string[]>), ['PackageType']);
    const unknownInventory = await call('POST', `${V}/receiving`, {
      body: { ...wro, boxes: [{ tracking_number: 'x', box_items: [{ inventory_id: 1, quantity: 1 }] }] },
      channel: null,
    });
    assert.equal(unknownInventory.status, 400);
    assert.deepEqual(await unknownInventory.json(), { 'Boxes[0].BoxItems[0].InventoryId': ['Inventory 1 was not found.'] });
    const created = await call('POST', `${V}/receiving`, { body: wro, channel: null });
    assert.equal(created.status, 201);
    const w = (await created.json()) as { id: number; status: string; inventory_quantities: Array<{ expected_quantity: number }> };
    assert.equal(w.status, 'Awaiting');
    assert.equal(w.inventory_quantities[0]?.expected_quantity, 12);
    const listed = (await (await call('GET', `${V}/receiving?PurchaseOrderNumbers=PO-77`)).json()) as Array<{ id: number }>;
    assert.deepEqual(
      listed.map((x) => x.id),
      [w.id],
    );
    assert.equal((await call('POST', `${V}/receiving/${w.id}:cancel`)).status, 200);
    assert.equal((await call('POST', `${V}/receiving/${w.id}:cancel`)).status, 422);
    assert.equal(sandbox.receivingOrders.find((x) => x.id === w.id)?.status, 'Cancelled');
  });

  it('supports the sandbox-only POST /simulate/shipment (ShipOrder then DeliverOrder)', async () => {
    const o = (await (await call('POST', `${V}/order`, { body: orderBody('SIM-1') })).json()) as { id: number; shipments: Array<{ id: number }> };
    const sim = await call('POST', `${V}/simulate/shipment`, {
      body: { shipment_id: o.shipments[0]!.id, simulation: { action: 'ShipOrder', next: { action: 'DeliverOrder' } } },
    });
    assert.equal(sim.status, 200);
    const order = (await (await call('GET', `${V}/order/${o.id}`)).json()) as { status: string };
    assert.equal(order.status, 'Fulfilled');
    const again = await call('POST', `${V}/simulate/shipment`, { body: { shipment_id: o.shipments[0]!.id, simulation: { action: 'ShipOrder' } } });
    assert.equal(again.status, 400);
  });

  it('lists what was written through the admin API, with the request log', async () => {
    const state = (await (await fetch(`${url}/__admin/state`)).json()) as { orders: unknown[]; cancellations: unknown[] };
    assert.equal(state.orders.length, sandbox.orders.length);
    assert.equal(state.cancellations.length, sandbox.cancellations.length);
    const log = (await (await fetch(`${url}/__admin/requests`)).json()) as { items: Array<{ path: string; headers: Record<string, string> }> };
    const post = log.items.find((r) => r.path === `${V}/order`);
    assert.equal(post?.headers['authorization'], '[redacted]');
  });
  it('filters GET /order by the documented last-update and tracking-update windows; a delivery alone moves only the tracking date (strict default)', async () => {
    const created = (await (await call('POST', `${V}/order`, { body: orderBody('SWEEP-FILTER-1') })).json()) as {
      id: number;
      shipments: Array<{ id: number }>;
    };
    const ids = async (query: string): Promise<number[]> => {
      const res = await call('GET', `${V}/order?${query}`);
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as Array<{ id: number }>).map((o) => o.id);
    };
    sandbox.advanceClock(60_000);
    const t1 = new Date(sandbox.now()).toISOString();
    sandbox.runLifecycle(created.shipments[0]!.id, ['pick', 'pack', 'label', 'ship']);
    sandbox.advanceClock(60_000);
    const t2 = new Date(sandbox.now()).toISOString();
    sandbox.runLifecycle(created.shipments[0]!.id, ['in_transit', 'delivered']);
    const t3 = new Date(sandbox.now() + 1).toISOString();
    const enc = encodeURIComponent;
    assert.ok((await ids(`LastUpdateStartDate=${enc(t1)}&LastUpdateEndDate=${enc(t2)}`)).includes(created.id), 'shipping moved the order');
    assert.ok(!(await ids(`LastUpdateStartDate=${enc(t2)}&LastUpdateEndDate=${enc(t3)}`)).includes(created.id), 'a carrier update alone does not');
    assert.ok(
      (await ids(`LastTrackingUpdateStartDate=${enc(t2)}&LastTrackingUpdateEndDate=${enc(t3)}`)).includes(created.id),
      'the tracking filter finds the delivery',
    );
    assert.deepEqual(await ids(`LastUpdateStartDate=${enc(t3)}`), []);
    // Paging: Page/Limit over the window.
    const all = await ids(`LastTrackingUpdateStartDate=${enc(t1)}&Limit=1&Page=1`);
    assert.equal(all.length, 1);
    assert.deepEqual(await ids(`LastTrackingUpdateStartDate=${enc(t1)}&Limit=1&Page=2`), []);
    // Undocumented filters are refused (strict allow-list); a bad date too.
    assert.equal((await call('GET', `${V}/order?UpdatedSince=${enc(t1)}`)).status, 400);
    assert.equal((await call('GET', `${V}/order?LastUpdateStartDate=yesterday`)).status, 400);

    const lenient = new ShipbobSandbox({ seed: 12, trackingMovesOrderLastUpdate: true });
    const seeded = lenient.seedData(DEMO_SEED);
    const lurl = await lenient.listen();
    try {
      const h = { authorization: `Bearer ${seeded.pat}`, shipbob_channel_id: String(seeded.channel.id), 'content-type': 'application/json' };
      const o = (await (await fetch(`${lurl}${V}/order`, { method: 'POST', headers: h, body: JSON.stringify(orderBody('SWEEP-FILTER-2')) })).json()) as {
        id: number;
        shipments: Array<{ id: number }>;
      };
      lenient.runLifecycle(o.shipments[0]!.id, ['pick', 'pack', 'label', 'ship']);
      lenient.advanceClock(60_000);
      const from = new Date(lenient.now()).toISOString();
      lenient.runLifecycle(o.shipments[0]!.id, ['in_transit', 'delivered']);
      const res = await fetch(`${lurl}${V}/order?LastUpdateStartDate=${enc(from)}`, { headers: h });
      assert.deepEqual(
        ((await res.json()) as Array<{ id: number }>).map((x) => x.id),
        [o.id],
        'under the other reading a delivery moves the order',
      );
    } finally {
      await lenient.close();
    }
  });

  it('drops webhooks by topic on the drop switch: logged as dropped, never delivered nor retried', async () => {
    const received: string[] = [];
    const { createServer } = await import('node:http');
    const hook = createServer((req, res) => {
      received.push(String(req.headers['x-webhook-topic']));
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (hook.address() as { port: number }).port;
      const sub = await call('POST', `${V}/webhook`, {
        body: { topics: ['order.shipped', 'order.shipment.delivered', 'billing.charge.created'], url: `http://127.0.0.1:${port}/hook` },
      });
      assert.equal(sub.status, 200);
      const subId = ((await sub.json()) as { id: string }).id;
      const created = (await (await call('POST', `${V}/order`, { body: orderBody('DROP-1') })).json()) as { shipments: Array<{ id: number }> };
      const switches = await fetch(`${url}/__admin/webhooks/switches`, { method: 'POST', body: JSON.stringify({ drop: ['order.shipment.delivered'] }) });
      assert.deepEqual(((await switches.json()) as { drop: string[] }).drop, ['order.shipment.delivered']);
      const before = sandbox.sentWebhooks.length;
      sandbox.runLifecycle(created.shipments[0]!.id);
      // This subscription's deliveries only: dispatcher.idle() would also wait out earlier tests' retries to dead URLs.
      await waitFor(() => received.length >= 2, { timeoutMs: 10_000, intervalMs: 20, what: "this subscription's two deliveries" });
      const sent = sandbox.sentWebhooks.slice(before).filter((w) => w.subscriptionId === subId);
      assert.deepEqual(
        sent.map((w) => [w.topic, Boolean(w.dropped)]),
        [
          ['order.shipped', false],
          ['billing.charge.created', false],
          ['order.shipment.delivered', true],
        ],
      );
      assert.deepEqual(received.sort(), ['billing.charge.created', 'order.shipped']);
      assert.equal(sandbox.dispatcher.attempts.filter((a) => a.webhookId === sent[2]!.id).length, 0);
      sandbox.setWebhookSwitches({ drop: true });
      sandbox.emit('order.shipped', { id: 1 });
      assert.equal(sandbox.sentWebhooks.at(-1)?.dropped, true);
    } finally {
      sandbox.setWebhookSwitches({ drop: false });
      hook.closeAllConnections(); // the sandbox's keep-alive sockets would hold close() open
      await new Promise((r) => hook.close(r));
    }
  });
});

describe('ShipbobWebhookSigner', () => {
  it('reproduces the published Standard Webhooks vector', () => {
    // standard-webhooks library tests: "sign function works" (fixed timestamp)
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    assert.equal(new ShipbobWebhookSigner(secret).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'), expected);
    assert.equal(new ShipbobWebhookSigner(secret.slice(6)).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'), expected);
    assert.notEqual(new ShipbobWebhookSigner(secret).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265331, '{"test": 2432232314}'), expected);
  });
});
