import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PgProcessedEventStore } from '@mlc/platform-kafka';
import { LOGGER, PG_POOL, poolProvider } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { DryRunHandledEvents, PartnerClients, TenantDirectory } from '@mlc/tenancy';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { RECEIVABLES_DRY_RUN_HANDLED, RECEIVABLES_PROCESSED_EVENTS, ReceivablesController } from './receivables.controller';
import { ReceivablesDryRun } from './receivables-dry-run';
import { ReceivablesLedger } from './receivables.ledger';
import { ReceivablesWaitingStore } from './receivables.waiting';
import { ReceivablesWaitingController, WaitingOperatorGuard } from './receivables-waiting.controller';
import { ReceivablesWriteService } from './receivables-write.service';
import { ShopifyWriteBackController } from './shopify-write-back.controller';
import { ShopifyWriteBackService } from './shopify-write-back';
import { WriteClaims } from '../write-claims';

/**
 * The receivables feature of fusion-writer: Shopify-derived customers, invoices and credit memos into Fusion, and
 * (tenant switch settings.shopifyWriteBack) the Fusion invoice number written back onto the Shopify order.
 */
@Module({
  controllers: [ReceivablesController, ShopifyWriteBackController, ReceivablesWaitingController],
  providers: [
    WaitingOperatorGuard,
    poolProvider(ReceivablesWaitingStore),
    poolProvider(ReceivablesLedger),
    {
      provide: ReceivablesWriteService,
      useFactory: (clients: PartnerClients, ledger: ReceivablesLedger, waiting: ReceivablesWaitingStore, config: FusionWriterConfig, log: Logger, pool: Pool) =>
        new ReceivablesWriteService((t) => clients.fusion(t), ledger, log, {
          creditMemoAmountSign: config.creditMemoAmountSign,
          waiting: { store: waiting, maxWaitMs: config.receivablesMaxWaitMs },
          claims: new WriteClaims(pool),
        }),
      inject: [PartnerClients, ReceivablesLedger, ReceivablesWaitingStore, FUSION_WRITER_CONFIG, LOGGER, PG_POOL],
    },
    {
      provide: ReceivablesDryRun,
      useFactory: (clients: PartnerClients, pool: Pool, config: FusionWriterConfig, log: Logger) =>
        new ReceivablesDryRun((t) => clients.fusion(t), pool, log, { creditMemoAmountSign: config.creditMemoAmountSign }),
      inject: [PartnerClients, PG_POOL, FUSION_WRITER_CONFIG, LOGGER],
    },
    { provide: RECEIVABLES_DRY_RUN_HANDLED, useFactory: () => new DryRunHandledEvents() },
    {
      provide: RECEIVABLES_PROCESSED_EVENTS,
      useFactory: (handled: DryRunHandledEvents, store: PgProcessedEventStore) => handled.wrap(store),
      inject: [RECEIVABLES_DRY_RUN_HANDLED, PgProcessedEventStore],
    },
    {
      provide: ShopifyWriteBackService,
      useFactory: (clients: PartnerClients, directory: TenantDirectory, log: Logger) => new ShopifyWriteBackService(clients, directory, log),
      inject: [PartnerClients, TenantDirectory, LOGGER],
    },
  ],
})
export class ReceivablesModule {}
