import type { BootOptions } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { FlowControlModule } from '@mlc/platform-flow-control';
import { SHIPBOB_WRITER_CONFIG, shipbobWriterSettings } from './config/shipbob-writer.config';
import { AppModule } from './app.module';

/** shipbob-writer as bootService starts it: its own process (main.ts) or one of six in the combined process (services/combined). */
export const shipbobWriterService: BootOptions<typeof shipbobWriterSettings> = {
  name: 'shipbob-writer',
  schema: shipbobWriterSettings,
  usesPostgres: true,
  configToken: SHIPBOB_WRITER_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config), FlowControlModule.forService()],
  module: () => AppModule,
};
