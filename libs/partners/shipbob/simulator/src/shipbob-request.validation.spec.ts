import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShipbobSandbox, type ShipbobSandboxOptions } from './shipbob.sandbox';
import { DEMO_SEED } from './shipbob-demo.fixtures';
import { OPERATIONS } from './shipbob-request.schemas';

const V = '/2026-01';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function order(referenceId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    reference_id: referenceId,
    type: 'DTC',
    shipping_method: 'Standard',
    recipient: { name: 'Ada', address: { address1: '1 Main St', city: 'Austin', state: 'TX', country: 'US', zip_code: '78701' } },
    products: [{ reference_id: 'ML-1001', name: 'Widget', quantity: 2 }],
    ...extra,
  };
}

const wro = (inventoryId: number): Record<string, unknown> => ({
  fulfillment_center: { id: 10 },
  package_type: 'Package',
  box_packaging_type: 'EverythingInOneBox',
  expected_arrival_date: '2026-02-01T00:00:00Z',
  boxes: [{ tracking_number: '1Z999', box_items: [{ inventory_id: inventoryId, quantity: 12 }] }],
});

function harness(options: ShipbobSandboxOptions = {}) {
  const sandbox = new ShipbobSandbox({ seed: 5, ...options });
  const h = {
    sandbox,
    url: '',
    pat: '',
    channelId: 0,
    call: async (method: string, path: string, body?: unknown, opts: { channel?: boolean } = {}): Promise<{ status: number; body: unknown }> => {
      const headers: Record<string, string> = { authorization: `Bearer ${h.pat}`, 'content-type': 'application/json' };
      if (opts.channel !== false) headers['shipbob_channel_id'] = String(h.channelId);
      const res = await fetch(`${h.url}${V}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
  };
  before(async () => {
    const seeded = sandbox.seedData(DEMO_SEED);
    h.pat = seeded.pat;
    h.channelId = seeded.channel.id;
    h.url = await sandbox.listen();
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.limiter.reset());
  return h;
}

/** ShipBob's map of field -> messages (orders, products, channels, receiving): exactly these keys. */
function assertFieldErrors(res: { status: number; body: unknown }, status: number, keys: string[]): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const body = res.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), [...keys].sort(), JSON.stringify(body));
  for (const k of keys) assert.ok(Array.isArray(body[k]) && (body[k] as unknown[]).every((m) => typeof m === 'string'), `${k}: string[]`);
}

/** RFC 7807 problem details with `errors` (billing, webhooks). */
function assertProblem(res: { status: number; body: unknown }, keys: string[]): void {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  const body = res.body as { status: number; title: string; errors: Record<string, string[]> };
  assert.equal(body.status, 400);
  assert.equal(typeof body.title, 'string');
  assert.deepEqual(Object.keys(body.errors).sort(), [...keys].sort(), JSON.stringify(body));
}

describe('ShipBob sandbox (strict): every operation the product uses refuses what its 2026-01 schema does not allow', () => {
  const h = harness();
  let orderId = 0;
  let shipmentId = 0;
  let inventoryId = 0;

  before(async () => {
    const created = await h.call('POST', '/order', order('STRICT-BASE'));
    assert.equal(created.status, 201);
    const o = created.body as { id: number; shipments: Array<{ id: number }> };
    orderId = o.id;
    shipmentId = o.shipments[0]!.id;
    inventoryId = h.sandbox.products.find((p) => p.variants[0]?.sku === 'ML-1001')!.variants[0]!.inventory.inventory_id;
  });

  it('POST /order: unknown top-level and nested members, a missing required field, a bad enum -> 400 field map, nothing stored', async () => {
    const before = h.sandbox.orders.length;
    assertFieldErrors(await h.call('POST', '/order', order('S-1', { priority: 'high' })), 400, ['Priority']);
    assertFieldErrors(
      await h.call(
        'POST',
        '/order',
        order('S-2', { recipient: { name: 'Ada', address: { address1: '1 Main St', city: 'Austin', country: 'US', county: 'Travis' } } }),
      ),
      400,
      ['Recipient.Address.County'],
    );
    assertFieldErrors(
      await h.call('POST', '/order', order('S-3', { products: [{ reference_id: 'ML-1001', name: 'Widget', quantity: 1, description: 'x' }] })),
      400,
      ['Products[0].Description'],
    );
    const { shipping_method: _s, ...noShipping } = order('S-4');
    assertFieldErrors(await h.call('POST', '/order', noShipping), 400, ['ShippingMethod']);
    assertFieldErrors(await h.call('POST', '/order', order('S-5', { type: 'Retail' })), 400, ['Type']);
    assertFieldErrors(await h.call('POST', '/order', order('S-6', { sales_channel: 'etsy', shipping_terms: { carrier_type: 'Boat' } })), 400, [
      'SalesChannel',
      'ShippingTerms.CarrierType',
    ]);
    assertFieldErrors(await h.call('POST', '/order', order('S-7', { products: [{ reference_id: 'ML-1001', name: 'Widget', quantity: 0 }] })), 400, [
      'Products[0].Quantity',
    ]);
    assertFieldErrors(await h.call('POST', '/order', order('S-8', { tags: [{ name: 'only-name' }] })), 400, ['Tags[0].Value']);
    assert.equal(h.sandbox.orders.length, before);
  });

  it("POST /order: `name` is required on a by-reference item (OpenAPI), and an unknown reference_id without one is 422 with ShipBob's message", async () => {
    assertFieldErrors(await h.call('POST', '/order', order('N-1', { products: [{ reference_id: 'ML-1001', quantity: 1 }] })), 400, ['Products[0].Name']);
    const unknown = await h.call('POST', '/order', order('N-2', { products: [{ reference_id: 'NO-SUCH-SKU', name: null, quantity: 1 }] }));
    assert.equal(unknown.status, 422);
    assert.deepEqual(unknown.body, { 'Products[0].Name': ['Name is required because no product with reference_id NO-SUCH-SKU exists'] });
    assert.equal(
      h.sandbox.products.some((p) => p.variants.some((v) => v.sku === 'NO-SUCH-SKU')),
      false,
    );
    const named = await h.call('POST', '/order', order('N-3', { products: [{ reference_id: 'NO-SUCH-SKU', name: 'Service kit', quantity: 1 }] }));
    assert.equal(named.status, 201);
    assert.equal(h.sandbox.products.find((p) => p.variants.some((v) => v.sku === 'NO-SUCH-SKU'))?.name, 'Service kit');
  });

  it('GET /order, /order/{id}, /order/{id}/shipment, /shipment/{id}: unknown or ill-typed query parameters -> 400 field map', async () => {
    assertFieldErrors(await h.call('GET', '/order?ReferenceIds=X&Status=Processing'), 400, ['Status']);
    assertFieldErrors(await h.call('GET', '/order?Limit=251'), 400, ['Limit']);
    assertFieldErrors(await h.call('GET', '/order?HasTracking=maybe&LastUpdateStartDate=yesterday'), 400, ['HasTracking', 'LastUpdateStartDate']);
    assert.equal((await h.call('GET', '/order?referenceids=STRICT-BASE&limit=5')).status, 200, 'names bind case-insensitively');
    assertFieldErrors(await h.call('GET', `/order/${orderId}?expand=all`), 400, ['expand']);
    assertFieldErrors(await h.call('GET', `/order/${orderId}/shipment?Limit=1`), 400, ['Limit']);
    assertFieldErrors(await h.call('GET', `/shipment/${shipmentId}?fields=id`), 400, ['fields']);
  });

  it('POST /order/{id}:cancel takes no body', async () => {
    assertFieldErrors(await h.call('POST', `/order/${orderId}:cancel`, { reason: 'changed' }), 400, ['']);
    assert.notEqual(h.sandbox.orders.find((o) => o.id === orderId)?.status, 'Cancelled');
  });

  it('GET /product, /location, /fulfillment-center, /channel: unknown or ill-typed query parameters -> 400 field map', async () => {
    assertFieldErrors(await h.call('GET', '/product?SKU=ML-1001&Sku2=x'), 400, ['Sku2']);
    assertFieldErrors(await h.call('GET', '/product?PageSize=0'), 400, ['PageSize']);
    assertFieldErrors(await h.call('GET', '/location?ReceivingEnabled=yes'), 400, ['ReceivingEnabled']);
    assertFieldErrors(await h.call('GET', '/location?Region=US'), 400, ['Region']);
    assertFieldErrors(await h.call('GET', '/fulfillment-center?Active=true'), 400, ['Active']);
    assertFieldErrors(await h.call('GET', '/channel?PageSize=10'), 400, ['PageSize']);
    assertFieldErrors(await h.call('GET', '/channel?RecordsPerPage=ten'), 400, ['RecordsPerPage']);
  });

  it('POST /receiving: unknown member, missing required field, bad enum -> 400 field map; GET /receiving refuses unknown parameters', async () => {
    assertFieldErrors(await h.call('POST', '/receiving', { ...wro(inventoryId), carrier: 'UPS' }), 400, ['Carrier']);
    const { expected_arrival_date: _d, ...noDate } = wro(inventoryId);
    assertFieldErrors(await h.call('POST', '/receiving', noDate), 400, ['ExpectedArrivalDate']);
    assertFieldErrors(await h.call('POST', '/receiving', { ...wro(inventoryId), box_packaging_type: 'Loose' }), 400, ['BoxPackagingType']);
    assertFieldErrors(
      await h.call('POST', '/receiving', {
        ...wro(inventoryId),
        boxes: [{ tracking_number: 'T', box_items: [{ inventory_id: inventoryId, quantity: 1, sku: 'ML-1001' }] }],
      }),
      400,
      ['Boxes[0].BoxItems[0].Sku'],
    );
    assertFieldErrors(await h.call('GET', '/receiving?PoNumber=1'), 400, ['PoNumber']);
    assert.equal(h.sandbox.receivingOrders.length, 0);
  });

  it('POST /transactions:query: unknown member, bad enum, wrong type -> 400 problem details', async () => {
    assertProblem(await h.call('POST', '/transactions:query', { reference_ids: ['1'], reference_type: 'Shipment' }), ['ReferenceType']);
    assertProblem(await h.call('POST', '/transactions:query', { reference_types: ['Order'] }), ['ReferenceTypes[0]']);
    assertProblem(await h.call('POST', '/transactions:query', { sort_order: 'Newest', page_size: '10' }), ['SortOrder', 'PageSize']);
    assertProblem(await h.call('POST', '/transactions:query?Cursor=x&PageSize=2', {}), ['PageSize']);
  });

  it('POST /webhook: unknown member, missing required field, unknown topic, malformed secret -> 400 problem details; GET/DELETE refuse unknown parameters', async () => {
    const url = 'https://example.com/hook';
    assertProblem(await h.call('POST', '/webhook', { topics: ['order.shipped'], url, channel_id: 1 }), ['ChannelId']);
    assertProblem(await h.call('POST', '/webhook', { topics: ['order.shipped'] }), ['Url']);
    assertProblem(await h.call('POST', '/webhook', { topics: ['order.shipment.tracking_received'], url }), ['Topics[0]']);
    assertProblem(await h.call('POST', '/webhook', { topics: ['order.shipped'], url, secret: 'whsec_short' }), ['Secret']);
    assertProblem(await h.call('GET', '/webhook?RecordsPerPage=500'), ['RecordsPerPage']);
    assertProblem(await h.call('DELETE', '/webhook/abc?force=true'), ['force']);
    assert.equal(h.sandbox.subscriptions.length, 0);
    const ok = await h.call('POST', '/webhook', { topics: ['order.shipped'], url, secret: SECRET, description: null });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('POST /connect/token: parameters outside RFC 6749 for the grant type -> 400 invalid_request', async () => {
    h.sandbox.seedData({ oauthClients: [{ client_id: 'strict-client', client_secret: 's3cret', redirect_uris: ['http://127.0.0.1/cb'] }] });
    const code = h.sandbox.issueAuthorizationCode('strict-client', 'http://127.0.0.1/cb', ['orders_read']);
    const form = { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1/cb', client_id: 'strict-client', client_secret: 's3cret' };
    const post = (f: Record<string, string>) =>
      fetch(`${h.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(f).toString(),
      });
    const bad = await post({ ...form, audience: 'api' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_request');
    assert.equal((await post(form)).status, 200, 'the code was not spent by the refused call');
  });

  it('has a request spec, with its source, for every operation the sandbox serves', () => {
    for (const [op, spec] of Object.entries(OPERATIONS)) assert.match(spec.source, /OpenAPI 2026-01 paths\.|Sandbox-only/, op);
  });
});

describe('ShipBob sandbox switches: unknownFields=ignore, productName=to-create (the lenient readings)', () => {
  const h = harness({ unknownFields: 'ignore', productName: 'to-create' });

  it('accepts unknown members and parameters, and a known reference_id without a name', async () => {
    const created = await h.call('POST', '/order', order('L-1', { priority: 'high', products: [{ reference_id: 'ML-1001', quantity: 1, description: 'x' }] }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await h.call('GET', '/order?Status=Processing')).status, 200);
  });

  it('still refuses missing required fields, bad enums and an unknown reference_id without a name', async () => {
    assertFieldErrors(await h.call('POST', '/order', order('L-2', { type: 'Retail' })), 400, ['Type']);
    const unknown = await h.call('POST', '/order', order('L-3', { products: [{ reference_id: 'NEW-1', quantity: 1 }] }));
    assert.equal(unknown.status, 422);
    assert.deepEqual(unknown.body, { 'Products[0].Name': ['Name is required because no product with reference_id NEW-1 exists'] });
  });
});
