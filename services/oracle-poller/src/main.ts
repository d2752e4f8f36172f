import './instrument';
import { bootService } from '@mlc/platform-service';
import { oraclePollerSettings } from './config/oracle-poller.config';
import { AppModule } from './app.module';

void bootService({
  name: 'oracle-poller',
  schema: oraclePollerSettings,
  usesPostgres: true,
  module: (config) => AppModule.forConfig(config),
});
