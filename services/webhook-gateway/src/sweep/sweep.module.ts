import { Module, type FactoryProvider, type Type } from '@nestjs/common';
import { LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ShipbobSweepService } from './shipbob-sweep.service';
import { ShopifySweepService } from './shopify-sweep.service';
import { TenantSweepScheduler, type TenantSweep } from './tenant-sweep.scheduler';

/**
 * Runs each tenant's sweep of one partner on the tenant's own `settings.pollingIntervalsMs.<partner>OrdersMs` (see
 * TenantSweepScheduler); `schedule` picks the partner's label and switches from the configuration.
 */
function sweepScheduler(
  service: Type<Pick<TenantSweep, 'sweepTenant'>>,
  schedule: (config: WebhookGatewayConfig) => Omit<TenantSweep, 'sweepTenant'>,
): FactoryProvider<TenantSweepScheduler> {
  return {
    provide: Symbol(`${service.name} scheduler`),
    inject: [TenantDirectory, service, WEBHOOK_GATEWAY_CONFIG, LOGGER],
    useFactory: (directory: TenantDirectory, sweep: Pick<TenantSweep, 'sweepTenant'>, config: WebhookGatewayConfig, log: Logger) =>
      new TenantSweepScheduler(directory, log, { ...schedule(config), sweepTenant: (id, opts) => sweep.sweepTenant(id, opts) }),
  };
}

/** The sweep feature: the Shopify and ShipBob reconciliation sweeps, feeding missed records into the webhook path. */
@Module({
  imports: [WebhooksModule],
  providers: [
    ShopifySweepService,
    ShipbobSweepService,
    sweepScheduler(ShopifySweepService, (c) => ({ label: 'Shopify', enabled: c.shopifySweepEnabled, tickMs: c.shopifySweepTickMs })),
    sweepScheduler(ShipbobSweepService, (c) => ({ label: 'ShipBob', enabled: c.shipbobSweepEnabled, tickMs: c.shipbobSweepTickMs })),
  ],
  exports: [ShopifySweepService, ShipbobSweepService],
})
export class SweepModule {}
