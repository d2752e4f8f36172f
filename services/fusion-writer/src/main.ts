import './instrument';
import { bootService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { FlowControlModule } from '@mlc/platform-flow-control';
import { FUSION_WRITER_CONFIG, fusionWriterSettings } from './config/fusion-writer.config';
import { AppModule } from './app.module';

void bootService({
  name: 'fusion-writer',
  schema: fusionWriterSettings,
  usesPostgres: true,
  configToken: FUSION_WRITER_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config), FlowControlModule.forService()],
  module: () => AppModule,
});
