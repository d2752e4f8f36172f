import './instrument';
import { bootService } from '@mlc/platform-service';
import { fusionWriterService } from './service.definition';

void bootService(fusionWriterService);
