import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { FlowControl } from '@mlc/platform-flow-control';
import { PartnerClients, TenantDirectory } from '@mlc/tenancy';
import { DryRunHandledEvents } from '../dry-run/dry-run.fetch';
import { PgProcessedEventStore } from '@mlc/platform-kafka';
import { ConsumerHost, LOGGER, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { PoUpdateDryRun } from './po-update-dry-run';
import { PoWriteService } from './po-write.service';
import { PoWritesLedger } from './po-writes.ledger';

export const PURCHASE_ORDERS_GROUP = 'fusion-writer.purchase-orders';

/** Consumes fulfilment.fusion-po-update.requested.v1: retryable Fusion failures back off, permanent ones are parked. */
@Injectable()
export class PoUpdateConsumer implements OnModuleInit {
  constructor(
    private readonly host: ConsumerHost,
    private readonly clients: PartnerClients,
    private readonly directory: TenantDirectory,
    private readonly processed: PgProcessedEventStore,
    private readonly flows: FlowControl,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(FUSION_WRITER_CONFIG) private readonly config: FusionWriterConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const deps = {
      fusion: (tenantId: string) => this.clients.fusion(tenantId),
      dffStatusSegment: this.config.poDffStatusSegment,
      receiptConfirm: { attempts: this.config.receiptConfirmAttempts, delayMs: this.config.receiptConfirmDelayMs },
      log: this.log,
    };
    const service = new PoWriteService({ ...deps, ledger: new PoWritesLedger(this.pool) });
    const dryRun = new PoUpdateDryRun(deps, this.pool);
    const dryRunHandled = new DryRunHandledEvents();
    this.host.register({
      groupId: PURCHASE_ORDERS_GROUP,
      topics: ['fulfilment.fusion-po-update.requested.v1'],
      // A command handled in dry run is not marked processed: replayed once live, it is written for real.
      processedEvents: dryRunHandled.wrap(this.processed),
      maxAttempts: this.config.poWriteMaxAttempts,
      // Held in Kafka while the tenant's Fusion flow is paused; refused credentials pause it after a few in a row.
      handler: (cmd) =>
        this.flows.guard(cmd.meta.tenantId, 'fusion', async () => {
          // settings.dryRun.purchaseOrders, read at the moment of the write (po-update-dry-run.ts).
          const tenant = await this.directory.get(cmd.meta.tenantId);
          if (tenant.settings.dryRun?.purchaseOrders !== true || !tenant.connections.fusion) return service.handle(cmd);
          dryRunHandled.add(cmd.meta.eventId);
          return dryRun.handle(cmd, tenant.connections.fusion.baseUrl);
        }),
      describe: (cmd) => ({ entityType: 'fusion-po-update', businessId: cmd.idempotencyKey }),
    });
  }
}
