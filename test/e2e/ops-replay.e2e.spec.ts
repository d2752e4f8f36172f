import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { EventPublisher, newMeta } from '@mlc/platform-kafka';
import { startService, testDatabase, testKafka, TEST_ENCRYPTION_KEYS, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

const TENANT = 'ops-e2e';
const PAT = 'sbpat_ops_e2e_test_0000000000000000000000000000';
const CHANNEL = 6161;
const OPS_KEY = 'ops-e2e-key';
const codec = new AvroCodec();

/**
 * The operator's loop end to end on real Kafka, Postgres and processes (audit-projector, mapper, shipbob-writer)
 * with the ShipBob sandbox: a PO line without a mapping is one open exception; the operator adds the mapping and
 * replays it through the ops API; ShipBob then holds exactly one order for it and the exception resolves itself;
 * a time-range replay over the (now successful) records creates nothing new.
 */
describe('ops e2e: fix the mapping -> replay -> the partner holds exactly one', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let sandbox: ShipbobSandbox;
  let services: RunningService[] = [];
  let ops: RunningService;
  let publisher: EventPublisher;
  let tenants: TenantConfigService;
  let ds: ReturnType<typeof createTenantsDataSource>;

  const orders = async (): Promise<Array<{ reference_id: string; products: Array<{ sku: string; quantity: number }> }>> =>
    (
      (await (await fetch(`${sandbox.url}/__admin/orders`)).json()) as {
        items: Array<{ reference_id: string; products: Array<{ sku: string; quantity: number }> }>;
      }
    ).items;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ops.url}${path}`, {
      method,
      headers: { 'x-api-key': OPS_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  const po = (): TopicRecords['erp.purchase-order.changed.v1'] =>
    ({
      meta: newMeta({ tenantId: TENANT, source: 'test' }),
      poHeaderId: '8001',
      orderNumber: '1800',
      status: 'Open',
      lastUpdateDate: '2026-01-05T10:00:00.000+00:00',
      currencyCode: 'USD',
      procurementBusinessUnit: 'Vision Operations',
      supplier: 'Acme Supply',
      supplierSite: 'ACME-MAIN',
      supplierId: '1252',
      supplierNumber: null,
      shipToLocationId: '204',
      shipToLocationCode: 'Seattle',
      shipTo: {
        locationCode: 'Seattle',
        name: 'Seattle DC',
        address1: '1 Dock Road',
        address2: null,
        city: 'Seattle',
        state: 'WA',
        postalCode: '98101',
        country: 'US',
        addressText: null,
      },
      lines: [
        {
          poLineId: '81',
          lineNumber: '1',
          itemNumber: 'AS1',
          description: null,
          quantity: '5',
          uom: 'Each',
          status: 'Open',
          shipToLocationCode: 'Seattle',
          lineLastUpdateDate: null,
        },
        {
          poLineId: '82',
          lineNumber: '2',
          itemNumber: 'AS9',
          description: null,
          quantity: '2',
          uom: 'Each',
          status: 'Open',
          shipToLocationCode: 'Seattle',
          lineLastUpdateDate: null,
        },
      ],
      raw: '{}',
    }) as TopicRecords['erp.purchase-order.changed.v1'];

  before(async () => {
    ({ kafka, suffix } = await testKafka('ops-e2e'));
    db = await testDatabase('ops_e2e');
    sandbox = new ShipbobSandbox({ seed: 7 });
    await sandbox.listen(0);
    sandbox.seedData({
      channel: { id: CHANNEL, name: 'ML Connector' },
      pat: PAT,
      fulfillmentCenters: [{ id: 8, name: 'Seattle FC', address: { address1: '1 FC Way', city: 'Kent', state: 'WA', country: 'US', zip_code: '98032' } }],
      products: ['SKU-1', 'SKU-9'].map((sku) => ({ sku, name: sku, on_hand_qty: 100 })),
    });
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: TENANT, name: 'Ops e2e' }, 'test');
    await tenants.setConnection(
      TENANT,
      { partner: 'shipbob', baseUrl: sandbox.url, channelId: CHANNEL, webhookSecrets: [`whsec_${'C'.repeat(32)}`], auth: { type: 'pat', token: PAT } },
      'test',
    );
    await tenants.setMapping(TENANT, 'item-product', 'AS1', { shipbobSku: 'SKU-1' }, 'test');
    await tenants.setMapping(TENANT, 'ship-to-fc', 'Seattle', { fulfillmentCenterId: 8 }, 'test');
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    const env = { DATABASE_URL: db.url, KAFKA_TOPIC_SUFFIX: suffix, TENANT_CACHE_TTL_MS: '0' };
    services = await Promise.all([
      startService('audit-projector', { ...env, MLC_OPERATOR_API_KEYS: `${OPS_KEY}:*`, OPS_LAG_GROUPS: `none${suffix}` }),
      startService('mapper', env),
      startService('shipbob-writer', { ...env, SHIPBOB_BACKOFF_BASE_MS: '100', SHIPBOB_BACKOFF_MAX_MS: '2000' }),
    ]);
    ops = services[0]!;
  });

  after(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await publisher?.disconnect();
    await ds?.destroy();
    await sandbox?.close();
    await db?.drop();
  });

  it('one open exception -> mapping fixed -> replay -> exactly one ShipBob order, exception resolved; a range replay creates nothing', async () => {
    await publisher.publish({ topic: 'erp.purchase-order.changed.v1', key: `${TENANT}:8001`, value: po() });
    const open = await waitFor(
      async () => {
        const r = await api('GET', `/ops/exceptions?tenant=${TENANT}&status=open`);
        return r.body.exceptions?.length === 1 && (await orders()).length === 1 ? r.body.exceptions[0] : undefined;
      },
      { timeoutMs: 60_000, what: 'one order and one open exception' },
    );
    assert.equal(open.code, 'MAPPING.MISSING_PRODUCT');
    assert.equal(open.businessId, 'po8001-l82-r0');

    await tenants.setMapping(TENANT, 'item-product', 'AS9', { shipbobSku: 'SKU-9' }, 'test');
    const replay = await api('POST', `/ops/exceptions/${open.id}/replay`, { comment: 'AS9 mapped' });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    await waitFor(async () => (await orders()).filter((o) => o.reference_id === 'po8001-l82-r0').length === 1, {
      timeoutMs: 60_000,
      what: 'the replayed line at ShipBob',
    });
    const resolved = await waitFor(
      async () => {
        const r = await api('GET', `/ops/exceptions/${open.id}`);
        return r.body.status === 'resolved' ? r.body : undefined;
      },
      { timeoutMs: 30_000, what: 'the exception resolved by the success' },
    );
    assert.equal(resolved.resolution, 'success');
    // Replaying it again changes nothing.
    assert.equal((await api('POST', `/ops/exceptions/${open.id}/replay`, {})).status, 200);

    const range = await api('POST', '/ops/replay-range', {
      tenantId: TENANT,
      flow: 'purchase-orders',
      from: new Date(Date.now() - 600_000).toISOString(),
      to: new Date(Date.now() + 1_000).toISOString(),
    });
    assert.equal(range.status, 202);
    const job = await waitFor(
      async () => {
        const j = await api('GET', `/ops/jobs/${range.body.id}`);
        return j.body.status !== 'running' ? j.body : undefined;
      },
      { timeoutMs: 30_000, what: 'range replay' },
    );
    assert.equal(job.status, 'done');
    assert.ok(job.result.republished >= 1);
    // Wait until the mapper and the writer have consumed everything, then count what ShipBob holds.
    const admin = kafka.admin();
    await admin.connect();
    const behind = async (groupId: string, topic: string) => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      return ends.reduce((n, e) => n + Number(BigInt(e.high) - BigInt(committed!.partitions.find((p) => p.partition === e.partition)?.offset ?? '0')), 0);
    };
    try {
      await waitFor(
        async () =>
          (await behind(`mapper.purchase-orders${suffix}`, `erp.purchase-order.changed.v1${suffix}`)) === 0 &&
          (await behind(`shipbob-writer.orders${suffix}`, `fulfilment.shipbob-order.requested.v1${suffix}`)) === 0,
        { timeoutMs: 30_000, intervalMs: 500, what: 'mapper and writer caught up' },
      );
    } finally {
      await admin.disconnect();
    }
    const all = await orders();
    assert.deepEqual(all.map((o) => o.reference_id).sort(), ['po8001-l81-r0', 'po8001-l82-r0']);
    assert.deepEqual(
      all.find((o) => o.reference_id === 'po8001-l82-r0')!.products.map((p) => [p.sku, p.quantity]),
      [['SKU-9', 2]],
    );
    assert.equal((await api('GET', `/ops/exceptions?tenant=${TENANT}&status=open`)).body.exceptions.length, 0);
  });
});
