import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { LOGGER, MetricsRegistry, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { PgLeaseStore } from '@mlc/platform-lease';
import { PartnerClients, TenantDirectory } from '@mlc/tenancy';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { DeliveryPublisher } from '../webhooks/delivery.publisher';
import { runSweepIfDue, SweepCursorRepository, type SweepRun } from './sweep-cursor.repository';

/**
 * What the Shopify and ShipBob sweeps share: their dependencies, the cursor and lease stores, and one run of a
 * tenant's sweep (runSweepIfDue under the tenant's lease) with its failures counted.
 */
@Injectable()
export abstract class TenantSweep {
  protected readonly cursors: SweepCursorRepository;
  protected readonly leases: PgLeaseStore;

  constructor(
    @Inject(PG_POOL) protected readonly pool: Pool,
    protected readonly directory: TenantDirectory,
    protected readonly clients: PartnerClients,
    protected readonly deliveries: DeliveryPublisher,
    @Inject(WEBHOOK_GATEWAY_CONFIG) protected readonly config: WebhookGatewayConfig,
    @Inject(LOGGER) protected readonly log: Logger,
    protected readonly metrics: MetricsRegistry,
  ) {
    this.cursors = new SweepCursorRepository(pool);
    this.leases = new PgLeaseStore(pool);
  }

  /** runSweepIfDue with the run's lease; a failed run is counted in `runs` (`outcome="failed"`) and rethrown. */
  protected async runIfDue<T>(run: Omit<SweepRun, 'lease'>, runs: { metric: string; help: string }, body: (startedAt: number) => Promise<T>) {
    try {
      return await runSweepIfDue(this.pool, { ...run, lease: { store: this.leases, ttlMs: this.config.leaseTtlMs } }, body);
    } catch (err) {
      this.metrics.inc(runs.metric, { outcome: 'failed' }, 1, runs.help);
      throw err;
    }
  }
}
