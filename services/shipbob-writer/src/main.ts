import './instrument';
import { bootService } from '@mlc/platform-service';
import { shipbobWriterSettings } from './config/shipbob-writer.config';
import { AppModule } from './app.module';

void bootService({
  name: 'shipbob-writer',
  schema: shipbobWriterSettings,
  usesPostgres: true,
  module: (config) => AppModule.forConfig(config),
});
