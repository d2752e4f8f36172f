import { Module } from '@nestjs/common';
import { DedupRetentionModule, PostgresModule } from '@mlc/platform-service';
import { MAPPER_CONFIG, MAPPER_RETENTION_TARGETS, type MapperConfig } from './config/mapper.config';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ShipmentsModule } from './shipments/shipments.module';
import { ShopifyModule } from './shopify/shopify.module';
import { MAPPER_MIGRATION_SET } from './migrations';

/** mapper: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [
    PostgresModule.forFeature({ migrations: MAPPER_MIGRATION_SET }),
    PurchaseOrdersModule,
    ShipmentsModule,
    ShopifyModule,
    DedupRetentionModule.forRootAsync({
      inject: [MAPPER_CONFIG],
      useFactory: (config: MapperConfig) => ({ targets: MAPPER_RETENTION_TARGETS, days: config.dedupRetentionDays }),
    }),
  ],
})
export class AppModule {}
