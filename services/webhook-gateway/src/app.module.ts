import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TenancyModule } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from './config/webhook-gateway.config';
import { WebhooksModule } from './webhooks/webhooks.module';
import { SweepModule } from './sweep/sweep.module';

/** webhook-gateway: the platform (Kafka, health, metrics) comes from bootService; tenants and features are wired here. */
@Global()
@Module({})
export class AppModule {
  static forConfig(config: WebhookGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [TenancyModule.forRoot(config), WebhooksModule, SweepModule],
      providers: [{ provide: WEBHOOK_GATEWAY_CONFIG, useValue: config }],
      exports: [WEBHOOK_GATEWAY_CONFIG],
    };
  }
}
