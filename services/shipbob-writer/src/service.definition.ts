import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { FlowControlModule } from '@mlc/platform-flow-control';
import { SHIPBOB_WRITER_CONFIG, shipbobWriterSettings, type ShipbobWriterConfig } from './config/shipbob-writer.config';
import { AppModule } from './app.module';

const shared = (config: ShipbobWriterConfig) => [TenancyModule.forRoot(config), FlowControlModule.forService()];
export const shipbobWriterService = postgresService('shipbob-writer', shipbobWriterSettings, SHIPBOB_WRITER_CONFIG, shared, AppModule);
