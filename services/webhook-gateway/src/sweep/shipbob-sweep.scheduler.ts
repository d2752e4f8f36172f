import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { ShipbobSweepService } from './shipbob-sweep.service';
import { TenantSweepScheduler } from './tenant-sweep.scheduler';

/** Runs each tenant's ShipBob sweep on its own `settings.pollingIntervalsMs.shipbobOrdersMs` (see TenantSweepScheduler). */
@Injectable()
export class ShipbobSweepScheduler extends TenantSweepScheduler {
  constructor(
    directory: TenantDirectory,
    sweep: ShipbobSweepService,
    @Inject(WEBHOOK_GATEWAY_CONFIG) config: WebhookGatewayConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    super(directory, log, {
      label: 'ShipBob',
      enabled: config.shipbobSweepEnabled,
      tickMs: config.shipbobSweepTickMs,
      sweepTenant: (id, opts) => sweep.sweepTenant(id, opts),
    });
  }
}
