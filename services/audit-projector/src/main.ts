import './instrument';
import { bootService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { AUDIT_PROJECTOR_CONFIG, auditProjectorSettings } from './config/audit-projector.config';
import { AppModule } from './app.module';

void bootService({
  name: 'audit-projector',
  schema: auditProjectorSettings,
  usesPostgres: true,
  configToken: AUDIT_PROJECTOR_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config)],
  module: () => AppModule,
});
