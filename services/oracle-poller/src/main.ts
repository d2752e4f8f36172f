import './instrument';
import { bootService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { ORACLE_POLLER_CONFIG, oraclePollerSettings } from './config/oracle-poller.config';
import { AppModule } from './app.module';

void bootService({
  name: 'oracle-poller',
  schema: oraclePollerSettings,
  usesPostgres: true,
  configToken: ORACLE_POLLER_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config)],
  module: () => AppModule,
});
