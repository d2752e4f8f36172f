import type { BootOptions } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { AUDIT_PROJECTOR_CONFIG, auditProjectorSettings } from './config/audit-projector.config';
import { AppModule } from './app.module';

/** audit-projector as bootService starts it: its own process (main.ts) or one of six in the combined process (services/combined). */
export const auditProjectorService: BootOptions<typeof auditProjectorSettings> = {
  name: 'audit-projector',
  schema: auditProjectorSettings,
  usesPostgres: true,
  configToken: AUDIT_PROJECTOR_CONFIG,
  shared: (config) => [TenancyModule.forRoot(config)],
  module: () => AppModule,
};
