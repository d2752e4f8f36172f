import './instrument';
import { bootService } from '@mlc/platform-service';
import { webhookGatewayService } from './service.definition';

void bootService(webhookGatewayService);
