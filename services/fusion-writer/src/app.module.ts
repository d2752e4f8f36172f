import { Global, Module, type DynamicModule } from '@nestjs/common';
import { FlowControlModule } from '@mlc/platform-flow-control';
import { TenancyModule } from '@mlc/tenancy';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from './config/fusion-writer.config';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';

/** fusion-writer: the platform (Kafka, health, metrics) comes from bootService; tenants and features are wired here. */
@Global()
@Module({})
export class AppModule {
  static forConfig(config: FusionWriterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [TenancyModule.forRoot(config), FlowControlModule.forService(), PurchaseOrdersModule, ReceivablesModule],
      providers: [{ provide: FUSION_WRITER_CONFIG, useValue: config }],
      exports: [FUSION_WRITER_CONFIG],
    };
  }
}
