import { Module } from '@nestjs/common';
import { OrdersModule } from './orders/orders.module';

/** shipbob-writer: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [OrdersModule],
})
export class AppModule {}
