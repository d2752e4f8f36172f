import './instrument';
import { bootService } from '@mlc/platform-service';
import { webhookGatewaySettings } from './config/webhook-gateway.config';
import { AppModule } from './app.module';

void bootService({
  name: 'webhook-gateway',
  schema: webhookGatewaySettings,
  usesPostgres: true,
  // Webhook signatures cover the exact bytes: no JSON parser may read the body before the webhooks controller does.
  http: { bodyParser: false },
  module: (config) => AppModule.forConfig(config),
});
