import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DedupRetentionModule } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { MAPPER_CONFIG, MAPPER_RETENTION_TARGETS, type MapperConfig } from './config/mapper.config';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ShipmentsModule } from './shipments/shipments.module';
import { ShopifyModule } from './shopify/shopify.module';

/** mapper: the platform (Kafka, health, metrics) comes from bootService; tenants and features are wired here. */
@Global()
@Module({})
export class AppModule {
  static forConfig(config: MapperConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TenancyModule.forRoot(config),
        PurchaseOrdersModule,
        ShipmentsModule,
        ShopifyModule,
        DedupRetentionModule.forRoot({ targets: MAPPER_RETENTION_TARGETS, days: config.dedupRetentionDays }),
      ],
      providers: [{ provide: MAPPER_CONFIG, useValue: config }],
      exports: [MAPPER_CONFIG],
    };
  }
}
