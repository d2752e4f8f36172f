import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type TopicName, type TopicRecords } from '@mlc/contracts';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { EventPublisher, newMeta, topicName } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, waitFor, TEST_ENCRYPTION_KEYS, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';
import type { DataSource } from 'typeorm';

const TENANT = 'acme';
const codec = new AvroCodec();
type Command = TopicRecords['fulfilment.fusion-po-update.requested.v1'];

/** fusion-writer (real process) against the Fusion sandbox, real Kafka and Postgres: retry, park, exactly-once writes. */
describe('fusion-writer purchase-orders (integration)', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let ds: DataSource;
  let fusion: FusionSandbox;
  let publisher: EventPublisher;
  let writer: RunningService;
  let po: { poHeaderId: string; poNumber: string; lines: { poLineId: string; lineNumber: string; qty: number }[] };
  const collectors: Record<string, Awaited<ReturnType<typeof collect>>> = {};
  const decoded = <T extends TopicName>(topic: T): TopicRecords[T][] => collectors[topic]!.messages.map((m) => codec.decodeFor(topic, m.value!).value);

  before(async () => {
    ({ kafka, suffix } = await testKafka('fusion-writer-po'));
    db = await testDatabase('fusion_writer_po');
    fusion = new FusionSandbox();
    await fusion.listen();
    const [created] = fusion.seedPurchaseOrders({ count: 1, linesPerPo: 1, items: [{ Item: 'SKU-A' }] });
    const key = String(created!.POHeaderId);
    fusion.procurement.changeQuantity(key, created!.lines[0]!.LineNumber, 3);
    fusion.procurement.addLine(key, { Item: 'SKU-B', Quantity: 2 });
    const p = fusion.procurement.findPo(key);
    po = {
      poHeaderId: key,
      poNumber: p.OrderNumber,
      lines: p.lines.map((l, i) => ({ poLineId: String(l.POLineId), lineNumber: String(l.LineNumber), qty: i === 0 ? 3 : 2 })),
    };

    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    const tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: TENANT, name: 'Acme' }, 'test');
    await tenants.setConnection(
      TENANT,
      { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: fusion.options.basicUser, password: fusion.options.basicPassword } },
      'test',
    );
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    for (const t of ['fulfilment.fusion-po.updated.v1', 'ops.exception.raised.v1'] as const) collectors[t] = await collect(kafka, topicName(t, suffix));
    writer = await startService('fusion-writer', { DATABASE_URL: db.url, KAFKA_TOPIC_SUFFIX: suffix, KAFKA_GROUP_ID_SUFFIX: suffix });
  });

  after(async () => {
    if (process.env['DEBUG_WRITER']) console.log(writer?.output().slice(-6000));
    await writer?.stop();
    for (const c of Object.values(collectors)) await c.stop();
    await publisher?.disconnect();
    await fusion?.close();
    await ds?.destroy();
    await db?.drop();
  });

  function command(kind: Command['kind'], key: string, lines: { poLineId: string; lineNumber: string; qty: number }[], extra: Partial<Command> = {}): Command {
    return {
      meta: newMeta({ tenantId: TENANT, source: 'mapper' }),
      kind,
      idempotencyKey: key,
      poHeaderId: po.poHeaderId,
      poNumber: po.poNumber,
      referenceId: null,
      shipbobOrderId: '100001',
      shipmentId: '200001',
      shipbobStatus: 'Completed/InTransit',
      carrier: 'USPS',
      trackingNumber: '9400111',
      trackingUrl: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111',
      eventAt: '2026-11-30T10:00:00Z',
      lines: lines.map((l) => ({ poLineId: l.poLineId, lineNumber: l.lineNumber, itemNumber: null, quantity: String(l.qty), uom: null })),
      exceptionReason: null,
      writeToFlexfield: false,
      ...extra,
    };
  }
  const send = (c: Command) => publisher.publish({ topic: 'fulfilment.fusion-po-update.requested.v1', key: `${TENANT}:${c.poHeaderId}`, value: c });
  const updates = (key: string) => decoded('fulfilment.fusion-po.updated.v1').filter((u) => u.idempotencyKey === key);
  const mine = (rows: Record<string, unknown>[]) => rows.filter((r) => String(r['POHeaderId']) === po.poHeaderId);

  it('a Fusion outage during the write is retried until the ASN is written, once; a replay writes nothing more', async () => {
    // The outage lasts until it has answered the writer (a loaded machine may not write within a fixed window), then ends.
    fusion.faults = { outageFrom: Date.now() - 1, outageUntil: Date.now() + 120_000 };
    const asn = command('advance_shipment_notice', 'advance_shipment_notice:s200001:l1.2', po.lines);
    await send(asn);
    await waitFor(
      async () => {
        const requests = (await (await fetch(`${fusion.url}/__admin/requests`)).json()) as { items: { method: string; path: string; status: number }[] };
        return requests.items.some((r) => r.status === 503 && r.path.endsWith('/receivingReceiptRequests'));
      },
      { timeoutMs: 60_000, what: 'the outage to answer the writer' },
    );
    assert.equal(updates(asn.idempotencyKey).length, 0, 'nothing reported written during the outage');
    fusion.faults = {};
    const [done] = await waitFor(() => (updates(asn.idempotencyKey).length ? updates(asn.idempotencyKey) : undefined), {
      timeoutMs: 60_000,
      what: 'the ASN written',
    });
    assert.equal(done!.outcome, 'written');
    assert.deepEqual(
      mine(fusion.written.asns).map((r) => [r['LineNumber'], r['Quantity']]),
      [
        [1, 3],
        [2, 2],
      ],
    );
    const header = mine(fusion.written.asns)[0]!['header'] as Record<string, unknown>;
    // Carrier and tracking only in documented attributes: the tracking number as BillOfLading, the carrier in Comments.
    assert.deepEqual([header['ShipmentNumber'], header['ASNType'], header['BillOfLading']], ['SB-200001', 'ASN', '9400111']);
    assert.match(String(header['Comments']), /Carrier: USPS/);
    assert.equal(header['FreightCarrierName'], undefined);
    assert.equal(header['WaybillAirbillNumber'], undefined);

    await send({ ...asn, meta: newMeta({ tenantId: TENANT, source: 'mapper' }) });
    await waitFor(() => updates(asn.idempotencyKey).length === 2, { what: 'the replay answered' });
    assert.equal(updates(asn.idempotencyKey)[1]!.outcome, 'already_written');
    assert.equal(mine(fusion.written.asns).length, 2, 'still one ASN (two lines)');
  });

  it('receipts and the close for receiving are written once each, however often they are requested', async () => {
    const receipt = command('receipt', 'receipt:s200001:l1.2', po.lines);
    const close = command('close_for_receiving', `close_for_receiving:po${po.poHeaderId}:l1.2`, po.lines, { shipmentId: null });
    for (const c of [
      receipt,
      close,
      { ...receipt, meta: newMeta({ tenantId: TENANT, source: 'mapper' }) },
      { ...close, meta: newMeta({ tenantId: TENANT, source: 'mapper' }) },
    ])
      await send(c);
    await waitFor(() => updates(close.idempotencyKey).length === 2 && updates(receipt.idempotencyKey).length === 2, {
      timeoutMs: 20_000,
      what: 'all four answered',
    });
    assert.deepEqual(
      mine(fusion.written.receipts).map((r) => [r['LineNumber'], r['Quantity']]),
      [
        [1, 3],
        [2, 2],
      ],
    );
    assert.equal(mine(fusion.written.closures).length, 1);
    assert.equal(fusion.procurement.findPo(po.poHeaderId).Status, 'Closed for Receiving');
  });

  it('a permanent refusal (over-receipt, refused when Fusion processes the receipt) is parked as an exception on the command; exceptions are recorded (DFF on request)', async () => {
    const [other] = fusion.seedPurchaseOrders({ count: 1, linesPerPo: 1, items: [{ Item: 'SKU-C' }] });
    const line = other!.lines[0]!;
    const ordered = line.schedules[0]!.Quantity;
    const over: Command = {
      ...command('receipt', `receipt:s300001:l${line.POLineId}`, [{ poLineId: String(line.POLineId), lineNumber: String(line.LineNumber), qty: ordered + 5 }]),
      poHeaderId: String(other!.POHeaderId),
      poNumber: other!.OrderNumber,
    };
    await send(over);
    const exc = await waitFor(() => decoded('ops.exception.raised.v1').find((e) => e.businessId === over.idempotencyKey), {
      timeoutMs: 20_000,
      what: 'the parked exception',
    });
    assert.equal(exc.entityType, 'fusion-po-update');
    // Fusion stages the receipt and refuses it when processing it: Oracle's message, named by PO and shipment.
    assert.equal(exc.code, 'FUSION.RECEIPT_PROCESSING_REJECTED');
    assert.equal(exc.category, 'partner-rejected');
    assert.match(
      exc.message,
      new RegExp(`^receipt for PO ${other!.OrderNumber} line ${line.LineNumber} \\(ShipBob shipment \\d+\\): .*exceeds the quantity ordered`),
    );
    assert.equal(exc.service, 'fusion-writer');
    assert.equal(fusion.written.receipts.filter((r) => String(r['POHeaderId']) === String(other!.POHeaderId)).length, 0);

    const hold = command('fulfillment_exception', 'fulfillment_exception:s200002:on_hold:l1', [po.lines[0]!], {
      shipbobStatus: 'OnHold/InvalidAddress',
      exceptionReason: 'mark-on-hold: Invalid address',
    });
    const flagged = command('fulfillment_exception', 'fulfillment_exception:s200002:exception:l1', [po.lines[0]!], {
      shipbobStatus: 'Exception/OutOfStock',
      exceptionReason: 'mark-exception: Not enough inventory',
      writeToFlexfield: true,
    });
    await send(hold);
    await send(flagged);
    await waitFor(() => updates(flagged.idempotencyKey).length === 1 && updates(hold.idempotencyKey).length === 1, { what: 'exceptions handled' });
    assert.equal(updates(hold.idempotencyKey)[0]!.outcome, 'recorded');
    assert.equal(updates(flagged.idempotencyKey)[0]!.outcome, 'written');
    const dff = mine(fusion.written.dffUpdates);
    assert.equal(dff.length, 1);
    assert.match(String(dff[0]!['shipbobFulfillmentStatus']), /OutOfStock/);
  });
});
