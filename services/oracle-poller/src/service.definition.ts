import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { ORACLE_POLLER_CONFIG, oraclePollerSettings, type OraclePollerConfig } from './config/oracle-poller.config';
import { AppModule } from './app.module';

const shared = (config: OraclePollerConfig) => [TenancyModule.forRoot(config)];
export const oraclePollerService = postgresService('oracle-poller', oraclePollerSettings, ORACLE_POLLER_CONFIG, shared, AppModule);
