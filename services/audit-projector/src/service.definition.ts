import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { AUDIT_PROJECTOR_CONFIG, auditProjectorSettings } from './config/audit-projector.config';
import { AppModule } from './app.module';

export const auditProjectorService = postgresService(
  'audit-projector',
  auditProjectorSettings,
  AUDIT_PROJECTOR_CONFIG,
  (config) => [TenancyModule.forRoot(config)],
  AppModule,
);
