import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { FlowControl } from '@mlc/platform-flow-control';
import { PartnerClients } from '@mlc/tenancy';
import { PgProcessedEventStore } from '@mlc/platform-kafka';
import { ConsumerHost, LOGGER, PG_POOL, runSqlMigrations } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { ReceivablesLedger } from './receivables.ledger';
import { RECEIVABLES_MIGRATIONS } from './receivables.migrations';
import { ReceivablesWriteService } from './receivables-write.service';

export const RECEIVABLES_GROUP = 'fusion-writer.receivables';

/** Wires the receivables use case to Kafka: accounting.fusion-receivables.requested.v1 → Fusion → ….synced.v1. */
@Injectable()
export class ReceivablesConsumer implements OnModuleInit {
  constructor(
    private readonly host: ConsumerHost,
    private readonly clients: PartnerClients,
    private readonly processed: PgProcessedEventStore,
    private readonly flows: FlowControl,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(FUSION_WRITER_CONFIG) private readonly config: FusionWriterConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await runSqlMigrations(this.pool, RECEIVABLES_GROUP, RECEIVABLES_MIGRATIONS);
    const service = new ReceivablesWriteService((t) => this.clients.fusion(t), new ReceivablesLedger(this.pool), this.log, { creditMemoAmountSign: this.config.creditMemoAmountSign });
    this.host.register({
      groupId: RECEIVABLES_GROUP,
      topics: ['accounting.fusion-receivables.requested.v1'],
      processedEvents: this.processed,
      // One record at a time per partition keeps an order's commands in sequence (they share a key).
      partitionsConsumedConcurrently: 1,
      maxAttempts: 8,
      // Held in Kafka while the tenant's Fusion flow is paused; refused credentials pause it after a few in a row.
      handler: (value, ctx) => this.flows.guard(value.meta.tenantId, 'fusion', () => service.handle(value, ctx)),
      describe: (value) => ({ entityType: 'fusion-receivables', businessId: value.idempotencyKey }),
    });
  }
}
