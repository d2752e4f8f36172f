import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { ShopifySweepService } from './shopify-sweep.service';
import { TenantSweepScheduler } from './tenant-sweep.scheduler';

/** Runs each tenant's Shopify sweep on its own `settings.pollingIntervalsMs.shopifyOrdersMs` (see TenantSweepScheduler). */
@Injectable()
export class ShopifySweepScheduler extends TenantSweepScheduler {
  constructor(
    directory: TenantDirectory,
    sweep: ShopifySweepService,
    @Inject(WEBHOOK_GATEWAY_CONFIG) config: WebhookGatewayConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    super(directory, log, {
      label: 'Shopify',
      enabled: config.shopifySweepEnabled,
      tickMs: config.shopifySweepTickMs,
      sweepTenant: (id, opts) => sweep.sweepTenant(id, opts),
    });
  }
}
