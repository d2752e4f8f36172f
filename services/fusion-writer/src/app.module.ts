import { Module } from '@nestjs/common';
import { PostgresModule } from '@mlc/platform-service';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';
import { FUSION_WRITER_MIGRATION_SET } from './migrations';

/** fusion-writer: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [PostgresModule.forFeature({ migrations: FUSION_WRITER_MIGRATION_SET }), PurchaseOrdersModule, ReceivablesModule],
})
export class AppModule {}
