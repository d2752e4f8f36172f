import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { FlowControlModule } from '@mlc/platform-flow-control';
import { FUSION_WRITER_CONFIG, fusionWriterSettings, type FusionWriterConfig } from './config/fusion-writer.config';
import { AppModule } from './app.module';

const shared = (config: FusionWriterConfig) => [TenancyModule.forRoot(config), FlowControlModule.forService()];
export const fusionWriterService = postgresService('fusion-writer', fusionWriterSettings, FUSION_WRITER_CONFIG, shared, AppModule);
