import './instrument';
import { bootService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { MAPPER_CONFIG, mapperSettings } from './config/mapper.config';
import { AppModule } from './app.module';

void bootService({
  name: 'mapper',
  schema: mapperSettings,
  usesPostgres: true,
  configToken: MAPPER_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config)],
  module: () => AppModule,
});
