import type { BootOptions } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, webhookGatewaySettings } from './config/webhook-gateway.config';
import { AppModule } from './app.module';

/** webhook-gateway as bootService starts it: its own process (main.ts) or one of six in the combined process (services/combined). */
export const webhookGatewayService: BootOptions<typeof webhookGatewaySettings> = {
  name: 'webhook-gateway',
  schema: webhookGatewaySettings,
  usesPostgres: true,
  // Webhook signatures cover the exact bytes: no JSON parser may read the body before the webhooks controller does.
  http: { bodyParser: false },
  configToken: WEBHOOK_GATEWAY_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config)],
  module: () => AppModule,
};
