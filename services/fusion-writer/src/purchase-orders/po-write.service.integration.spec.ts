import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import { FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox, type PurchaseOrder } from '@mlc/partners-fusion-simulator';
import { AppError, errorCategory } from '@mlc/platform-errors';
import { newMeta, type OutgoingRecord } from '@mlc/platform-kafka';
import { logger } from '@mlc/platform-telemetry';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { PoWriteService } from './po-write.service';
import { PoWritesLedger } from './po-writes.ledger';

type Command = TopicRecords['fulfilment.fusion-po-update.requested.v1'];
type Updated = TopicRecords['fulfilment.fusion-po.updated.v1'];

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

/**
 * Receipts are confirmed: the POST to receivingReceiptRequests only stages interface records, so the writer reads the
 * request back until Fusion processed it. Against the Fusion sandbox (receiving processor on the sandbox clock) and
 * the real ledger in Postgres.
 */
describe('PoWriteService: receipts and ASNs are done only once Fusion processed them', () => {
  // The receiving processor runs 10 s (sandbox clock) after a POST; the writer's waits move that clock.
  const sandbox = new FusionSandbox({ seed: 21, receiptProcessingDelayMs: 10_000 });
  let db: TestDatabase;
  let pool: Pool;
  let client: FusionClient;
  const waits: number[] = [];
  const service = (attempts: number) =>
    new PoWriteService({
      ledger: new PoWritesLedger(pool),
      fusion: async () => client,
      dffStatusSegment: 'shipbobFulfillmentStatus',
      receiptConfirm: {
        attempts,
        delayMs: 1_000,
        maxDelayMs: 4_000,
        sleep: async (ms) => {
          waits.push(ms);
          sandbox.advanceClock(ms);
        },
      },
      log: logger('test', 'error'),
    });

  const command = (po: PurchaseOrder, shipmentId: string, kind: Command['kind'] = 'receipt'): Command => ({
    meta: newMeta({ tenantId: 't1', source: 'test' }),
    kind,
    idempotencyKey: `${kind}:s${shipmentId}:l${po.lines[0]!.POLineId}`,
    poHeaderId: String(po.POHeaderId),
    poNumber: po.OrderNumber,
    referenceId: `po${po.POHeaderId}-l${po.lines[0]!.POLineId}`,
    shipbobOrderId: '9001',
    shipmentId,
    shipbobStatus: 'Completed',
    carrier: 'USPS',
    trackingNumber: '9400100000000000000001',
    trackingUrl: null,
    eventAt: '2026-12-01T10:00:00Z',
    lines: [{ poLineId: String(po.lines[0]!.POLineId), lineNumber: String(po.lines[0]!.LineNumber), itemNumber: po.lines[0]!.Item, quantity: '1', uom: null }],
    exceptionReason: null,
    writeToFlexfield: false,
    poNote: null,
  });
  const posts = (shipmentId: string) =>
    sandbox
      .requests()
      .filter(
        (r) => r.method === 'POST' && r.path.endsWith('/receivingReceiptRequests') && r.status === 201 && String(r.body ?? '').includes(`SB-${shipmentId}`),
      ).length;
  const receiptsOf = (po: PurchaseOrder) => sandbox.written.receipts.filter((r) => r['POHeaderId'] === po.POHeaderId);
  const value = (out: OutgoingRecord[]) => {
    assert.equal(out.length, 1);
    assert.equal(out[0]!.topic, 'fulfilment.fusion-po.updated.v1');
    return out[0]!.value as Updated;
  };

  before(async () => {
    db = await testDatabase('fw_po_writes');
    pool = new Pool({ connectionString: db.url });
    const url = await sandbox.listen(0);
    client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
  });
  after(async () => {
    await sandbox.close();
    await pool?.end();
    await db?.drop();
  });

  it('pending, then processed within the read-back: reported written once, with Fusion’s status; a replay writes nothing', async () => {
    const [po] = sandbox.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 1 });
    waits.length = 0;
    const first = value(await service(4).handle(command(po!, '501')));
    assert.deepEqual([first.outcome, first.processingStatus], ['written', 'SUCCESS']);
    assert.deepEqual(waits, [1_000, 2_000, 4_000, 4_000], 'read back with a doubling, capped wait until the processor ran (10 s)');
    assert.equal(receiptsOf(po!).length, 1);
    const again = value(await service(4).handle(command(po!, '501')));
    assert.equal(again.outcome, 'already_written');
    assert.deepEqual([posts('501'), receiptsOf(po!).length], [1, 1], 'one POST, one receipt');
  });

  it('still pending after the bound: a retryable error and no result; the retry finds the request by ShipmentNumber and reports it once processed, without a second POST', async () => {
    const [po] = sandbox.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 2 });
    const err = await rejection(service(1).handle(command(po!, '502')));
    assert.equal(err.code, 'FUSION.RECEIPT_PENDING_TIMEOUT');
    assert.equal(err.retryable, true);
    assert.match(err.message, new RegExp(`receipt for PO ${po!.OrderNumber} line 1 \\(ShipBob shipment 502\\): receipt request \\d+ is still PENDING`));
    assert.equal(receiptsOf(po!).length, 0, 'pending is not received');
    // Still pending on the next attempt: retryable again, still one POST.
    assert.equal((await rejection(service(0).handle(command(po!, '502')))).code, 'FUSION.RECEIPT_PENDING_TIMEOUT');
    sandbox.advanceClock(10_000);
    const done = value(await service(1).handle(command(po!, '502')));
    assert.deepEqual([done.outcome, done.processingStatus], ['already_written', 'SUCCESS']);
    assert.deepEqual([posts('502'), receiptsOf(po!).length], [1, 1]);
  });

  it('a processing error (PO on hold when Fusion processed it) is a parked exception carrying Oracle’s message; a replay raises it again and never posts a second time', async () => {
    const [po] = sandbox.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 3 });
    const pending = await rejection(service(0).handle(command(po!, '503')));
    assert.equal(pending.code, 'FUSION.RECEIPT_PENDING_TIMEOUT');
    sandbox.procurement.setPoStatus(sandbox.procurement.findPo(String(po!.POHeaderId)), 'On Hold');
    sandbox.advanceClock(10_000);
    for (let i = 0; i < 2; i++) {
      const err = await rejection(service(2).handle(command(po!, '503')));
      assert.equal(err.code, 'FUSION.RECEIPT_PROCESSING_REJECTED');
      assert.equal(err.retryable, false, 'parked, not retried');
      assert.equal(errorCategory(err), 'partner-rejected');
      assert.match(
        err.message,
        new RegExp(
          `^receipt for PO ${po!.OrderNumber} line 1 \\(ShipBob shipment 503\\): .*purchase order ${po!.OrderNumber} has status On Hold and can't be received against\\.`,
        ),
      );
    }
    assert.deepEqual([posts('503'), receiptsOf(po!).length], [1, 0], 'one POST, nothing received');
    const row = await new PoWritesLedger(pool).get('t1', command(po!, '503').idempotencyKey);
    assert.equal(row?.state, 'failed');
  });

  it('an ASN is confirmed the same way (SHIP lines, ASN header)', async () => {
    const [po] = sandbox.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 4 });
    const out = value(await service(4).handle(command(po!, '504', 'advance_shipment_notice')));
    assert.deepEqual([out.kind, out.outcome, out.processingStatus], ['advance_shipment_notice', 'written', 'SUCCESS']);
    assert.equal(sandbox.written.asns.filter((r) => r['POHeaderId'] === po!.POHeaderId).length, 1);
  });

  it('a shipment problem with a PO note: draftPurchaseOrders PATCH of NoteToReceiver, accepted by the strict sandbox', async () => {
    const [po] = sandbox.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 5 });
    const cmd = {
      ...command(po!, '505', 'fulfillment_exception'),
      poNote: 'ShipBob shipment 505 is on hold: Invalid address',
      exceptionReason: 'mark-on-hold: Invalid address',
    };
    const out = value(await service(1).handle(cmd));
    assert.equal(out.outcome, 'written');
    assert.equal(sandbox.procurement.findPo(String(po!.POHeaderId)).NoteToReceiver, 'ShipBob shipment 505 is on hold: Invalid address');
    const noNote = value(await service(1).handle({ ...command(po!, '506', 'fulfillment_exception'), idempotencyKey: 'fulfillment_exception:s506:on_hold' }));
    assert.equal(noNote.outcome, 'recorded', 'tenant switch off: only recorded');
  });
});
