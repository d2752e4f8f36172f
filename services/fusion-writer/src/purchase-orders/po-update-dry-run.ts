import type { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import type { OutgoingRecord } from '@mlc/platform-kafka';
import { dryRunRecord, recordWrites } from '@mlc/tenancy';
import { fusionOperation, fusionStandIns } from '../dry-run/fusion-dry-run';
import { PoWriteService, type PoWriteDeps } from './po-write.service';
import { PoWritesLedger } from './po-writes.ledger';

type Command = TopicRecords['fulfilment.fusion-po-update.requested.v1'];

/** Reads what live runs did; records nothing (a dry run starts, finishes and fails nothing). */
class DryRunPoLedger extends PoWritesLedger {
  override async start(): Promise<void> {}
  override async done(): Promise<void> {}
  override async failed(): Promise<void> {}
}

/**
 * A PO write-back (ASN, receipt, note, DFF, close for receiving) of a tenant whose purchase-orders flow is in dry run
 * (settings.dryRun.purchaseOrders): the look-ups run against Fusion, the write is recorded as
 * ops.dry-run-write.recorded.v1 instead of sent, nothing is marked in the PO writes ledger and no
 * fulfilment.fusion-po.updated.v1 is published (mapper would take it for a real receipt). Replayed once live
 * (`mlc replay range --flow po-updates`), the command writes for real, once.
 */
export class PoUpdateDryRun {
  private readonly service: PoWriteService;

  constructor(deps: Omit<PoWriteDeps, 'ledger'>, pool: Pool) {
    this.service = new PoWriteService({ ...deps, ledger: new DryRunPoLedger(pool) });
  }

  async handle(cmd: Command, baseUrl: string): Promise<OutgoingRecord[]> {
    const run = await recordWrites(baseUrl, fusionStandIns, () => this.service.handle(cmd));
    if (run.error !== undefined) throw run.error;
    const kept = (run.result ?? []).filter((o) => o.topic === 'ops.exception.raised.v1');
    return [
      ...run.writes.map((w) =>
        dryRunRecord(cmd.meta, 'fusion-writer', {
          ...w,
          flow: 'purchase-orders',
          partner: 'fusion',
          operation: fusionOperation(w),
          entityType: 'fusion-po-update',
          businessId: cmd.idempotencyKey,
          poHeaderId: cmd.poHeaderId,
        }),
      ),
      ...kept,
    ];
  }
}
