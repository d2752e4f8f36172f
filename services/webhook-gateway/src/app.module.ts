import { Module, type DynamicModule } from '@nestjs/common';
import type { WebhookGatewayConfig } from './config/webhook-gateway.config';
import { WebhooksModule } from './webhooks/webhooks.module';
import { SweepModule } from './sweep/sweep.module';

/** webhook-gateway: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({})
export class AppModule {
  static forConfig(_config: WebhookGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [WebhooksModule, SweepModule],
    };
  }
}
