import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '@mlc/platform-testing';
import { DEMO_SEED, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShipbobClient } from './shipbob.client';
import { SHIPBOB_ERROR, ShipbobError } from './shipbob.errors';

/**
 * ShipBob's own published payloads (test/fixtures/shipbob, see SOURCES.md there), byte for byte: every response
 * parses through the client, and the published create-order request is accepted by the strict sandbox.
 */
const FIXTURES = join(REPO_ROOT, 'test/fixtures/shipbob');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const json = <T>(name: string): T => JSON.parse(fixture(name).toString('utf8')) as T;

interface Answer {
  status: number;
  file?: string;
  headers?: Record<string, string>;
}

/** A stub ShipBob answering each `METHOD /path` with a published body, exactly as stored. */
function publishedShipbob(routes: Record<string, Answer>): { url: () => string; server: Server } {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const answer = routes[`${req.method} ${path}`];
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', 'x-remaining-calls': '149', ...answer.headers });
    res.end(answer.file ? fixture(answer.file) : undefined);
  });
  return { server, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
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

describe('ShipbobClient reads every published ShipBob response', () => {
  const stub = publishedShipbob({
    'POST /2026-01/order': { status: 201, file: 'order-create-response.openapi-2026-01.json' },
    'GET /2026-01/order/1': { status: 200, file: 'order-create-response.openapi-2026-01.json' },
    'GET /2026-01/order/1/shipment': { status: 200, file: 'order-shipments-list.openapi-2026-01.json' },
    'GET /2026-01/shipment/1': { status: 200, file: 'shipment.openapi-2026-01.json' },
    'POST /2026-01/order/1:cancel': { status: 200, file: 'order-cancel-response.openapi-2026-01.json' },
    'GET /2026-01/channel': { status: 200, file: 'channels-get.openapi-2026-01.json' },
    'GET /2026-01/fulfillment-center': { status: 200, file: 'fulfillment-centers-get.openapi-2026-01.json' },
    'GET /2026-01/location': { status: 200, file: 'locations-get.openapi-2026-01.json' },
    'POST /2026-01/transactions:query': { status: 200, file: 'billing-transactions-query-response.openapi-2026-01.json' },
    'POST /2026-01/webhook': { status: 200, file: 'webhook-subscription-create-response.openapi-2026-01.json' },
    'GET /2026-01/webhook': { status: 200, file: 'webhook-subscriptions-list.openapi-2026-01.json' },
    'DELETE /2026-01/webhook/12345': { status: 204 },
    'GET /2026-01/order/429': { status: 429, file: 'rate-limit-429-body.docs.json', headers: { 'x-retry-after': '25', 'x-remaining-calls': '0' } },
    'GET /2026-01/order/4290': { status: 429, file: 'rate-limit-429-body.docs.json', headers: { 'x-remaining-calls': '0' } },
    'GET /2026-01/order/422': { status: 422, file: 'order-create-422.openapi-2026-01.json' },
  });
  let client: ShipbobClient;

  before(async () => {
    await new Promise<void>((r) => stub.server.listen(0, '127.0.0.1', r));
    client = new ShipbobClient({ baseUrl: stub.url(), channelId: 128944, auth: { kind: 'pat', token: 'pat' }, timeoutMs: 2000 });
  });
  after(() => new Promise<void>((r) => stub.server.close(() => r())));

  it('order-create-response (POST /order 201, GET /order/{id} 200: Orders.OrderViewModel)', async () => {
    const raw = json<{
      reference_id: string;
      status: string;
      products: Array<{ sku: string; quantity: number }>;
      shipments: Array<{ id: number; status: string }>;
    }>('order-create-response.openapi-2026-01.json');
    const created = await client.createOrder({
      referenceId: raw.reference_id,
      type: 'DTC',
      shippingMethod: 'Standard',
      recipient: { name: 'x', address: { address1: 'a', city: 'c', country: 'US' } },
      lines: [{ sku: 'TShirtBlueM', name: 'T-shirt', quantity: 1 }],
    });
    assert.equal(created.created, true);
    assert.equal(created.order.referenceId, raw.reference_id);
    assert.equal(created.order.status, raw.status);
    assert.deepEqual(
      created.order.lines.map((l) => [l.sku, l.quantity]),
      raw.products.map((p) => [p.sku, p.quantity]),
    );
    assert.deepEqual(
      created.order.shipments.map((s) => [s.id, s.status]),
      raw.shipments.map((s) => [s.id, s.status]),
    );
    assert.deepEqual(await client.getOrder(1), created.order);
  });

  it('order-shipments-list and shipment (Orders.ShipmentViewModel)', async () => {
    const list = json<Array<{ id: number; tracking: { tracking_number: string } }>>('order-shipments-list.openapi-2026-01.json');
    const shipments = await client.listShipments(1);
    assert.deepEqual(
      shipments?.map((s) => [s.id, s.tracking?.trackingNumber]),
      list.map((s) => [s.id, s.tracking.tracking_number]),
    );
    const one = json<{ id: number; status: string; status_details: Array<{ name: string }>; location: { id: number } }>('shipment.openapi-2026-01.json');
    const shipment = await client.getShipment(1);
    assert.equal(shipment?.id, one.id);
    assert.equal(shipment?.status, one.status);
    assert.deepEqual(
      shipment?.statusDetails,
      one.status_details.map((d) => d.name),
    );
    assert.equal(shipment?.locationId, one.location.id);
  });

  it('order-cancel-response (Orders.CanceledOrderViewModel)', async () => {
    const raw = json<{ order_id: number; status: string; canceled_shipment_results: Array<{ shipment_id: number; is_success: boolean }> }>(
      'order-cancel-response.openapi-2026-01.json',
    );
    const result = await client.cancelOrder(1);
    assert.equal(result.orderId, raw.order_id);
    assert.equal(result.status, raw.status);
    assert.deepEqual(
      result.shipments.map((s) => [s.shipmentId, s.cancelled]),
      raw.canceled_shipment_results.map((r) => [r.shipment_id, r.is_success]),
    );
  });

  it('channels-get, fulfillment-centers-get, locations-get', async () => {
    const channels = await client.listChannels();
    assert.deepEqual(
      channels.map((c) => [c.id, c.applicationName]),
      [
        [128944, 'SMA'],
        [128943, 'ShipBob'],
      ],
    );
    assert.ok(channels[0]!.scopes.includes('orders_write'));
    assert.equal((await client.ping()).channelFound, true);
    const [fc] = await client.listFulfillmentCenters();
    assert.deepEqual([fc?.name, fc?.timezone, fc?.address.zipCode, fc?.address.country], ['Cicero (IL)', 'Central Standard Time', '60804', 'USA']);
    const [loc] = await client.listLocations();
    assert.equal(loc?.receivingEnabled, true);
    assert.deepEqual(
      loc?.services.map((s) => [s.type, s.enabled, s.address?.city]),
      [['Receiving', true, 'string']],
    );
  });

  it('billing-transactions-query-response (Billing.TransactionDtoCursorPagedResponseV3): string fulfillment center, boolean invoiced, bare cursor', async () => {
    const page = await client.queryTransactions({ referenceTypes: ['Shipment'] });
    assert.deepEqual(
      page.items.map((t) => [
        t.transactionId,
        t.amountMinor,
        t.currencyCode,
        t.referenceId,
        t.referenceType,
        t.transactionType,
        t.invoiceId,
        t.invoiced,
        t.fulfillmentCenter?.name,
      ]),
      [['01AN4Z07BY79KA1307SR9X4MV3', 9, 'USD', '12345', 'Shipment', 'Charge', 12345, true, 'Altona VIC']],
    );
    assert.equal(page.nextCursor, 'f8cUk/xjhyEYp2L8oHqxL2hFiGz3qjqt');
  });

  it('webhook subscription create / list / delete responses', async () => {
    const created = await client.createWebhookSubscription({ topics: ['order.shipped'], url: 'https://example.com/h' });
    assert.deepEqual([created.id, created.secret, created.createdAt], ['12345', 'string', '2019-08-24T14:15:22Z']);
    const list = await client.listWebhookSubscriptions();
    assert.deepEqual(
      list.items.map((s) => [s.id, s.enabled, s.secret]),
      [['12345', true, undefined]],
    );
    assert.equal(list.nextCursor, 'string');
    await client.deleteWebhookSubscription('12345');
  });

  it('rate-limit-429-body: x-retry-after is seconds; without the header the message gives them', async () => {
    const withHeader = await rejects(client.getOrder(429), SHIPBOB_ERROR.RATE_LIMITED);
    assert.equal(withHeader.retryAfterMs, 25_000);
    assert.equal(client.rateLimit.retryAfterMs, 25_000);
    const fromMessage = await rejects(client.getOrder(4290), SHIPBOB_ERROR.RATE_LIMITED);
    assert.equal(fromMessage.retryAfterMs, 25_000, '"Try again in 25 seconds."');
  });

  it('order-create-422 (a map of string arrays) is SHIPBOB.REJECTED with the body', async () => {
    const err = await rejects(client.getOrder(422), SHIPBOB_ERROR.REJECTED);
    assert.deepEqual(err.details['partnerBody'], json('order-create-422.openapi-2026-01.json'));
  });
});

describe('the strict ShipBob sandbox accepts the published requests', () => {
  const sandbox = new ShipbobSandbox({ seed: 31 });
  let url = '';
  let pat = '';
  let channelId = 0;
  before(async () => {
    ({
      pat,
      channel: { id: channelId },
    } = sandbox.seedData(DEMO_SEED));
    url = await sandbox.listen();
  });
  after(() => sandbox.close());

  it('order-create-request.guide.json POSTed byte for byte -> 201, the unknown SKU created under its name', async () => {
    const body = fixture('order-create-request.guide.json');
    const res = await fetch(`${url}/2026-01/order`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json', shipbob_channel_id: String(channelId) },
      body,
    });
    assert.equal(res.status, 201, await res.clone().text());
    const order = (await res.json()) as { reference_id: string; products: Array<{ sku: string; quantity: number }> };
    assert.equal(order.reference_id, '1234762738908');
    assert.deepEqual(
      order.products.map((p) => [p.sku, p.quantity]),
      [['LIGHT-ROAST', 1]],
    );
    assert.equal(sandbox.products.find((p) => p.variants.some((v) => v.sku === 'LIGHT-ROAST'))?.name, 'Light Roast Coffee');
    assert.equal(sandbox.requests().at(-1)?.body, body.toString('utf8'));
    const dup = await fetch(`${url}/2026-01/order`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json', shipbob_channel_id: String(channelId) },
      body,
    });
    assert.equal(dup.status, 422);
    assert.deepEqual(
      await dup.json(),
      json('thirdparty-order-create-422-duplicate-reference.json'),
      'the duplicate answer as observed by the SDK author (third-party)',
    );
  });

  it('webhook-subscription-create-request.docs-2025-07.json is refused: its placeholder secret breaks the published pattern', async () => {
    const res = await fetch(`${url}/2026-01/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json' },
      body: fixture('webhook-subscription-create-request.docs-2025-07.json'),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(((await res.json()) as { errors: Record<string, string[]> }).errors), ['Secret']);
  });
});
