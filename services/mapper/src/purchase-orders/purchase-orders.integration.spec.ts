import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { EventPublisher, newMeta } from '@mlc/platform-kafka';
import {
  collect,
  startService,
  testDatabase,
  testKafka,
  TEST_ENCRYPTION_KEYS,
  waitFor,
  waitForLagZero,
  type RunningService,
  type TestDatabase,
} from '@mlc/platform-testing';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

type PoEvent = TopicRecords['erp.purchase-order.changed.v1'];
type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];
type Raised = TopicRecords['ops.exception.raised.v1'];

const TENANT = 'mapper-po-acme';
const PAT = 'sbpat_mapper_test_000000000000000000000000000';
const CHANNEL = 5151;
const codec = new AvroCodec();

interface SandboxOrder {
  id: number;
  reference_id: string;
  status: string;
  channel: { id: number };
  recipient: { name: string; address: { city: string; country: string } };
  products: Array<{ sku: string; quantity: number }>;
  shipments: Array<{ status: string; location: { id: number } }>;
}

function poEvent(
  lastUpdateDate: string,
  lines: Array<{ id: string; n: string; item: string; qty: string; status?: string }>,
  over: Partial<PoEvent> = {},
): PoEvent {
  return {
    meta: newMeta({ tenantId: TENANT, source: 'test' }),
    poHeaderId: '7001',
    orderNumber: '1700',
    status: 'Open',
    lastUpdateDate,
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
    lines: lines.map((l) => ({
      poLineId: l.id,
      lineNumber: l.n,
      itemNumber: l.item,
      description: null,
      quantity: l.qty,
      uom: 'Each',
      status: l.status ?? 'Open',
      shipToLocationCode: 'Seattle',
      lineLastUpdateDate: null,
    })),
    raw: '{}',
    ...over,
  } as PoEvent;
}

