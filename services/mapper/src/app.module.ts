import { Module } from '@nestjs/common';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ShipmentsModule } from './shipments/shipments.module';
import { ShopifyModule } from './shopify/shopify.module';

/** mapper: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [PurchaseOrdersModule, ShipmentsModule, ShopifyModule],
})
export class AppModule {}
