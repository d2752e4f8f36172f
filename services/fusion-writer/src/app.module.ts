import { Module } from '@nestjs/common';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';

/** fusion-writer: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [PurchaseOrdersModule, ReceivablesModule],
})
export class AppModule {}
