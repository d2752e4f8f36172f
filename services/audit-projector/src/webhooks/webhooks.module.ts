import { Module } from '@nestjs/common';
import { PartnerClients } from '@mlc/tenancy';
import { OperatorAuthGuard, parseOperatorKeys, TENANTS_ADMIN_OPTIONS, TenantConfigService } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { OperatorActionsPublisher } from '../ops/operator-actions.publisher';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';
import { WebhooksController } from './webhooks.controller';

/**
 * Webhook subscriptions of tenants at ShipBob and Shopify, under the admin API (/admin/tenants/:id/webhooks/…), with
 * the tenants' own partner clients. Exports WebhookSubscriptionsService (its `findings` feed `mlc doctor`).
 */
@Module({
  controllers: [WebhooksController],
  providers: [
    {
      provide: TENANTS_ADMIN_OPTIONS,
      useFactory: (c: AuditProjectorConfig) => ({ operatorKeys: parseOperatorKeys(c.opsOperatorApiKeys) }),
      inject: [AUDIT_PROJECTOR_CONFIG],
    },
    OperatorAuthGuard,
    OperatorActionsPublisher,
    {
      provide: WebhookSubscriptionsService,
      useFactory: (config: TenantConfigService, clients: PartnerClients, c: AuditProjectorConfig) =>
        new WebhookSubscriptionsService({ config, clients, baseUrl: c.webhookBaseUrl }),
      inject: [TenantConfigService, PartnerClients, AUDIT_PROJECTOR_CONFIG],
    },
  ],
  exports: [WebhookSubscriptionsService],
})
export class WebhooksModule {}
