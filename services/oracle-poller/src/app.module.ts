import { Module } from '@nestjs/common';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';
import { PollingModule } from './polling/polling.module';

/** oracle-poller: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [PollingModule, PurchaseOrdersModule, ReceivablesModule],
})
export class AppModule {}
