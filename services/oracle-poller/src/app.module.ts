import { Module } from '@nestjs/common';
import { PostgresModule } from '@mlc/platform-service';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';
import { PollingModule } from './polling/polling.module';
import { ORACLE_POLLER_MIGRATION_SET } from './migrations';

/** oracle-poller: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [PostgresModule.forFeature({ migrations: ORACLE_POLLER_MIGRATION_SET }), PollingModule, PurchaseOrdersModule, ReceivablesModule],
})
export class AppModule {}
