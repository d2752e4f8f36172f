import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { AUDIT_PROJECTOR_CONFIG, auditProjectorSettings, type AuditProjectorConfig } from './config/audit-projector.config';
import { AppModule } from './app.module';

const shared = (config: AuditProjectorConfig) => [TenancyModule.forRoot(config)];
export const auditProjectorService = postgresService('audit-projector', auditProjectorSettings, AUDIT_PROJECTOR_CONFIG, shared, AppModule);
