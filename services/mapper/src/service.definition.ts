import type { BootOptions } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { MAPPER_CONFIG, mapperSettings } from './config/mapper.config';
import { AppModule } from './app.module';

/** mapper as bootService starts it: its own process (main.ts) or one of six in the combined process (services/combined). */
export const mapperService: BootOptions<typeof mapperSettings> = {
  name: 'mapper',
  schema: mapperSettings,
  usesPostgres: true,
  configToken: MAPPER_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config)],
  module: () => AppModule,
};
