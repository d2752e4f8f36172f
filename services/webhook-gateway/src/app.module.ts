import { Module } from '@nestjs/common';
import { PostgresModule } from '@mlc/platform-service';
import { WebhooksModule } from './webhooks/webhooks.module';
import { SweepModule } from './sweep/sweep.module';
import { WEBHOOK_GATEWAY_MIGRATION_SET } from './migrations';

/** webhook-gateway: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [PostgresModule.forFeature({ migrations: WEBHOOK_GATEWAY_MIGRATION_SET }), WebhooksModule, SweepModule],
})
export class AppModule {}
