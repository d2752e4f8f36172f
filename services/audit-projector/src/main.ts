import './instrument';
import { bootService } from '@mlc/platform-service';
import { auditProjectorService } from './service.definition';

void bootService(auditProjectorService);
