import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TenancyModule } from '@mlc/tenancy';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from './config/audit-projector.config';
import { AuditTrailProjector } from './audit/audit-trail.projector';
import { OpenExceptionsMetric } from './audit/open-exceptions.metric';
import { OpsModule } from './ops/ops.module';
import { AdminModule } from './admin/admin.module';
import { DoctorModule } from './doctor/doctor.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** audit-projector: the platform (Kafka, health, metrics) comes from bootService; tenants and features are wired here. */
@Global()
@Module({})
export class AppModule {
  static forConfig(config: AuditProjectorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [TenancyModule.forRoot(config), OpsModule, AdminModule, WebhooksModule, DoctorModule],
      providers: [{ provide: AUDIT_PROJECTOR_CONFIG, useValue: config }, AuditTrailProjector, OpenExceptionsMetric],
      exports: [AUDIT_PROJECTOR_CONFIG],
    };
  }
}
