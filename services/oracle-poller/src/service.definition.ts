import type { BootOptions } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { ORACLE_POLLER_CONFIG, oraclePollerSettings } from './config/oracle-poller.config';
import { AppModule } from './app.module';

/** oracle-poller as bootService starts it: its own process (main.ts) or one of six in the combined process (services/combined). */
export const oraclePollerService: BootOptions<typeof oraclePollerSettings> = {
  name: 'oracle-poller',
  schema: oraclePollerSettings,
  usesPostgres: true,
  configToken: ORACLE_POLLER_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config)],
  module: () => AppModule,
};
