import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { DEMO_SEED, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { EventPublisher, newMeta, topicName } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, waitFor, consumerLag, type RunningService, type TestDatabase } from '@mlc/platform-testing';

const OPS_KEY = 'ops-e2e-key-0123456789';
const CANARY = 'canary-e2e-5b1d0f7e9a2c44d8';
const codec = new AvroCodec();

type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];
type Change = TopicRecords['tenant.config.changed.v1'];

/**
 * Two real service processes with TenancyModule: audit-projector hosts the tenants admin API (and the outbox relay),
 * mapper turns PO lines into ShipBob order commands using the tenant's mappings. The mapper's snapshot cache TTL is
 * ten minutes, so only the change event on Kafka can make it use a changed mapping within seconds.
 */
describe('tenants live: admin API in audit-projector, a mapping change used by a running mapper (real Kafka + Postgres)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let suffix: string;
  let db: TestDatabase;
  let publisher: EventPublisher;
  let projector: RunningService;
  let mapper: RunningService;
  let sandbox: ShipbobSandbox;
  let commands: Awaited<ReturnType<typeof collect>>;
  let changes: Awaited<ReturnType<typeof collect>>;
  const responses: string[] = [];

  async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown, key = OPS_KEY): Promise<{ status: number; body: T }> {
    const res = await fetch(`${projector.url}${path}`, {
      method,
      headers: { 'x-api-key': key, 'x-mlc-actor': 'e2e', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    responses.push(text);
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  const decoded = <T>(m: KafkaMessage, topic: 'fulfilment.shipbob-order.requested.v1' | 'tenant.config.changed.v1') =>
    codec.decodeFor(topic, m.value!).value as T;

  async function publishPo(poHeaderId: string, item: string): Promise<void> {
    const lastUpdateDate = new Date().toISOString();
    await publisher.publish({
      topic: 'erp.purchase-order.changed.v1',
      key: `acme:${poHeaderId}`,
      value: {
        meta: newMeta({ tenantId: 'acme', source: 'e2e' }),
        poHeaderId,
        orderNumber: `PO-${poHeaderId}`,
        status: 'OPEN',
        lastUpdateDate,
        currencyCode: 'USD',
        procurementBusinessUnit: null,
        supplier: 'Acme Components',
        supplierSite: 'MAIN',
        lines: [
          {
            poLineId: `${poHeaderId}1`,
            lineNumber: '1',
            itemNumber: item,
            description: null,
            quantity: '5',
            uom: 'Each',
            status: 'OPEN',
            shipToLocationCode: null,
            lineLastUpdateDate: null,
            unitPrice: '2.50',
            shipToOrganizationCode: null,
            schedules: [],
          },
        ],
        supplierId: null,
        supplierNumber: null,
        shipToLocationId: null,
        shipToLocationCode: 'SHIPBOB-RENO',
        shipTo: {
          locationCode: 'SHIPBOB-RENO',
          name: 'Reno DC',
          address1: '1 Main St',
          address2: null,
          city: 'Reno',
          state: 'NV',
          postalCode: '89501',
          country: 'US',
          addressText: null,
        },
        raw: '{}',
      },
    });
  }

  async function commandFor(poHeaderId: string): Promise<Command> {
    return waitFor(
      () =>
        commands.messages
          .map((m) => decoded<Command>(m, 'fulfilment.shipbob-order.requested.v1'))
          .find((c) => c.poHeaderId === poHeaderId && c.action === 'create'),
      {
        timeoutMs: 30_000,
        what: `a ShipBob order command for PO ${poHeaderId}`,
      },
    );
  }

  before(async () => {
    ({ kafka, suffix } = await testKafka('tenancy-e2e'));
    admin = kafka.admin();
    await admin.connect();
    db = await testDatabase('tenancy_e2e');
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    commands = await collect(kafka, topicName('fulfilment.shipbob-order.requested.v1', suffix));
    changes = await collect(kafka, topicName('tenant.config.changed.v1', suffix));
    sandbox = new ShipbobSandbox();
    sandbox.seedData(DEMO_SEED);
    await sandbox.listen(0);
    const env = { KAFKA_TOPIC_SUFFIX: suffix, DATABASE_URL: db.url, MLC_OPERATOR_API_KEYS: `${OPS_KEY}:*`, LOG_LEVEL: 'info' };
    projector = await startService('audit-projector', { ...env, TENANT_OUTBOX_RELAY_INTERVAL_MS: '200' });
    // mapper after audit-projector: the tenants tables are migrated by the first one (serialised anyway).
    mapper = await startService('mapper', { ...env, TENANT_CACHE_TTL_MS: '600000' });
  });

  after(async () => {
    await Promise.all([projector?.stop(), mapper?.stop()]);
    await Promise.all([commands?.stop(), changes?.stop(), publisher?.disconnect(), admin?.disconnect(), sandbox?.close()]);
    await db?.drop();
  });

  it('a mapping changed through the admin API is used by the running mapper for the next PO line', async () => {
    assert.equal((await api('GET', '/admin/tenants', undefined, 'wrong-key-123')).status, 401, 'unauthenticated call refused');
    assert.equal((await api('POST', '/admin/tenants', { id: 'acme', name: 'Acme Ltd' })).status, 201);
    assert.equal((await api('PUT', '/admin/tenants/acme/mappings/item-product/SKU-TSHIRT-M', { value: { shipbobSku: 'ML-1001' } })).status, 200);
    assert.equal((await api('PUT', '/admin/tenants/acme/mappings/ship-to-fc/SHIPBOB-RENO', { value: { fulfillmentCenterId: 11 } })).status, 200);

    // The mapper loads (and caches for 10 minutes) the tenant while mapping the first PO.
    await publishPo('5001', 'SKU-TSHIRT-M');
    const first = await commandFor('5001');
    assert.equal(first.products[0]?.sku, 'ML-1001');
    assert.equal(first.fulfillmentCenterId, 11);
    const versionBefore = first.mappingVersion;

    // The mapper's broadcast change consumer must have joined before the change (it starts at the end of the topic).
    const listener = await waitFor(
      async () => {
        const { groups } = await admin.listGroups();
        const ids = groups.map((g) => g.groupId).filter((g) => g.startsWith('mapper.tenancy.'));
        if (!ids.length) return undefined;
        const described = await admin.describeGroups(ids);
        return described.groups.find((g) => g.state === 'Stable' && g.members.length > 0)?.groupId;
      },
      { timeoutMs: 30_000, what: "mapper's tenancy consumer group to be stable" },
    );
    // Marker changes after the join until the listener has committed past them: from then on it reads every change
    // (one published before its first fetch settled on the topic's end would be skipped, so another marker follows).
    assert.equal((await api('POST', '/admin/tenants', { id: 'marker', name: 'Marker' })).status, 201);
    let markers = 0;
    await waitFor(
      async () => {
        if ((await consumerLag(kafka, listener, [topicName('tenant.config.changed.v1', suffix)])) === 0) return true;
        assert.equal((await api('PATCH', '/admin/tenants/marker', { name: `Marker ${++markers}` })).status, 200);
        return false;
      },
      { intervalMs: 1_000, timeoutMs: 30_000, what: "mapper's change listener to commit past a marker" },
    );

    const changed = await api('PUT', '/admin/tenants/acme/mappings/item-product/SKU-TSHIRT-M', { value: { shipbobSku: 'ML-1002' } });
    assert.equal(changed.status, 200);
    const started = Date.now();
    await publishPo('5002', 'SKU-TSHIRT-M');
    const second = await commandFor('5002');
    assert.equal(second.products[0]?.sku, 'ML-1002', 'the new SKU is used without a restart');
    assert.ok(second.mappingVersion > versionBefore, 'the command names the newer mapping version');
    assert.ok(Date.now() - started < 15_000, 'within seconds');

    // The change itself is an event: who, when, old -> new.
    const event = await waitFor(() =>
      changes.messages
        .map((m) => decoded<Change>(m, 'tenant.config.changed.v1'))
        .find((c) => c.entity === 'mapping' && c.action === 'updated' && c.key === 'item-product:SKU-TSHIRT-M'),
    );
    assert.equal(event.meta.tenantId, 'acme');
    assert.match(event.actor, /^e2e \(key#[0-9a-f]{8}\)$/);
    assert.deepEqual(JSON.parse(event.oldValue!), { shipbobSku: 'ML-1001' });
    assert.deepEqual(JSON.parse(event.newValue!), { shipbobSku: 'ML-1002' });
    assert.equal(event.version, second.mappingVersion);
  });

  it('pings through the admin API against the ShipBob sandbox: ok, then a precise failure for a wrong secret', async () => {
    const conn = {
      baseUrl: sandbox.url,
      channelId: String(DEMO_SEED.channel!.id),
      webhookSecrets: ['whsec_ZGVtby1zaGlwYm9iLXdlYmhvb2sta2V5'],
      auth: { type: 'pat', token: DEMO_SEED.pat },
    };
    assert.equal((await api('PATCH', '/admin/tenants/acme', { mode: 'demo' })).status, 200);
    assert.equal((await api('PUT', '/admin/tenants/acme/connections/shipbob', conn)).status, 200);
    const good = await api<{ reachable: boolean; authenticated: boolean; failedCheck: string | null; message: string }>(
      'POST',
      '/admin/tenants/acme/connections/shipbob/ping',
    );
    assert.deepEqual([good.status, good.body.reachable, good.body.authenticated, good.body.failedCheck], [200, true, true, null], good.body.message);

    // The canary: a wrong secret that must never come back out anywhere.
    assert.equal((await api('PUT', '/admin/tenants/acme/connections/shipbob', { ...conn, auth: { type: 'pat', token: CANARY } })).status, 200);
    const bad = await api<{ reachable: boolean; authenticated: boolean; failedCheck: string | null; message: string }>(
      'POST',
      '/admin/tenants/acme/connections/shipbob/ping',
    );
    assert.equal(bad.body.failedCheck, 'authentication');
    assert.equal(bad.body.reachable, true);
    assert.match(bad.body.message, /ShipBob refused the credentials \(personal access token\)/);
    // A validation error must not echo the canary either.
    const invalid = await api<{ error: { problems: Array<{ field: string }> } }>('PUT', '/admin/tenants/acme/connections/shipbob', {
      ...conn,
      webhookSecrets: [CANARY],
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(
      invalid.body.error.problems.map((p) => p.field),
      ['webhookSecrets[0]'],
    );
  });

  it('never lets the canary out: API responses, service logs, tenant.config.changed.v1, the database', async () => {
    // Every change so far is on Kafka (the outbox is empty).
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await waitFor(async () => Number((await client.query('SELECT count(*)::int AS n FROM tenant_config_outbox')).rows[0].n) === 0, {
        what: 'outbox drained',
      });
      const versions = (await client.query(`SELECT version FROM tenant_config_history WHERE tenant_id = 'acme' ORDER BY version`)).rows.map(
        (r: { version: number }) => r.version,
      );
      await waitFor(() => new Set(changes.messages.map((m) => decoded<Change>(m, 'tenant.config.changed.v1').version)).size === new Set(versions).size, {
        what: 'one event per history version',
      });
      const tables = ['tenants', 'tenant_connections', 'tenant_mappings', 'tenant_config_history', 'tenant_config_outbox', 'partner_tokens'];
      for (const t of tables) {
        const rows = (await client.query(`SELECT x::text AS row FROM ${t} x`)).rows as Array<{ row: string }>;
        for (const r of rows) assert.ok(!r.row.includes(CANARY), `canary in table ${t}`);
      }
    } finally {
      await client.end();
    }
    const connChange = changes.messages
      .map((m) => decoded<Change>(m, 'tenant.config.changed.v1'))
      .find((c) => c.entity === 'connection' && c.newValue?.includes('[secret:changed]'));
    assert.ok(connChange, 'the secret change is an event, masked');
    for (const m of changes.messages) assert.ok(!m.value!.toString('latin1').includes(CANARY), 'canary in a change event');
    for (const r of responses) assert.ok(!r.includes(CANARY), 'canary in an API response');
    assert.ok(projector.output().length > 0 && mapper.output().length > 0, 'services logged');
    assert.ok(!projector.output().includes(CANARY), 'canary in audit-projector logs');
    assert.ok(!mapper.output().includes(CANARY), 'canary in mapper logs');
    // The sandbox saw it (as the bearer token we sent), so the scan is not vacuous.
    assert.ok(sandbox.requests().length > 0);
  });

  it('a stopped service leaves none of its private broadcast groups behind (tenancy, consumer control)', async () => {
    const mine = async () =>
      (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => /^mapper\.(tenancy|consumer-control)\./.test(g) && g.endsWith(suffix));
    assert.equal((await mine()).length, 2, `the running mapper has both: ${(await mine()).join(', ')}`);
    await mapper.stop();
    assert.deepEqual(await mine(), [], 'deleted at shutdown');
  });
});
