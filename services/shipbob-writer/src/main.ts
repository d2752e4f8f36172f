import './instrument';
import { bootService } from '@mlc/platform-service';
import { shipbobWriterService } from './service.definition';

void bootService(shipbobWriterService);
