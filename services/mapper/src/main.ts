import './instrument';
import { bootService } from '@mlc/platform-service';
import { mapperSettings } from './config/mapper.config';
import { AppModule } from './app.module';

void bootService({
  name: 'mapper',
  schema: mapperSettings,
  usesPostgres: true,
  module: (config) => AppModule.forConfig(config),
});
