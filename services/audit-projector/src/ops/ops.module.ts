import { Controller, Get, Module } from '@nestjs/common';
import { OperatorAuthGuard, parseOperatorKeys, TENANTS_ADMIN_OPTIONS } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { ConsumerLagService } from '../audit/consumer-lag.service';
import { ProjectionEvents } from '../audit/projection.events';
import { AlertsService } from './alerts.service';
import { AuditQueryService } from './audit-query.service';
import { BackfillService } from './backfill.service';
import { DryRunController } from './dry-run.controller';
import { ExceptionsService } from './exceptions.service';
import { FlowsService } from './flows.service';
import { JobsRegistry } from './jobs.registry';
import { KafkaOpsService } from './kafka-ops.service';
import { OPS_OPENAPI } from './openapi.document';
import { OperatorActionsPublisher } from './operator-actions.publisher';
import { OpsController } from './ops.controller';
import { ReportsService } from './reports.service';

@Controller('ops')
export class OpsOpenApiController {
  @Get('openapi.json')
  openapi() {
    return OPS_OPENAPI;
  }
}

/**
 * The ops feature of audit-projector: the ops API under /ops (OpenAPI at /ops/openapi.json), batched alerts and lag
 * measurement. Auth is the tenants admin API's OperatorAuthGuard over the same MLC_OPERATOR_API_KEYS. Exports the
 * projection's helpers (ProjectionEvents, ConsumerLagService) to the app's projector.
 */
@Module({
  controllers: [OpsController, OpsOpenApiController, DryRunController],
  providers: [
    {
      provide: TENANTS_ADMIN_OPTIONS,
      // The guard only reads operatorKeys.
      useFactory: (c: AuditProjectorConfig) => ({ operatorKeys: parseOperatorKeys(c.opsOperatorApiKeys) }),
      inject: [AUDIT_PROJECTOR_CONFIG],
    },
    OperatorAuthGuard,
    ProjectionEvents,
    ConsumerLagService,
    JobsRegistry,
    OperatorActionsPublisher,
    AuditQueryService,
    ExceptionsService,
    FlowsService,
    BackfillService,
    KafkaOpsService,
    ReportsService,
    AlertsService,
  ],
  exports: [ProjectionEvents, ConsumerLagService],
})
export class OpsModule {}
