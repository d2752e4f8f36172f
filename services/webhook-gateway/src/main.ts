import './instrument';
import { bootService } from '@mlc/platform-service';
import { webhookGatewaySettings } from './config/webhook-gateway.config';
import { AppModule } from './app.module';

void bootService({
  name: 'webhook-gateway',
  schema: webhookGatewaySettings,
  usesPostgres: true,
  module: (config) => AppModule.forConfig(config),
});
