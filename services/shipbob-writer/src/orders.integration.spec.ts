import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { EventPublisher, newMeta } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, TEST_ENCRYPTION_KEYS, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];
type Synced = TopicRecords['fulfilment.shipbob-order.synced.v1'];
type Raised = TopicRecords['ops.exception.raised.v1'];

const TENANT = 'sbw-acme';
const PAT = 'sbpat_writer_test_000000000000000000000000000';
const CHANNEL = 4242;
const codec = new AvroCodec();

interface SandboxOrder {
  id: number;
  reference_id: string;
  status: string;
  channel: { id: number };
  products: Array<{ sku: string; quantity: number }>;
  shipments: Array<{ id: number; status: string; location: { id: number } }>;
}

describe('shipbob-writer orders: commands -> ShipBob sandbox (real Kafka, Postgres, process)', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let sandbox: ShipbobSandbox;
  let writer: RunningService;
  let publisher: EventPublisher;
  let synced: Awaited<ReturnType<typeof collect>>;
  let raised: Awaited<ReturnType<typeof collect>>;
  let tenants: TenantConfigService;
  let ds: ReturnType<typeof createTenantsDataSource>;

  const orders = async (): Promise<SandboxOrder[]> => ((await (await fetch(`${sandbox.url}/__admin/orders`)).json()) as { items: SandboxOrder[] }).items;
  const byRef = async (ref: string): Promise<SandboxOrder[]> => (await orders()).filter((o) => o.reference_id === ref);
  const syncedFor = (ref: string): Synced[] =>
    synced.messages.map((m) => codec.decodeFor('fulfilment.shipbob-order.synced.v1', m.value!).value).filter((v) => v.referenceId === ref);
  const raisedFor = (ref: string): Raised[] =>
    raised.messages.map((m) => codec.decodeFor('ops.exception.raised.v1', m.value!).value).filter((v) => v.businessId === ref);

  const rateLimitWaits = async (): Promise<number> => {
    const metrics = await (await fetch(`${writer.url}/metrics`)).text();
    return Number(new RegExp(`^mlc_rate_limit_waits_total\\{partner="shipbob",tenant="${TENANT}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
  };

  let seq = 0;
  function command(over: Partial<Command> & { referenceId: string }): Command {
    seq += 1;
    return {
      meta: newMeta({ tenantId: TENANT, source: 'test' }),
      action: 'create',
      revision: 0,
      supersedesReferenceId: null,
      poHeaderId: '9001',
      poNumber: 'PO-9001',
      poLastUpdateDate: '2026-01-05T10:00:00+00:00',
      fulfillmentCenterId: 8,
      shippingMethod: 'Standard',
      recipient: {
        name: 'Seattle DC',
        address1: '1 Dock Road',
        address2: null,
        city: 'Seattle',
        state: 'WA',
        postalCode: '98101',
        country: 'US',
        email: null,
        phone: null,
      },
      products: [{ poLineId: String(100 + seq), lineNumber: String(seq), itemNumber: 'AS1', sku: 'SKU-1', productId: null, quantity: 5, uom: 'Each' }],
      mappingVersion: 1,
      reason: null,
      ...over,
    };
  }
  const send = (...cmds: Command[]): Promise<void> =>
    publisher.publishMany(cmds.map((value) => ({ topic: 'fulfilment.shipbob-order.requested.v1' as const, key: `${TENANT}:${value.poHeaderId}`, value })));

  before(async () => {
    ({ kafka, suffix } = await testKafka('sbw'));
    db = await testDatabase('sbw');
    sandbox = new ShipbobSandbox({ seed: 11 });
    await sandbox.listen(0);
    sandbox.seedData({
      channel: { id: CHANNEL, name: 'ML Connector' },
      pat: PAT,
      fulfillmentCenters: [
        { id: 8, name: 'Seattle FC', address: { address1: '1 FC Way', city: 'Kent', state: 'WA', country: 'US', zip_code: '98032' } },
        { id: 10, name: 'Cicero FC', address: { address1: '5900 W Ogden Ave', city: 'Cicero', state: 'IL', country: 'US', zip_code: '60804' } },
      ],
      products: [
        { sku: 'SKU-1', name: 'Widget', on_hand_qty: 100 },
        { sku: 'SKU-2', name: 'Gadget', on_hand_qty: 100 },
      ],
    });
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: TENANT, name: 'Acme (writer test)' }, 'test');
    await tenants.setConnection(
      TENANT,
      { partner: 'shipbob', baseUrl: sandbox.url, channelId: CHANNEL, webhookSecrets: [`whsec_${'A'.repeat(32)}`], auth: { type: 'pat', token: PAT } },
      'test',
    );
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    synced = await collect(kafka, `fulfilment.shipbob-order.synced.v1${suffix}`);
    raised = await collect(kafka, `ops.exception.raised.v1${suffix}`);
    writer = await startService('shipbob-writer', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      KAFKA_GROUP_ID_SUFFIX: suffix, // groups of their own: other runs on this broker share the group names
      SHIPBOB_BACKOFF_BASE_MS: '100',
      SHIPBOB_BACKOFF_MAX_MS: '2000',
      SHIPBOB_RATE_WINDOW_MS: '3000',
      SHIPBOB_PACE_BELOW_CALLS: '4',
    });
  });

  after(async () => {
    await writer?.stop();
    await synced?.stop();
    await raised?.stop();
    await publisher?.disconnect();
    await ds?.destroy();
    await sandbox?.close();
    await db?.drop();
  });

  it('creates one ShipBob order per command with the SKU, quantity, fulfillment center and channel', async () => {
    const cmds = [
      command({ referenceId: 'po9001-l1-r0' }),
      command({
        referenceId: 'po9001-l2-r0',
        fulfillmentCenterId: 10,
        products: [{ poLineId: '2', lineNumber: '2', itemNumber: 'AS2', sku: 'SKU-2', productId: null, quantity: 3, uom: 'Each' }],
      }),
      command({
        referenceId: 'po9001-l3-r0',
        products: [{ poLineId: '3', lineNumber: '3', itemNumber: 'AS1', sku: 'SKU-1', productId: null, quantity: 12, uom: 'Each' }],
      }),
    ];
    await send(...cmds);
    await waitFor(() => cmds.every((c) => syncedFor(c.referenceId).length === 1), { timeoutMs: 20_000, what: 'three synced events' });
    for (const c of cmds) {
      const [o, ...more] = await byRef(c.referenceId);
      assert.equal(more.length, 0, `one order for ${c.referenceId}`);
      assert.equal(o!.channel.id, CHANNEL);
      assert.deepEqual(
        o!.products.map((p) => [p.sku, p.quantity]),
        [[c.products[0]!.sku, c.products[0]!.quantity]],
      );
      assert.equal(o!.shipments[0]!.location.id, c.fulfillmentCenterId);
      const s = syncedFor(c.referenceId)[0]!;
      assert.equal(s.outcome, 'created');
      assert.equal(s.shipbobOrderId, String(o!.id));
      assert.equal(s.channelId, String(CHANNEL));
      assert.deepEqual(s.poLineIds, [c.products[0]!.poLineId]);
      assert.equal(s.fulfillmentCenterId, c.fulfillmentCenterId);
    }
    const log = (
      (await (await fetch(`${sandbox.url}/__admin/requests`)).json()) as { items: Array<{ method: string; path: string; headers: Record<string, string> }> }
    ).items;
    const posts = log.filter((r) => r.method === 'POST' && r.path.endsWith('/order'));
    assert.ok(posts.length >= 3 && posts.every((r) => r.headers['shipbob_channel_id'] === String(CHANNEL)), 'every order write carries shipbob_channel_id');
  });

  it('treats a duplicate command as already existing: still one order', async () => {
    const c = command({ referenceId: 'po9001-l1-r0' });
    await send(c);
    await waitFor(() => syncedFor(c.referenceId).some((s) => s.outcome === 'already_existed'), { timeoutMs: 20_000, what: 'already_existed' });
    assert.equal((await byRef(c.referenceId)).length, 1);
  });

  it('rides out a 429 storm: every order created, none twice', async () => {
    await fetch(`${sandbox.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ rateLimitUntil: Date.now() + 2_500, rateLimitRetryAfterSec: 1 }) });
    const cmds = [1, 2, 3, 4].map((n) => command({ referenceId: `po9002-l${n}-r0`, poHeaderId: '9002' }));
    await send(...cmds);
    await waitFor(() => cmds.every((c) => syncedFor(c.referenceId).length >= 1), { timeoutMs: 30_000, what: 'all orders synced after the storm' });
    for (const c of cmds) assert.equal((await byRef(c.referenceId)).length, 1, c.referenceId);
    const log = ((await (await fetch(`${sandbox.url}/__admin/requests`)).json()) as { items: Array<{ status: number }> }).items;
    assert.ok(
      log.some((r) => r.status === 429),
      'the storm answered 429s',
    );
    await fetch(`${sandbox.url}/__admin/faults`, { method: 'POST', body: '{}' });
  });

  it('paces before the 429 when x-remaining-calls runs low', async () => {
    await fetch(`${sandbox.url}/__admin/rate-limit`, { method: 'POST', body: JSON.stringify({ limit: 6, windowMs: 3_000, reset: true }) });
    await fetch(`${sandbox.url}/__admin/requests`, { method: 'DELETE' });
    const waitsBefore = await rateLimitWaits();
    const cmds = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => command({ referenceId: `po9003-l${n}-r0`, poHeaderId: '9003' }));
    await send(...cmds);
    await waitFor(() => cmds.every((c) => syncedFor(c.referenceId).length >= 1), { timeoutMs: 40_000, what: 'paced orders synced' });
    const log = ((await (await fetch(`${sandbox.url}/__admin/requests`)).json()) as { items: Array<{ status: number; path: string }> }).items;
    assert.equal(log.filter((r) => r.status === 429).length, 0, 'no 429: the writer slowed down first');
    assert.ok((await rateLimitWaits()) > waitsBefore, "the pacer's waits count as rate-limit waits (no 429 here, so no consumer backoff)");
    for (const c of cmds) assert.equal((await byRef(c.referenceId)).length, 1);
    await fetch(`${sandbox.url}/__admin/rate-limit`, { method: 'POST', body: JSON.stringify({ limit: 150, windowMs: 60_000, reset: true }) });
  });

  it('parks a permanent 4xx with the partner error, naming the order', async () => {
    const c = command({ referenceId: 'po9004-l1-r0', poHeaderId: '9004', fulfillmentCenterId: 999 });
    await send(c);
    await waitFor(() => raisedFor(c.referenceId).length === 1, { timeoutMs: 20_000, what: 'parked exception' });
    const e = raisedFor(c.referenceId)[0]!;
    assert.equal(e.entityType, 'shipbob-order');
    assert.equal(e.code, 'SHIPBOB.REJECTED');
    assert.match(e.details ?? '', /LocationId/);
    assert.equal((await byRef(c.referenceId)).length, 0);
  });

  it('names an item by its PO line description, so ShipBob creates the unknown product; without one (and no ShipBob product) raises MAPPING.MISSING_PRODUCT_NAME first', async () => {
    const described = command({
      referenceId: 'po9006-l1-r0',
      poHeaderId: '9006',
      products: [{ poLineId: '1', lineNumber: '1', itemNumber: 'SVC', sku: 'SVC-KIT-1', productId: null, name: 'Field service kit', quantity: 1, uom: 'Each' }],
    });
    const bare = command({
      referenceId: 'po9006-l2-r0',
      poHeaderId: '9006',
      products: [{ poLineId: '2', lineNumber: '2', itemNumber: 'SVC2', sku: 'SVC-KIT-2', productId: null, name: null, quantity: 1, uom: 'Each' }],
    });
    await send(described, bare);
    await waitFor(() => syncedFor(described.referenceId).length === 1 && raisedFor(bare.referenceId).length === 1, {
      timeoutMs: 20_000,
      what: 'created + raised',
    });
    assert.equal(syncedFor(described.referenceId)[0]!.outcome, 'created');
    assert.equal(sandbox.products.find((p) => p.variants.some((v) => v.sku === 'SVC-KIT-1'))?.name, 'Field service kit');
    const e = raisedFor(bare.referenceId)[0]!;
    assert.equal(e.code, 'MAPPING.MISSING_PRODUCT_NAME');
    assert.equal(e.category, 'missing-mapping');
    assert.match(e.message, /SVC-KIT-2/);
    assert.equal((await byRef(bare.referenceId)).length, 0);
    const posts = sandbox.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/order') && r.body.includes('po9006-l2-r0'));
    assert.equal(posts.length, 0, 'the exception is raised before ShipBob is asked');
  });

  it('cancels before pick and creates the new revision; after pick raises CHANGE_AFTER_PICK and creates nothing', async () => {
    const r0 = command({ referenceId: 'po9005-l1-r0', poHeaderId: '9005' });
    const p0 = command({ referenceId: 'po9005-l2-r0', poHeaderId: '9005' });
    await send(r0, p0);
    await waitFor(() => syncedFor(r0.referenceId).length === 1 && syncedFor(p0.referenceId).length === 1, { timeoutMs: 20_000, what: 'r0 created' });

    // before pick: cancel r0, create r1
    const cancel = { ...r0, meta: newMeta({ tenantId: TENANT, source: 'test' }), action: 'cancel' as const, recipient: null };
    const r1 = {
      ...r0,
      meta: newMeta({ tenantId: TENANT, source: 'test' }),
      referenceId: 'po9005-l1-r1',
      revision: 1,
      supersedesReferenceId: r0.referenceId,
      products: [{ ...r0.products[0]!, quantity: 7 }],
    };
    await send(cancel, r1);
    await waitFor(() => syncedFor(r1.referenceId).length === 1, { timeoutMs: 20_000, what: 'r1 created' });
    assert.deepEqual(
      syncedFor(r0.referenceId).map((s) => s.outcome),
      ['created', 'cancelled'],
    );
    assert.equal((await byRef(r0.referenceId))[0]!.shipments[0]!.status, 'Cancelled');
    assert.equal((await byRef(r1.referenceId))[0]!.products[0]!.quantity, 7);

    // after pick: the cancel is refused, the new revision is not created
    const picked = (await byRef(p0.referenceId))[0]!;
    const adv = await fetch(`${sandbox.url}/__admin/lifecycle`, { method: 'POST', body: JSON.stringify({ order_id: picked.id, steps: ['pick'] }) });
    assert.equal(adv.status, 200);
    const cancelP = { ...p0, meta: newMeta({ tenantId: TENANT, source: 'test' }), action: 'cancel' as const, recipient: null };
    const p1 = { ...p0, meta: newMeta({ tenantId: TENANT, source: 'test' }), referenceId: 'po9005-l2-r1', revision: 1, supersedesReferenceId: p0.referenceId };
    await send(cancelP, p1);
    await waitFor(() => raisedFor(p1.referenceId).length === 1 && raisedFor(p0.referenceId).length === 1, {
      timeoutMs: 20_000,
      what: 'change-after-pick exceptions',
    });
    for (const e of [raisedFor(p0.referenceId)[0]!, raisedFor(p1.referenceId)[0]!]) {
      assert.equal(e.code, 'SHIPBOB.CHANGE_AFTER_PICK');
      assert.equal(e.category, 'partner-rejected');
      assert.equal(e.entityType, 'shipbob-order');
    }
    assert.equal((await byRef(p1.referenceId)).length, 0);
    assert.notEqual((await byRef(p0.referenceId))[0]!.status, 'Cancelled');
  });
});
