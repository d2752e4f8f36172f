import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { ORACLE_POLLER_CONFIG, oraclePollerSettings } from './config/oracle-poller.config';
import { AppModule } from './app.module';

export const oraclePollerService = postgresService(
  'oracle-poller',
  oraclePollerSettings,
  ORACLE_POLLER_CONFIG,
  (config) => [TenancyModule.forRoot(config)],
  AppModule,
);
