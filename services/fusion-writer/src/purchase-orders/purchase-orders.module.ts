import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PgProcessedEventStore } from '@mlc/platform-kafka';
import { LOGGER, PG_POOL, poolProvider } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { DryRunHandledEvents, PartnerClients } from '@mlc/tenancy';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { PO_DRY_RUN_HANDLED, PO_PROCESSED_EVENTS, PoUpdateController } from './po-update.controller';
import { PoUpdateDryRun } from './po-update-dry-run';
import { PoWriteService, type PoWriteDeps } from './po-write.service';
import { PoWritesLedger } from './po-writes.ledger';
import { WriteClaims } from '../write-claims';

const PO_WRITE_DEPS = Symbol('PO_WRITE_DEPS');

/** The purchase-orders feature of fusion-writer: ASNs, receipts, close for receiving and exceptions on Fusion POs. */
@Module({
  controllers: [PoUpdateController],
  providers: [
    {
      provide: PO_WRITE_DEPS,
      useFactory: (clients: PartnerClients, config: FusionWriterConfig, log: Logger): Omit<PoWriteDeps, 'ledger'> => ({
        fusion: (tenantId: string) => clients.fusion(tenantId),
        dffStatusSegment: config.poDffStatusSegment,
        receiptConfirm: { attempts: config.receiptConfirmAttempts, delayMs: config.receiptConfirmDelayMs },
        log,
      }),
      inject: [PartnerClients, FUSION_WRITER_CONFIG, LOGGER],
    },
    poolProvider(PoWritesLedger),
    {
      provide: PoWriteService,
      useFactory: (deps: Omit<PoWriteDeps, 'ledger'>, ledger: PoWritesLedger, pool: Pool) =>
        new PoWriteService({ ...deps, ledger, claims: new WriteClaims(pool) }),
      inject: [PO_WRITE_DEPS, PoWritesLedger, PG_POOL],
    },
    {
      provide: PoUpdateDryRun,
      useFactory: (deps: Omit<PoWriteDeps, 'ledger'>, pool: Pool) => new PoUpdateDryRun(deps, pool),
      inject: [PO_WRITE_DEPS, PG_POOL],
    },
    { provide: PO_DRY_RUN_HANDLED, useFactory: () => new DryRunHandledEvents() },
    {
      provide: PO_PROCESSED_EVENTS,
      useFactory: (handled: DryRunHandledEvents, store: PgProcessedEventStore) => handled.wrap(store),
      inject: [PO_DRY_RUN_HANDLED, PgProcessedEventStore],
    },
  ],
})
export class PurchaseOrdersModule {}
