import { Module } from '@nestjs/common';
import { OperatorAuthGuard, parseOperatorKeys, TENANTS_ADMIN_OPTIONS } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { WebhookSubscriptionsService } from '../webhooks/webhook-subscriptions.service';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DoctorController } from './doctor.controller';
import { DoctorService } from './doctor.service';
import { DOCTOR_CHECK_PROVIDERS, type DoctorCheckProvider } from './doctor.types';

/** The webhook subscriptions of both partners, as `mlc webhooks list` sees them, as doctor findings. */
const webhookChecks = (hooks: WebhookSubscriptionsService): DoctorCheckProvider => ({
  name: 'webhook subscriptions',
  run: async (tenantId) => [...(await hooks.findings(tenantId, 'shipbob')), ...(await hooks.findings(tenantId, 'shopify'))],
});

/**
 * `mlc doctor` behind the admin API. Extra checks are objects `{ name, run(tenantId) }` listed under
 * DOCTOR_CHECK_PROVIDERS: to add one, import its module here and map its service in the factory.
 */
@Module({
  imports: [WebhooksModule],
  controllers: [DoctorController],
  providers: [
    {
      provide: TENANTS_ADMIN_OPTIONS,
      useFactory: (c: AuditProjectorConfig) => ({ operatorKeys: parseOperatorKeys(c.opsOperatorApiKeys) }),
      inject: [AUDIT_PROJECTOR_CONFIG],
    },
    OperatorAuthGuard,
    { provide: DOCTOR_CHECK_PROVIDERS, useFactory: (hooks: WebhookSubscriptionsService) => [webhookChecks(hooks)], inject: [WebhookSubscriptionsService] },
    DoctorService,
  ],
})
export class DoctorModule {}
