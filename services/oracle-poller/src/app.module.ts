import { Module, type DynamicModule } from '@nestjs/common';
import type { OraclePollerConfig } from './config/oracle-poller.config';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';
import { PollingModule } from './polling/polling.module';

/** oracle-poller: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({})
export class AppModule {
  static forConfig(_config: OraclePollerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PollingModule, PurchaseOrdersModule, ReceivablesModule],
    };
  }
}
