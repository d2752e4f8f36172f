import { Controller, Inject } from '@nestjs/common';
import type { TopicRecords } from '@mlc/contracts';
import { FlowControl } from '@mlc/platform-flow-control';
import type { OutgoingRecord } from '@mlc/platform-kafka';
import { KafkaHandler } from '@mlc/platform-service';
import { DryRunHandledEvents, TenantDirectory } from '@mlc/tenancy';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { PoUpdateDryRun } from './po-update-dry-run';
import { PoWriteService } from './po-write.service';

export const PURCHASE_ORDERS_GROUP = 'fusion-writer.purchase-orders';
/** The commands this consumer handled in dry run (not marked processed: replayed once live, they are written for real). */
export const PO_DRY_RUN_HANDLED = Symbol('PO_DRY_RUN_HANDLED');
/** The processed-events store of this consumer: PgProcessedEventStore, minus what ran in dry run. */
export const PO_PROCESSED_EVENTS = Symbol('PO_PROCESSED_EVENTS');

/** Consumes fulfilment.fusion-po-update.requested.v1: retryable Fusion failures back off, permanent ones are parked. */
@Controller()
export class PoUpdateController {
  constructor(
    private readonly service: PoWriteService,
    private readonly dryRun: PoUpdateDryRun,
    private readonly directory: TenantDirectory,
    private readonly flows: FlowControl,
    @Inject(PO_DRY_RUN_HANDLED) private readonly dryRunHandled: DryRunHandledEvents,
  ) {}

  @KafkaHandler('fulfilment.fusion-po-update.requested.v1', {
    consumer: PURCHASE_ORDERS_GROUP,
    processedEvents: PO_PROCESSED_EVENTS,
    settings: (get) => ({ maxAttempts: get<FusionWriterConfig>(FUSION_WRITER_CONFIG).poWriteMaxAttempts }),
    describe: (cmd) => ({ entityType: 'fusion-po-update', businessId: cmd.idempotencyKey }),
  })
  onRequested(cmd: TopicRecords['fulfilment.fusion-po-update.requested.v1']): Promise<OutgoingRecord[]> {
    // Held in Kafka while the tenant's Fusion flow is paused; refused credentials pause it after a few in a row.
    return this.flows.guard(cmd.meta.tenantId, 'fusion', async () => {
      // settings.dryRun.purchaseOrders, read at the moment of the write (po-update-dry-run.ts).
      const tenant = await this.directory.get(cmd.meta.tenantId);
      if (tenant.settings.dryRun?.purchaseOrders !== true || !tenant.connections.fusion) return this.service.handle(cmd);
      this.dryRunHandled.add(cmd.meta.eventId);
      return this.dryRun.handle(cmd, tenant.connections.fusion.baseUrl);
    });
  }
}