describe('mapper purchase-orders -> shipbob-writer -> ShipBob sandbox (real Kafka, Postgres, processes)', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let sandbox: ShipbobSandbox;
  let mapper: RunningService;
  let writer: RunningService;
  let publisher: EventPublisher;
  let rawProducer: Producer;
  let commands: Awaited<ReturnType<typeof collect>>;
  let raised: Awaited<ReturnType<typeof collect>>;
  let tenants: TenantConfigService;
  let ds: ReturnType<typeof createTenantsDataSource>;

  const orders = async (): Promise<SandboxOrder[]> => ((await (await fetch(`${sandbox.url}/__admin/orders`)).json()) as { items: SandboxOrder[] }).items;
  const byRef = async (ref: string): Promise<SandboxOrder[]> => (await orders()).filter((o) => o.reference_id === ref);
  const sentCommands = (): Command[] => commands.messages.map((m) => codec.decodeFor('fulfilment.shipbob-order.requested.v1', m.value!).value);
  const exceptions = (): Array<{ value: Raised; bytes: Buffer }> =>
    raised.messages
      .map((m) => ({ value: codec.decodeFor('ops.exception.raised.v1', m.value!).value, bytes: m.value! }))
      .filter((e) => e.value.service === 'mapper');
  /** Barrier: mapper and shipbob-writer have handled every record now on their topics, and the collectors read what they sent. */
  const settled = async (): Promise<void> => {
    await waitForLagZero(kafka, `mapper.purchase-orders${suffix}`, [`erp.purchase-order.changed.v1${suffix}`]);
    await waitForLagZero(kafka, `shipbob-writer.orders${suffix}`, [`fulfilment.shipbob-order.requested.v1${suffix}`]);
    await Promise.all([commands.caughtUp(), raised.caughtUp()]);
  };
  const publishPo = (po: PoEvent): Promise<void> => publisher.publish({ topic: 'erp.purchase-order.changed.v1', key: `${TENANT}:${po.poHeaderId}`, value: po });

  before(async () => {
    ({ kafka, suffix } = await testKafka('mapper-po'));
    db = await testDatabase('mapper_po');
    sandbox = new ShipbobSandbox({ seed: 5 });
    await sandbox.listen(0);
    sandbox.seedData({
      channel: { id: CHANNEL, name: 'ML Connector' },
      pat: PAT,
      fulfillmentCenters: [{ id: 8, name: 'Seattle FC', address: { address1: '1 FC Way', city: 'Kent', state: 'WA', country: 'US', zip_code: '98032' } }],
      products: ['SKU-1', 'SKU-2', 'SKU-3'].map((sku) => ({ sku, name: sku, on_hand_qty: 100 })),
    });
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: TENANT, name: 'Acme (mapper test)' }, 'test');
    await tenants.setConnection(
      TENANT,
      { partner: 'shipbob', baseUrl: sandbox.url, channelId: CHANNEL, webhookSecrets: [`whsec_${'B'.repeat(32)}`], auth: { type: 'pat', token: PAT } },
      'test',
    );
    await tenants.setMapping(TENANT, 'item-product', 'AS1', { shipbobSku: 'SKU-1' }, 'test');
    await tenants.setMapping(TENANT, 'item-product', 'AS2', { shipbobSku: 'SKU-2' }, 'test');
    await tenants.setMapping(TENANT, 'ship-to-fc', 'Seattle', { fulfillmentCenterId: 8 }, 'test');

    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    rawProducer = kafka.producer();
    await rawProducer.connect();
    commands = await collect(kafka, `fulfilment.shipbob-order.requested.v1${suffix}`);
    raised = await collect(kafka, `ops.exception.raised.v1${suffix}`);
    const env = { DATABASE_URL: db.url, KAFKA_TOPIC_SUFFIX: suffix, TENANT_CACHE_TTL_MS: '0', SHIPBOB_BACKOFF_BASE_MS: '100', SHIPBOB_BACKOFF_MAX_MS: '2000' };
    [mapper, writer] = await Promise.all([startService('mapper', env), startService('shipbob-writer', { ...env })]);
  });

  after(async () => {
    await Promise.all([mapper?.stop(), writer?.stop()]);
    await commands?.stop();
    await raised?.stop();
    await publisher?.disconnect();
    await rawProducer?.disconnect();
    await ds?.destroy();
    await sandbox?.close();
    await db?.drop();
  });

  it('N mapped lines -> exactly N ShipBob orders; the unmapped line -> an exception naming it', async () => {
    await publishPo(
      poEvent('2026-01-05T10:00:00.000+00:00', [
        { id: '71', n: '1', item: 'AS1', qty: '5' },
        { id: '72', n: '2', item: 'AS2', qty: '3.0' },
        { id: '73', n: '3', item: 'AS3', qty: '2' },
      ]),
    );
    await waitFor(async () => (await orders()).length === 2 && exceptions().length === 1, { timeoutMs: 30_000, what: 'two orders and one exception' });
    const o1 = (await byRef('po7001-l71-r0'))[0]!;
    const o2 = (await byRef('po7001-l72-r0'))[0]!;
    // Each command names every line the PO expects to be received, the unmapped one too (closing waits for it).
    await waitFor(() => sentCommands().filter((c) => c.poHeaderId === '7001').length >= 2, { what: 'the two commands on Kafka' });
    for (const c of sentCommands().filter((x) => x.poHeaderId === '7001')) assert.deepEqual(c.poLinesToFulfil, ['71', '72', '73']);
    assert.deepEqual(
      o1.products.map((p) => [p.sku, p.quantity]),
      [['SKU-1', 5]],
    );
    assert.deepEqual(
      o2.products.map((p) => [p.sku, p.quantity]),
      [['SKU-2', 3]],
    );
    for (const o of [o1, o2]) {
      assert.equal(o.channel.id, CHANNEL);
      assert.equal(o.shipments[0]!.location.id, 8);
      assert.equal(o.recipient.name, 'Seattle DC');
      assert.equal(o.recipient.address.city, 'Seattle');
    }
    const e = exceptions()[0]!.value;
    assert.equal(e.code, 'MAPPING.MISSING_PRODUCT');
    assert.equal(e.category, 'missing-mapping');
    assert.equal(e.entityType, 'shipbob-order');
    assert.equal(e.businessId, 'po7001-l73-r0');
    assert.match(e.message, /PO 1700 .*line 3 \(POLineId 73\).*item-product mapping for item AS3/);
    assert.equal(JSON.parse(e.details ?? '{}').mappingKey, 'item-product:AS3');
    const cmd = sentCommands().find((c) => c.referenceId === 'po7001-l71-r0')!;
    assert.equal(cmd.action, 'create');
    assert.equal(cmd.mappingVersion, (await tenants.getTenantSnapshot(TENANT)).configVersion);
  });

  it('fix the mapping + replay the parked event -> the missing order exactly once', async () => {
    await tenants.setMapping(TENANT, 'item-product', 'AS3', { shipbobSku: 'SKU-3' }, 'test');
    const parked = exceptions()[0]!;
    const replay = async (): Promise<void> => {
      await rawProducer.send({ topic: `erp.purchase-order.changed.v1${suffix}`, messages: [{ key: parked.value.sourceKey, value: parked.value.payload }] });
    };
    await replay();
    await waitFor(async () => (await byRef('po7001-l73-r0')).length === 1, { timeoutMs: 30_000, what: 'the replayed line order' });
    await replay(); // a second replay changes nothing
    const before = sentCommands().length;
    await publishPo(
      poEvent('2026-01-05T10:00:00.000+00:00', [
        { id: '71', n: '1', item: 'AS1', qty: '5' },
        { id: '72', n: '2', item: 'AS2', qty: '3.0' },
        { id: '73', n: '3', item: 'AS3', qty: '2' },
      ]),
    );
    await settled(); // a wrong extra command would be on the topic by now
    assert.equal(sentCommands().length, before, 'an unchanged PO emits nothing');
    assert.equal(sentCommands().filter((c) => c.referenceId === 'po7001-l73-r0').length, 1);
    assert.equal((await orders()).length, 3);
    assert.equal(exceptions().length, 1);
  });

  it('a quantity change before pick -> the old order cancelled, a new revision created', async () => {
    await publishPo(
      poEvent('2026-01-06T09:00:00.000+00:00', [
        { id: '71', n: '1', item: 'AS1', qty: '7' },
        { id: '72', n: '2', item: 'AS2', qty: '3' },
        { id: '73', n: '3', item: 'AS3', qty: '2', status: 'Canceled' },
      ]),
    );
    await waitFor(async () => (await byRef('po7001-l71-r1')).length === 1 && (await byRef('po7001-l73-r0'))[0]?.shipments[0]?.status === 'Cancelled', {
      timeoutMs: 30_000,
      what: 'r1 created and the cancelled line cancelled',
    });
    assert.equal((await byRef('po7001-l71-r0'))[0]!.shipments[0]!.status, 'Cancelled');
    assert.deepEqual(
      (await byRef('po7001-l71-r1'))[0]!.products.map((p) => [p.sku, p.quantity]),
      [['SKU-1', 7]],
    );
    assert.equal((await byRef('po7001-l72-r0'))[0]!.shipments[0]!.status, 'Processing', 'the unchanged line is left alone');
    const r1 = sentCommands().find((c) => c.referenceId === 'po7001-l71-r1')!;
    assert.equal(r1.supersedesReferenceId, 'po7001-l71-r0');
    assert.equal(r1.revision, 1);
    assert.equal((await orders()).length, 4);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const rows = (
        await pg.query<{ group_key: string; reference_id: string; state: string }>(
          'SELECT group_key, reference_id, state FROM mapper_po_orders ORDER BY group_key',
        )
      ).rows;
      assert.deepEqual(
        rows.map((r) => [r.group_key, r.reference_id, r.state]),
        [
          ['l71', 'po7001-l71-r1', 'active'],
          ['l72', 'po7001-l72-r0', 'active'],
          ['l73', 'po7001-l73-r0', 'cancelled'],
        ],
      );
    } finally {
      await pg.end();
    }
  });
  it('a line with two problems -> one exception naming both; an On Hold PO -> nothing until it is Open; Oracle one-line addresses and the ship-to-address mapping', async () => {
    const oracleAddress = { locationCode: 'Cicero', name: null, address1: null, address2: null, city: null, state: null, postalCode: null, country: null };
    const hold = poEvent(
      '2026-02-01T09:00:00.000+00:00',
      [
        { id: '81', n: '1', item: 'AS9', qty: '1' },
        { id: '82', n: '2', item: 'AS1', qty: '4' },
      ],
      {
        poHeaderId: '7002',
        orderNumber: '1702',
        status: 'On Hold',
        shipToLocationCode: 'Cicero',
        shipTo: { ...oracleAddress, addressText: 'Dock 4, ask at the gate' },
      } as Partial<PoEvent>,
    );
    const withLines = (e: PoEvent, code: string): PoEvent => ({ ...e, lines: e.lines.map((l) => ({ ...l, shipToLocationCode: code })) }) as PoEvent;
    await tenants.setMapping(TENANT, 'ship-to-fc', 'Cicero', { fulfillmentCenterId: 8 }, 'test');
    await tenants.setMapping(TENANT, 'ship-to-fc', 'Chicago', { fulfillmentCenterId: 8 }, 'test');
    const before = exceptions().length;
    await publishPo(withLines(hold, 'Cicero'));
    await settled();
    assert.equal(exceptions().length, before, 'an On Hold PO is neither mapped nor reported');
    assert.equal((await orders()).filter((o) => o.reference_id.startsWith('po7002-')).length, 0);

    // Released: line 81 has an unknown item and no readable address -> one exception with both problems.
    await publishPo(withLines({ ...hold, status: 'Open', lastUpdateDate: '2026-02-01T10:00:00.000+00:00' } as PoEvent, 'Cicero'));
    await waitFor(() => exceptions().length >= before + 2, { timeoutMs: 30_000, what: 'an exception per PO 7002 line' });
    await settled();
    const raisedNow = exceptions()
      .slice(before)
      .map((x) => x.value);
    assert.deepEqual(raisedNow.map((x) => x.businessId).sort(), ['po7002-l81-r0', 'po7002-l82-r0'], 'one exception per line, not one per problem');
    const e = raisedNow.find((x) => x.businessId === 'po7002-l81-r0')!;
    const problems = (JSON.parse(e.details ?? '{}') as { problems: Array<{ code: string }> }).problems.map((x) => x.code).sort();
    assert.deepEqual(problems, ['MAPPING.MISSING_PRODUCT', 'MAPPING.MISSING_RECIPIENT']);
    assert.match(e.message, /2 problems: .*MISSING_PRODUCT.*MISSING_RECIPIENT/);

    // The operator sets the location's address once (and the item); the next PO event maps both lines.
    await tenants.setMapping(
      TENANT,
      'ship-to-address',
      'Cicero',
      { name: 'Cicero DC', address1: '5900 W Ogden Ave', city: 'Cicero', state: 'IL', postalCode: '60804', country: 'US' },
      'test',
    );
    await tenants.setMapping(TENANT, 'item-product', 'AS9', { shipbobSku: 'SKU-1' }, 'test');
    await publishPo(withLines({ ...hold, status: 'Open', lastUpdateDate: '2026-02-01T11:00:00.000+00:00' } as PoEvent, 'Cicero'));
    await waitFor(async () => (await byRef('po7002-l81-r0')).length === 1 && (await byRef('po7002-l82-r0')).length === 1, {
      timeoutMs: 30_000,
      what: 'both PO 7002 orders',
    });
    const o = (await byRef('po7002-l81-r0'))[0]!;
    assert.equal(o.recipient.name, 'Cicero DC');
    assert.equal(o.recipient.address.city, 'Cicero');
    assert.equal(o.recipient.address.country, 'US');

    // The address mapping goes away and the PO's LastUpdateDate moves with nothing changed on its lines (our own
    // close, a note): the orders stand, so no exception is raised again under a new -r1 reference, nothing is sent.
    await tenants.deleteMapping(TENANT, 'ship-to-address', 'Cicero', 'test');
    const raisedBefore = exceptions().length;
    const sentBefore = sentCommands().length;
    await publishPo(withLines({ ...hold, status: 'Open', lastUpdateDate: '2026-02-01T12:00:00.000+00:00' } as PoEvent, 'Cicero'));
    await settled();
    assert.equal(exceptions().length, raisedBefore, 'no exception for lines whose orders stand unchanged');
    assert.equal(sentCommands().length, sentBefore);

    // Oracle's own one-line format (county and the country's name last) reads without any mapping.
    await publishPo(
      withLines(
        poEvent('2026-02-02T09:00:00.000+00:00', [{ id: '91', n: '1', item: 'AS1', qty: '2' }], {
          poHeaderId: '7003',
          orderNumber: '1703',
          shipToLocationCode: 'Chicago',
          shipTo: { ...oracleAddress, locationCode: 'Chicago', addressText: '5900 W Ogden Ave, Cicero, IL 60804-1234, Cook, United States' },
        } as Partial<PoEvent>),
        'Chicago',
      ),
    );
    await waitFor(async () => (await byRef('po7003-l91-r0')).length === 1, { timeoutMs: 30_000, what: 'the PO 7003 order' });
    const a3 = (await byRef('po7003-l91-r0'))[0]!.recipient.address as { state?: string; zip_code?: string; country: string };
    assert.deepEqual([a3.state, a3.zip_code, a3.country], ['IL', '60804-1234', 'US']);
  });
});
