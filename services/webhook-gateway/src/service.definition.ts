import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, webhookGatewaySettings } from './config/webhook-gateway.config';
import { AppModule } from './app.module';

export const webhookGatewayService = postgresService(
  'webhook-gateway',
  webhookGatewaySettings,
  WEBHOOK_GATEWAY_CONFIG,
  (config) => [TenancyModule.forRoot(config)],
  AppModule,
  {
    // Webhook signatures cover the exact bytes: no JSON parser may read the body before the webhooks controller does.
    http: { bodyParser: false },
  },
);
