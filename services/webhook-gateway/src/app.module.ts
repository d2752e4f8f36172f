import { Module, type DynamicModule } from '@nestjs/common';
import type { WebhookGatewayConfig } from './config/webhook-gateway.config';

@Module({})
export class AppModule {
  static forConfig(config: WebhookGatewayConfig): DynamicModule {
    return { module: AppModule, providers: [{ provide: 'CONFIG', useValue: config }] };
  }
}
