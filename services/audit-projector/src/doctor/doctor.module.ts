import { Module } from '@nestjs/common';
import { OperatorAuthGuard, parseOperatorKeys, TENANTS_ADMIN_OPTIONS } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { DoctorController } from './doctor.controller';
import { DoctorService } from './doctor.service';
import { DOCTOR_CHECK_PROVIDERS, type DoctorCheckProvider } from './doctor.types';

/**
 * `mlc doctor` behind the admin API. Extra checks (e.g. webhook subscriptions) are objects
 * `{ name, run(tenantId) }` listed under DOCTOR_CHECK_PROVIDERS: to add one, import its module here and put its
 * service into the factory's `inject` list (each injected value is one provider).
 */
@Module({
  controllers: [DoctorController],
  providers: [
    {
      provide: TENANTS_ADMIN_OPTIONS,
      useFactory: (c: AuditProjectorConfig) => ({ operatorKeys: parseOperatorKeys(c.opsOperatorApiKeys) }),
      inject: [AUDIT_PROJECTOR_CONFIG],
    },
    OperatorAuthGuard,
    { provide: DOCTOR_CHECK_PROVIDERS, useFactory: (...providers: DoctorCheckProvider[]) => providers, inject: [] },
    DoctorService,
  ],
})
export class DoctorModule {}
