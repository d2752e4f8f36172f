import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type TopicName, type TopicRecords } from '@mlc/contracts';
import { formatReferenceId } from '@mlc/domain-fulfilment';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { ShipbobSandbox, type LifecycleStep, type SentWebhook } from '@mlc/partners-shipbob-simulator';
import { EventPublisher, newMeta, topicName, ulid } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, waitFor, TEST_ENCRYPTION_KEYS, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { createTenantsDataSource, DEMO_WEBHOOK_TOPICS, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';
import type { DataSource } from 'typeorm';

const TENANT = 'acme';
/** A second tenant with settings.shipmentProblemsAsPoNote on. */
const NOTED = 'noted';
const codec = new AvroCodec();

interface Po {
  poHeaderId: string;
  poNumber: string;
  lines: { poLineId: string; lineNumber: string; item: string; sku: string; qty: number }[];
  shipments: string[];
  webhooks: SentWebhook[];
}

/**
 * ShipBob shipments → mapper (real process) → fusion-writer (real process) → Fusion sandbox, on real Kafka and
 * Postgres. Webhook bodies come from the ShipBob sandbox driving real orders through their lifecycle.
 */
describe('mapper shipments → fusion-writer → Fusion (integration)', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let ds: DataSource;
  let fusion: FusionSandbox;
  let shipbob: ShipbobSandbox;
  let receiver: Server;
  let publisher: EventPublisher;
  let pat: string;
  let channelId: number;
  const services: RunningService[] = [];
  const collectors: Record<string, Awaited<ReturnType<typeof collect>>> = {};

  const decoded = <T extends TopicName>(topic: T): TopicRecords[T][] => collectors[topic]!.messages.map((m) => codec.decodeFor(topic, m.value!).value);

  before(async () => {
    ({ kafka, suffix } = await testKafka('mapper-shipments'));
    db = await testDatabase('mapper_shipments');
    fusion = new FusionSandbox();
    await fusion.listen();
    shipbob = new ShipbobSandbox();
    await shipbob.listen();
    receiver = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const seeded = shipbob.seedData({
      products: [
        { sku: 'SKU-A', name: 'Widget A', on_hand_qty: 100 },
        { sku: 'SKU-B', name: 'Widget B', on_hand_qty: 100 },
      ],
      fulfillmentCenters: [{ id: 8, name: 'Cicero (IL)' }],
    });
    pat = seeded.pat;
    channelId = seeded.channel.id;
    const sub = await sb('POST', '/webhook', {
      topics: DEMO_WEBHOOK_TOPICS.shipbob,
      url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`,
    });
    assert.equal(sub.status, 200);

    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    const tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: TENANT, name: 'Acme' }, 'test');
    await tenants.createTenant({ id: NOTED, name: 'Noted', settings: { shipmentProblemsAsPoNote: true } }, 'test');
    for (const t of [TENANT, NOTED]) {
      await tenants.setConnection(
        t,
        { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: fusion.options.basicUser, password: fusion.options.basicPassword } },
        'test',
      );
    }

    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    for (const t of [
      'fulfilment.fusion-po-update.requested.v1',
      'fulfilment.fusion-po.updated.v1',
      'fulfilment.shipbob-charge.recorded.v1',
      'ops.exception.raised.v1',
    ] as const) {
      collectors[t] = await collect(kafka, topicName(t, suffix));
    }
    const env = { DATABASE_URL: db.url, KAFKA_TOPIC_SUFFIX: suffix };
    services.push(await startService('mapper', env), await startService('fusion-writer', env));
  });

  after(async () => {
    for (const s of services) await s.stop();
    for (const c of Object.values(collectors)) await c.stop();
    await publisher?.disconnect();
    await shipbob?.close();
    await fusion?.close();
    await new Promise((r) => receiver?.close(r));
    await ds?.destroy();
    await db?.drop();
  });

  async function sb(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${shipbob.url}/2026-01${path}`, {
      method,
      headers: { authorization: `Bearer ${pat}`, shipbob_channel_id: String(channelId), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  /** A Fusion PO with two lines (3 × SKU-A, 2 × SKU-B), one ShipBob order per line, as mapper/shipbob-writer would. */
  async function poWithTwoOrders(
    opts: { holdSecondRequest?: boolean; tenant?: string; lifecycle?: LifecycleStep[] } = {},
  ): Promise<Po & { releaseSecond: () => Promise<void> }> {
    const tenant = opts.tenant ?? TENANT;
    const [created] = fusion.seedPurchaseOrders({ count: 1, linesPerPo: 1, items: [{ Item: 'SKU-A' }] });
    const key = String(created!.POHeaderId);
    fusion.procurement.changeQuantity(key, created!.lines[0]!.LineNumber, 3);
    fusion.procurement.addLine(key, { Item: 'SKU-B', Quantity: 2 });
    const po = fusion.procurement.findPo(key);
    const out: Po = {
      poHeaderId: key,
      poNumber: po.OrderNumber,
      lines: po.lines.map((l, i) => ({
        poLineId: String(l.POLineId),
        lineNumber: String(l.LineNumber),
        item: l.Item,
        sku: i === 0 ? 'SKU-A' : 'SKU-B',
        qty: i === 0 ? 3 : 2,
      })),
      shipments: [],
      webhooks: [],
    };
    const held: Array<() => Promise<void>> = [];
    for (const [index, line] of out.lines.entries()) {
      const referenceId = formatReferenceId({ grouping: 'line', poHeaderId: out.poHeaderId, poLineId: line.poLineId, revision: 0 });
      const meta = newMeta({ tenantId: tenant, source: 'mapper' });
      const requested = () =>
        publisher.publish({
          topic: 'fulfilment.shipbob-order.requested.v1',
          key: `${tenant}:${out.poHeaderId}`,
          value: {
            meta,
            action: 'create',
            referenceId,
            revision: 0,
            supersedesReferenceId: null,
            poHeaderId: out.poHeaderId,
            poNumber: out.poNumber,
            poLastUpdateDate: po.LastUpdateDate,
            fulfillmentCenterId: 8,
            shippingMethod: 'Standard',
            recipient: null,
            products: [
              { poLineId: line.poLineId, lineNumber: line.lineNumber, itemNumber: line.item, sku: line.sku, productId: null, quantity: line.qty, uom: 'Each' },
            ],
            mappingVersion: 1,
            reason: null,
            poLinesToFulfil: out.lines.map((l) => l.poLineId),
          },
        });
      const order = await sb('POST', '/order', {
        reference_id: referenceId,
        shipping_method: 'Standard',
        type: 'B2B',
        location_id: 8,
        recipient: { name: 'Receiving dock', address: { address1: '1 Dock St', city: 'Reno', country: 'US' } },
        products: [{ reference_id: line.sku, name: line.item, quantity: line.qty }],
      });
      assert.equal(order.status, 201, JSON.stringify(order.json));
      const synced = () =>
        publisher.publish({
          topic: 'fulfilment.shipbob-order.synced.v1',
          key: `${tenant}:${out.poHeaderId}`,
          value: {
            meta: newMeta({ tenantId: tenant, source: 'shipbob-writer', causedBy: meta }),
            outcome: 'created',
            referenceId,
            shipbobOrderId: String(order.json['id']),
            channelId: String(channelId),
            poHeaderId: out.poHeaderId,
            poNumber: out.poNumber,
            poLineIds: [line.poLineId],
            fulfillmentCenterId: 8,
            status: String(order.json['status']),
          },
        });
      out.shipments.push(String((order.json['shipments'] as { id: number }[])[0]!.id));
      const both = async () => {
        await requested();
        await synced();
      };
      if (opts.holdSecondRequest && index === 1) held.push(both);
      else await both();
    }
    // Drive both shipments through ShipBob's lifecycle and keep the webhooks ShipBob sent.
    const before = shipbob.sentWebhooks.length;
    for (const s of out.shipments) shipbob.runLifecycle(Number(s), opts.lifecycle);
    out.webhooks = shipbob.sentWebhooks.slice(before);
    return { ...out, releaseSecond: async () => void (await Promise.all(held.map((f) => f()))) };
  }

  async function deliver(hooks: { id: string; topic: string; body: string }[], tenant = TENANT): Promise<void> {
    for (const h of hooks) {
      await publisher.publish({
        topic: 'shipbob.webhook.received.v1',
        key: `${tenant}:${h.id}`,
        value: {
          meta: newMeta({ tenantId: tenant, source: 'webhook-gateway' }),
          partner: 'shipbob',
          topic: h.topic,
          deliveryId: h.id,
          headers: { 'webhook-id': h.id, 'x-webhook-topic': h.topic },
          body: h.body,
        },
      });
    }
  }

  const writtenFor = (po: Po) => {
    const mine = (rows: Record<string, unknown>[]) => rows.filter((r) => String(r['POHeaderId']) === po.poHeaderId);
    return { asns: mine(fusion.written.asns), receipts: mine(fusion.written.receipts), closures: mine(fusion.written.closures) };
  };

  /** What Fusion holds for a PO, in a form two runs can be compared by. */
  const finalState = (po: Po) => {
    const w = writtenFor(po);
    const line = (r: Record<string, unknown>) => `${String(r['LineNumber'])}:${String(r['Quantity'])}`;
    return {
      asns: w.asns.map(line).sort(),
      // Tracking travels in documented attributes only: BillOfLading (max 25), else Comments.
      asnTracking: w.asns.every((r) => {
        const h = r['header'] as Record<string, unknown>;
        return /^9400/.test(String(h['BillOfLading'] ?? '')) || /Tracking number: 9400/.test(String(h['Comments'] ?? ''));
      }),
      receipts: w.receipts.map(line).sort(),
      closures: w.closures.map((c) => c['closeAction']),
      status: fusion.procurement.findPo(po.poHeaderId).Status,
    };
  };

  const expected = { asns: ['1:3', '2:2'], asnTracking: true, receipts: ['1:3', '2:2'], closures: ['closeForReceiving'], status: 'Closed for Receiving' };

  it('in order: one ASN with tracking per shipment, receipts of the shipped quantities, the PO closed for receiving; charges attributed', async () => {
    const po = await poWithTwoOrders();
    assert.deepEqual(po.webhooks.map((w) => w.topic).sort(), [
      'billing.charge.created',
      'billing.charge.created',
      'order.shipment.delivered',
      'order.shipment.delivered',
      'order.shipped',
      'order.shipped',
    ]);
    await deliver(po.webhooks);
    await waitFor(() => writtenFor(po).closures.length === 1, { timeoutMs: 30_000, what: 'the PO closed for receiving' });
    assert.deepEqual(finalState(po), expected);
    const asn = writtenFor(po).asns[0]!['header'] as Record<string, unknown>;
    assert.equal(asn['ASNType'], 'ASN');
    assert.match(String(asn['Comments']), /Carrier: USPS/);

    await waitFor(() => decoded('fulfilment.fusion-po.updated.v1').filter((u) => u.poHeaderId === po.poHeaderId).length >= 5, {
      what: 'five updates published',
    });
    const updates = decoded('fulfilment.fusion-po.updated.v1').filter((u) => u.poHeaderId === po.poHeaderId);
    assert.deepEqual(updates.map((u) => u.kind).sort(), ['advance_shipment_notice', 'advance_shipment_notice', 'close_for_receiving', 'receipt', 'receipt']);
    assert.ok(updates.every((u) => u.outcome === 'written'));
    // Receipts and ASNs are reported only once Fusion processed them; the close came after both receipts were confirmed.
    assert.ok(updates.filter((u) => u.kind !== 'close_for_receiving').every((u) => u.processingStatus === 'SUCCESS'));

    const charges = await waitFor(
      () => {
        const c = decoded('fulfilment.shipbob-charge.recorded.v1').filter((x) => x.poHeaderId === po.poHeaderId);
        return c.length === 2 ? c : undefined;
      },
      { what: 'two charges attributed to the PO' },
    );
    assert.deepEqual(charges.map((c) => c.shipmentId).sort(), [...po.shipments].sort());
    assert.ok(charges.every((c) => /^\d+(\.\d+)?$/.test(c.amount) && c.poNumber === po.poNumber && c.referenceId?.startsWith(`po${po.poHeaderId}-l`)));
  });

  it('duplicated and reordered webhooks (delivered before shipped, every delivery twice) give the identical final state', async () => {
    const po = await poWithTwoOrders();
    const reversed = [...po.webhooks].reverse();
    await deliver([...reversed, ...reversed]);
    await waitFor(() => writtenFor(po).closures.length === 1, { timeoutMs: 30_000, what: 'the PO closed for receiving' });
    // The same webhooks once more, then a sentinel charge: once its record is out, mapper has read everything before it.
    await deliver(po.webhooks);
    const sentinel = {
      transaction_id: `tx_sentinel_${ulid()}`,
      amount: 1.25,
      currency_code: 'USD',
      charge_date: new Date().toISOString(),
      reference_id: po.shipments[0],
      reference_type: 'Shipment',
      transaction_fee: 'Shipping',
    };
    await deliver([{ id: `msg_${ulid()}`, topic: 'billing.charge.created', body: JSON.stringify(sentinel) }]);
    await waitFor(() => decoded('fulfilment.shipbob-charge.recorded.v1').some((c) => c.transactionId === sentinel.transaction_id), {
      what: 'the sentinel charge',
    });
    const commands = decoded('fulfilment.fusion-po-update.requested.v1').filter((c) => c.poHeaderId === po.poHeaderId);
    assert.equal(commands.length, 5, 'each write-back requested once');
    assert.equal(new Set(commands.map((c) => c.idempotencyKey)).size, 5);
    await waitFor(() => decoded('fulfilment.fusion-po.updated.v1').filter((u) => u.poHeaderId === po.poHeaderId).length === 5, {
      what: 'five updates published',
    });
    assert.deepEqual(finalState(po), expected);
    assert.equal(decoded('fulfilment.shipbob-charge.recorded.v1').filter((c) => c.poHeaderId === po.poHeaderId).length, 3);
  });

  it('webhooks read before the request of the PO’s other order: that line is received, the PO is closed only once every line is', async () => {
    const po = await poWithTwoOrders({ holdSecondRequest: true });
    await deliver(po.webhooks);
    const [firstShipment, secondShipment] = po.shipments;
    const sentinel = {
      transaction_id: `tx_sentinel_${ulid()}`,
      amount: 1.25,
      currency_code: 'USD',
      charge_date: new Date().toISOString(),
      reference_id: firstShipment,
      reference_type: 'Shipment',
      transaction_fee: 'Shipping',
    };
    await deliver([{ id: `msg_${ulid()}`, topic: 'billing.charge.created', body: JSON.stringify(sentinel) }]);
    await waitFor(() => writtenFor(po).receipts.length === 1, { timeoutMs: 30_000, what: 'the receipt of the first line' });
    await waitFor(() => decoded('fulfilment.shipbob-charge.recorded.v1').some((c) => c.transactionId === sentinel.transaction_id), {
      what: 'the sentinel charge: every webhook before it was read',
    });
    const early = decoded('fulfilment.fusion-po-update.requested.v1').filter((c) => c.poHeaderId === po.poHeaderId);
    assert.deepEqual(
      early.map((c) => c.kind).sort(),
      ['advance_shipment_notice', 'receipt'],
      `line 2 is not received: no close (${early.map((c) => c.idempotencyKey).join(', ')})`,
    );
    assert.ok(early.every((c) => c.shipmentId === firstShipment));
    assert.equal(writtenFor(po).closures.length, 0);

    await po.releaseSecond();
    await waitFor(() => writtenFor(po).closures.length === 1, { timeoutMs: 30_000, what: 'the PO closed for receiving once line 2 is received too' });
    await waitFor(() => decoded('fulfilment.fusion-po.updated.v1').filter((u) => u.poHeaderId === po.poHeaderId).length === 5, {
      what: 'five updates published',
    });
    const all = decoded('fulfilment.fusion-po-update.requested.v1').filter((c) => c.poHeaderId === po.poHeaderId);
    assert.deepEqual(
      all.map((c) => c.idempotencyKey).sort(),
      [
        `advance_shipment_notice:s${firstShipment}:l${po.lines[0]!.poLineId}`,
        `advance_shipment_notice:s${secondShipment}:l${po.lines[1]!.poLineId}`,
        `close_for_receiving:po${po.poHeaderId}:l${po.lines.map((l) => l.poLineId).join('.')}`,
        `receipt:s${firstShipment}:l${po.lines[0]!.poLineId}`,
        `receipt:s${secondShipment}:l${po.lines[1]!.poLineId}`,
      ].sort(),
    );
    assert.deepEqual(finalState(po), expected);
  });

  it('exception, on hold and cancelled shipments go to the exceptions queue, classified, one per shipment and kind however often ShipBob repeats them', async () => {
    const po = await poWithTwoOrders({ lifecycle: ['exception', 'on_hold', 'cancel'] });
    assert.deepEqual(po.webhooks.map((w) => w.topic).sort(), [
      'order.shipment.cancelled',
      'order.shipment.cancelled',
      'order.shipment.exception',
      'order.shipment.exception',
      'order.shipment.on_hold',
      'order.shipment.on_hold',
    ]);
    await deliver(po.webhooks);
    await deliver(po.webhooks.map((w) => ({ ...w, id: `msg_${ulid()}` }))); // ShipBob sends them again (new delivery ids)
    const mine = () =>
      decoded('ops.exception.raised.v1').filter((e) => e.entityType === 'shipbob-shipment' && po.shipments.some((s) => e.businessId?.startsWith(`${s}:`)));
    await waitFor(() => mine().length >= 6, { timeoutMs: 30_000, what: 'six shipment problems raised' });
    // A sentinel charge: once its record is out, mapper has read every webhook before it.
    const sentinel = {
      transaction_id: `tx_sentinel_${ulid()}`,
      amount: 1.25,
      currency_code: 'USD',
      charge_date: new Date().toISOString(),
      reference_id: po.shipments[0],
      reference_type: 'Shipment',
      transaction_fee: 'Shipping',
    };
    await deliver([{ id: `msg_${ulid()}`, topic: 'billing.charge.created', body: JSON.stringify(sentinel) }]);
    await waitFor(() => decoded('fulfilment.shipbob-charge.recorded.v1').some((c) => c.transactionId === sentinel.transaction_id), {
      what: 'the sentinel charge',
    });
    const raised = mine();
    assert.equal(raised.length, 6, 'one per shipment and kind, repeats add none');
    const codes: Record<string, string> = {
      exception: 'SHIPBOB.SHIPMENT_EXCEPTION',
      on_hold: 'SHIPBOB.SHIPMENT_ON_HOLD',
      cancelled: 'SHIPBOB.SHIPMENT_CANCELLED',
    };
    for (const [i, shipment] of po.shipments.entries()) {
      for (const [kind, code] of Object.entries(codes)) {
        const e = raised.find((x) => x.businessId === `${shipment}:${kind}`);
        assert.ok(e, `${shipment}:${kind} raised`);
        assert.deepEqual([e.code, e.category, e.service], [code, 'fulfilment', 'mapper']);
        assert.match(
          e.message,
          new RegExp(
            `^ShipBob shipment ${shipment} \\(order \\d+, reference po${po.poHeaderId}-l\\d+\\S*\\) for PO ${po.poNumber} line ${po.lines[i]!.lineNumber} `,
          ),
        );
        const details = JSON.parse(e.details ?? '{}') as Record<string, unknown>;
        assert.equal(details['poNumber'], po.poNumber);
      }
    }
    const byKind = (kind: string) => raised.filter((e) => e.businessId?.endsWith(`:${kind}`)).map((e) => e.message);
    assert.ok(byKind('exception').every((m) => / has an exception: \S/.test(m)));
    assert.ok(byKind('on_hold').every((m) => / is on hold: \S/.test(m)));
    assert.ok(byKind('cancelled').every((m) => / was cancelled: \S/.test(m)));
    // The write-back records them (tenant switch off: no PO note), receives nothing and does not close the PO.
    const commands = decoded('fulfilment.fusion-po-update.requested.v1').filter((c) => c.poHeaderId === po.poHeaderId);
    assert.deepEqual([...new Set(commands.map((c) => c.kind))], ['fulfillment_exception']);
    assert.equal(commands.length, 6);
    assert.ok(commands.every((c) => c.poNote === null));
    assert.deepEqual(writtenFor(po), { asns: [], receipts: [], closures: [] });
    assert.equal(fusion.procurement.findPo(po.poHeaderId).NoteToReceiver, undefined);
  });

  it('tenant switch shipmentProblemsAsPoNote: a shipment on hold also becomes the PO’s NoteToReceiver (draftPurchaseOrders PATCH)', async () => {
    const po = await poWithTwoOrders({ tenant: NOTED, lifecycle: ['on_hold'] });
    await deliver(po.webhooks, NOTED);
    await waitFor(() => fusion.written.poUpdates.filter((u) => String(u['POHeaderId']) === po.poHeaderId).length >= 2, {
      timeoutMs: 30_000,
      what: 'two PO notes written',
    });
    const notes = fusion.written.poUpdates.filter((u) => String(u['POHeaderId']) === po.poHeaderId).map((u) => String(u['NoteToReceiver']));
    assert.ok(
      notes.every((n) => /^ShipBob shipment \d+ is on hold: Invalid ?address$/i.test(n)),
      notes.join(' | '),
    );
    const exc = decoded('ops.exception.raised.v1').filter((e) => e.meta.tenantId === NOTED && e.code === 'SHIPBOB.SHIPMENT_ON_HOLD');
    assert.ok(exc.length >= 1, 'the queue still gets them');
  });

  it('an unreadable webhook is raised as an exception on the delivery; a shipment of an order we did not create is ignored', async () => {
    const foreign = { id: 999, order_id: 1, reference_id: 'ORDER-1001', status: 'Completed', status_details: [{ name: 'Delivered' }] };
    const badId = `msg_${ulid()}`;
    await deliver([
      { id: `msg_${ulid()}`, topic: 'order.shipment.delivered', body: JSON.stringify(foreign) },
      { id: badId, topic: 'order.shipment.delivered', body: '{"status": "Completed"' },
    ]);
    const exc = await waitFor(() => decoded('ops.exception.raised.v1').find((e) => e.businessId === badId), {
      what: 'the exception for the unreadable webhook',
    });
    assert.equal(exc.entityType, 'shipbob-webhook');
    assert.equal(exc.category, 'parse');
    assert.equal(exc.service, 'mapper');
    assert.ok(!decoded('fulfilment.fusion-po-update.requested.v1').some((c) => c.referenceId === 'ORDER-1001'));
    assert.ok(!decoded('ops.exception.raised.v1').some((e) => e.entityType === 'shipbob-webhook' && e.businessId !== badId));
  });
});
