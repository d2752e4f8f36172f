import './instrument';
import { bootService } from '@mlc/platform-service';
import { mapperService } from './service.definition';

void bootService(mapperService);
