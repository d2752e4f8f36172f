import { Module } from '@nestjs/common';
import { WebhooksModule } from './webhooks/webhooks.module';
import { SweepModule } from './sweep/sweep.module';

/** webhook-gateway: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [WebhooksModule, SweepModule],
})
export class AppModule {}
