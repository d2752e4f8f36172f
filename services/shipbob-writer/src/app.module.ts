import { Module, type DynamicModule } from '@nestjs/common';
import type { ShipbobWriterConfig } from './config/shipbob-writer.config';
import { OrdersModule } from './orders/orders.module';

/** shipbob-writer: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({})
export class AppModule {
  static forConfig(_config: ShipbobWriterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [OrdersModule],
    };
  }
}
