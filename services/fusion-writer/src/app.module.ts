import { Module, type DynamicModule } from '@nestjs/common';
import type { FusionWriterConfig } from './config/fusion-writer.config';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';

/** fusion-writer: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({})
export class AppModule {
  static forConfig(_config: FusionWriterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PurchaseOrdersModule, ReceivablesModule],
    };
  }
}
