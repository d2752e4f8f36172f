import { Module, type DynamicModule } from '@nestjs/common';
import type { MapperConfig } from './config/mapper.config';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ShipmentsModule } from './shipments/shipments.module';
import { ShopifyModule } from './shopify/shopify.module';

/** mapper: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({})
export class AppModule {
  static forConfig(_config: MapperConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PurchaseOrdersModule, ShipmentsModule, ShopifyModule],
    };
  }
}
