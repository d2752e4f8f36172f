import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { LOGGER, MetricsRegistry, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';

export const OPEN_EXCEPTIONS_REFRESH_MS = 5_000;

/**
 * Keeps `mlc_open_exceptions{tenant,entity_type}` equal to the open rows of the exceptions queue: recounted every few
 * seconds and soon after the projector touched an exception (`touched()`); a pair that has no open exception left
 * reads 0 rather than disappearing.
 */
@Injectable()
export class OpenExceptionsMetric implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly seen = new Set<string>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly metrics: MetricsRegistry,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), OPEN_EXCEPTIONS_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  /** An exception was raised or resolved: recount shortly (one query for a burst). */
  touched(): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, 200);
  }

  /** Recounts now (one at a time). */
  refresh(): Promise<void> {
    this.running ??= this.count().finally(() => (this.running = undefined));
    return this.running;
  }

  private async count(): Promise<void> {
    try {
      const r = await this.pool.query<{ tenant_id: string; entity_type: string; n: string }>(
        `SELECT tenant_id, entity_type, count(*) AS n FROM audit_exceptions WHERE status = 'open' GROUP BY tenant_id, entity_type`,
      );
      const now = new Set<string>();
      for (const row of r.rows) {
        now.add(JSON.stringify([row.tenant_id, row.entity_type]));
        this.metrics.openExceptions({ tenantId: row.tenant_id, entityType: row.entity_type, count: Number(row.n) });
      }
      for (const k of this.seen) {
        if (now.has(k)) continue;
        const [tenantId, entityType] = JSON.parse(k) as [string, string];
        this.metrics.openExceptions({ tenantId, entityType, count: 0 });
      }
      for (const k of now) this.seen.add(k);
    } catch (err) {
      // The table may not exist yet (before the migration) or Postgres is down: the next round tries again.
      this.log.debug('open exceptions not counted', { error: (err as Error).message });
    }
  }
}
