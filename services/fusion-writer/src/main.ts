import './instrument';
import { bootService } from '@mlc/platform-service';
import { fusionWriterSettings } from './config/fusion-writer.config';
import { AppModule } from './app.module';

void bootService({
  name: 'fusion-writer',
  schema: fusionWriterSettings,
  usesPostgres: true,
  module: (config) => AppModule.forConfig(config),
});
