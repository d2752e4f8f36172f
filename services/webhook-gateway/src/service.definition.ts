import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, webhookGatewaySettings, type WebhookGatewayConfig } from './config/webhook-gateway.config';
import { AppModule } from './app.module';

const shared = (config: WebhookGatewayConfig) => [TenancyModule.forRoot(config)];
// Webhook signatures cover the exact bytes: no JSON parser may read the body before the webhooks controller does.
const http = { bodyParser: false };
export const webhookGatewayService = postgresService('webhook-gateway', webhookGatewaySettings, WEBHOOK_GATEWAY_CONFIG, shared, AppModule, { http });
