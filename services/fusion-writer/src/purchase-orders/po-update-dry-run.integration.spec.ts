import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import { FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox, type PurchaseOrder } from '@mlc/partners-fusion-simulator';
import { newMeta } from '@mlc/platform-kafka';
import { logger } from '@mlc/platform-telemetry';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { PoUpdateDryRun } from './po-update-dry-run';
import { PoWriteService } from './po-write.service';
import { PoWritesLedger } from './po-writes.ledger';

type Command = TopicRecords['fulfilment.fusion-po-update.requested.v1'];
type WouldBe = TopicRecords['ops.dry-run-write.recorded.v1'];

/**
 * A PO write-back in dry run against the Fusion sandbox and the real ledger in Postgres: the receipt is recorded with
 * its exact body, Fusion receives nothing and the ledger keeps nothing; the same command run live afterwards writes
 * the receipt once.
 */
describe('PO write-backs in dry run', () => {
  const sandbox = new FusionSandbox({ seed: 23, receiptProcessingDelayMs: 0 });
  let db: TestDatabase;
  let pool: Pool;
  let client: FusionClient;
  const deps = () => ({
    fusion: async () => client,
    dffStatusSegment: 'shipbobFulfillmentStatus',
    receiptConfirm: { attempts: 3, delayMs: 10 },
    log: logger('test', 'error'),
  });

  const command = (po: PurchaseOrder): Command => ({
    meta: newMeta({ tenantId: 't-dry', source: 'test' }),
    kind: 'receipt',
    idempotencyKey: `receipt:s77:l${po.lines[0]!.POLineId}`,
    poHeaderId: String(po.POHeaderId),
    poNumber: po.OrderNumber,
    referenceId: `po${po.POHeaderId}-l${po.lines[0]!.POLineId}`,
    shipbobOrderId: '9001',
    shipmentId: '77',
    shipbobStatus: 'Completed',
    carrier: 'USPS',
    trackingNumber: '9400100000000000000077',
    trackingUrl: null,
    eventAt: '2026-12-01T10:00:00Z',
    lines: [{ poLineId: String(po.lines[0]!.POLineId), lineNumber: String(po.lines[0]!.LineNumber), itemNumber: po.lines[0]!.Item, quantity: '1', uom: null }],
    exceptionReason: null,
    writeToFlexfield: false,
    poNote: null,
  });

  before(async () => {
    db = await testDatabase('fw_po_dry_run');
    pool = new Pool({ connectionString: db.url });
    await sandbox.listen(0);
    client = new FusionClient({ baseUrl: sandbox.url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
  });
  after(async () => {
    await sandbox.close();
    await pool?.end();
    await db?.drop();
  });

  it('records the receipt instead of writing it, keeps no ledger row, and the live run afterwards writes it once', async () => {
    const [po] = sandbox.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 5 });
    const cmd = command(po!);
    const out = await new PoUpdateDryRun(deps(), pool).handle(cmd, sandbox.url);
    assert.deepEqual(
      out.map((o) => o.topic),
      ['ops.dry-run-write.recorded.v1'],
    );
    const w = out[0]!.value as WouldBe;
    assert.equal(w.flow, 'purchase-orders');
    assert.equal(w.operation, 'create-receipt-request');
    assert.equal(w.method, 'POST');
    assert.match(w.path, /\/receivingReceiptRequests$/);
    assert.equal(w.businessId, cmd.idempotencyKey);
    assert.match(w.body ?? '', /SB-77/);
    assert.equal(sandbox.written.receipts.filter((r) => r['POHeaderId'] === po!.POHeaderId).length, 0, 'nothing received in Fusion');
    assert.equal(await new PoWritesLedger(pool).get('t-dry', cmd.idempotencyKey), undefined, 'no ledger row');

    const live = new PoWriteService({ ...deps(), ledger: new PoWritesLedger(pool) });
    const first = await live.handle(cmd);
    assert.equal((first[0]!.value as { outcome: string }).outcome, 'written');
    await live.handle(cmd);
    assert.equal(sandbox.written.receipts.filter((r) => r['POHeaderId'] === po!.POHeaderId).length, 1, 'written once');
  });
});
