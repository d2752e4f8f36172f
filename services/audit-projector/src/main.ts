import './instrument';
import { bootService } from '@mlc/platform-service';
import { auditProjectorSettings } from './config/audit-projector.config';
import { AppModule } from './app.module';

void bootService({
  name: 'audit-projector',
  schema: auditProjectorSettings,
  usesPostgres: true,
  module: (config) => AppModule.forConfig(config),
});
