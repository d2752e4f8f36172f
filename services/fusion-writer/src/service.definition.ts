import type { BootOptions } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { FlowControlModule } from '@mlc/platform-flow-control';
import { FUSION_WRITER_CONFIG, fusionWriterSettings } from './config/fusion-writer.config';
import { AppModule } from './app.module';

/** fusion-writer as bootService starts it: its own process (main.ts) or one of six in the combined process (services/combined). */
export const fusionWriterService: BootOptions<typeof fusionWriterSettings> = {
  name: 'fusion-writer',
  schema: fusionWriterSettings,
  usesPostgres: true,
  configToken: FUSION_WRITER_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config), FlowControlModule.forService()],
  module: () => AppModule,
};
