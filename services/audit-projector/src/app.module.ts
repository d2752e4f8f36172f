import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditProjectorConfig } from './config/audit-projector.config';
import { AuditTrailController } from './audit/audit-trail.controller';
import { OpenExceptionsMetric } from './audit/open-exceptions.metric';
import { OpsModule } from './ops/ops.module';
import { AdminModule } from './admin/admin.module';
import { DoctorModule } from './doctor/doctor.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** audit-projector: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({})
export class AppModule {
  static forConfig(_config: AuditProjectorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [OpsModule, AdminModule, WebhooksModule, DoctorModule],
      controllers: [AuditTrailController],
      providers: [OpenExceptionsMetric],
    };
  }
}
