import './instrument';
import { bootService } from '@mlc/platform-service';
import { oraclePollerService } from './service.definition';

void bootService(oraclePollerService);
