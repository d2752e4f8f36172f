import { Module } from '@nestjs/common';
import { PostgresModule } from '@mlc/platform-service';
import { AuditTrailController } from './audit/audit-trail.controller';
import { OpenExceptionsMetric } from './audit/open-exceptions.metric';
import { OpsModule } from './ops/ops.module';
import { AdminModule } from './admin/admin.module';
import { DoctorModule } from './doctor/doctor.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { AUDIT_MIGRATION_SET } from './audit/migrations';
import { ConsoleModule } from './console/console.module';

/** audit-projector: the platform (Kafka, health, metrics, configuration, tenants) comes from bootService; features are wired here. */
@Module({
  imports: [PostgresModule.forFeature({ migrations: AUDIT_MIGRATION_SET }), OpsModule, AdminModule, WebhooksModule, DoctorModule, ConsoleModule],
  controllers: [AuditTrailController],
  providers: [OpenExceptionsMetric],
})
export class AppModule {}
