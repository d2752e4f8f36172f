import type { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import type { FusionClient } from '@mlc/partners-fusion-client';
import type { OutgoingRecord } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import { dryRunRecord, recordWrites } from '@mlc/tenancy';
import { fusionOperation, fusionStandIns } from '../dry-run/fusion-dry-run';
import { ReceivablesLedger, type KnownCustomer, type ReceivablesResult } from './receivables.ledger';
import { InvoiceNotInFusionError, ReceivablesWriteService, type ExceptionSink, type ReceivablesWriteOptions } from './receivables-write.service';

type Requested = TopicRecords['accounting.fusion-receivables.requested.v1'];

/**
 * The ledger a dry-run command sees: what live runs completed (read from Postgres), plus what this one command would
 * complete, kept in memory and dropped with it. A dry run marks nothing done, so going live and replaying the
 * command writes it for real, once.
 */
class DryRunLedger extends ReceivablesLedger {
  private readonly doneHere = new Map<string, ReceivablesResult>();
  private readonly customersHere = new Map<string, KnownCustomer>();

  override async done(tenantId: string, key: string): Promise<ReceivablesResult | undefined> {
    return this.doneHere.get(`${tenantId}|${key}`) ?? super.done(tenantId, key);
  }
  override async markDone(tenantId: string, key: string, _kind: string, result: ReceivablesResult): Promise<void> {
    this.doneHere.set(`${tenantId}|${key}`, result);
  }
  override async customer(tenantId: string, shopifyCustomerId: string): Promise<KnownCustomer | undefined> {
    return this.customersHere.get(`${tenantId}|${shopifyCustomerId}`) ?? super.customer(tenantId, shopifyCustomerId);
  }
  override async saveCustomer(tenantId: string, shopifyCustomerId: string, c: KnownCustomer): Promise<void> {
    this.customersHere.set(`${tenantId}|${shopifyCustomerId}`, c);
  }
}

const WAITS_FOR_INVOICE: Record<string, string> = {
  credit_memo: 'create-credit-memo',
  invoice_paid: 'complete-invoice',
  invoice_amend: 'cancel-or-amend-invoice',
};

/**
 * A receivables command of a tenant whose receivables flow is in dry run (settings.dryRun.receivables): the same use
 * case runs against the real Fusion for its reads (customer matching, guest account, invoice and memo look-ups), its
 * writes are recorded (ops.dry-run-write.recorded.v1) instead of sent, with stand-in answers so that a new customer's
 * party and account lead on to its invoice. Exceptions are raised as live; nothing is synced (so nothing is written
 * back to Shopify), nothing is marked done, nothing waits: a refund, payment or cancellation whose invoice is not in
 * Fusion (it was only written in dry run) is recorded against that would-be invoice instead of waiting for it.
 */
export class ReceivablesDryRun {
  constructor(
    private readonly fusion: (tenantId: string) => Promise<FusionClient>,
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly options: Pick<ReceivablesWriteOptions, 'creditMemoAmountSign'>,
  ) {}

  async handle(cmd: Requested, baseUrl: string, sink?: ExceptionSink): Promise<OutgoingRecord[]> {
    const service = new ReceivablesWriteService(this.fusion, new DryRunLedger(this.pool), this.log, this.options);
    const run = await recordWrites(baseUrl, fusionStandIns, () => service.handle(cmd, sink));
    const common = {
      flow: 'receivables' as const,
      partner: 'fusion',
      entityType: 'fusion-receivables',
      businessId: cmd.idempotencyKey,
      shopifyOrderId: cmd.shopifyOrderId ?? null,
    };
    const records: OutgoingRecord[] = run.writes.map((w, i) =>
      dryRunRecord(cmd.meta, 'fusion-writer', {
        ...w,
        ...common,
        operation: fusionOperation(w),
        note: i < run.writes.length - 1 ? 'answered in dry run with stand-in ids (DRYRUN-<n>) so that the next write could be shown' : null,
      }),
    );
    if (run.error instanceof InvoiceNotInFusionError) {
      records.push(
        dryRunRecord(cmd.meta, 'fusion-writer', {
          ...common,
          operation: WAITS_FOR_INVOICE[cmd.kind] ?? cmd.kind,
          method: 'POST',
          path: `(against invoice ${run.error.crossReference})`,
          body: cmd.document,
          note: `invoice ${run.error.crossReference} is not in Fusion (in dry run it is only a would-be write): live, this ${cmd.kind} waits for it and is written right after it; shown here is the command's document`,
        }),
      );
      return records;
    }
    if (run.error !== undefined) throw run.error;
    // Exceptions raised on the way stay; the synced record (stand-in numbers) and released commands do not.
    const kept = (run.result ?? []).filter((o) => o.topic === 'ops.exception.raised.v1');
    this.log.info('receivables command handled in dry run', {
      tenantId: cmd.meta.tenantId,
      kind: cmd.kind,
      idempotencyKey: cmd.idempotencyKey,
      wouldBeWrites: run.writes.length,
      stoppedAtWrite: run.halted,
    });
    return [...records, ...kept];
  }
}
