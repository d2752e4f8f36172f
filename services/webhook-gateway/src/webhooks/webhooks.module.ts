import { Module } from '@nestjs/common';
import { DedupRetentionModule } from '@mlc/platform-service';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { DeliveryPublisher } from './delivery.publisher';
import { WebhooksController } from './webhooks.controller';
import { WebhookFastPath } from './webhook-fast-path';
import { WebhookIntake } from './webhook-intake';

/** The webhooks feature: per-tenant ShipBob and Shopify webhook URLs, verified and published on Kafka. */
@Module({
  imports: [
    // Forgets old delivery ids hourly (the table comes from the migrator, tools/migrate.ts).
    DedupRetentionModule.forRootAsync({
      inject: [WEBHOOK_GATEWAY_CONFIG],
      useFactory: (config: WebhookGatewayConfig) => ({
        targets: [{ table: 'gateway_deliveries', column: 'published_at' }],
        days: config.webhookDeliveryRetentionDays,
      }),
    }),
  ],
  controllers: [WebhooksController],
  providers: [DeliveryPublisher, WebhookIntake, WebhookFastPath],
  exports: [DeliveryPublisher],
})
export class WebhooksModule {}
