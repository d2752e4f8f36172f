import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';
import type { Logger } from '@mlc/platform-telemetry';
import type { TenantDirectory } from '@mlc/tenancy';

/** After a failed sweep, wait at least this long (or the tenant's interval) before trying again. */
const FAILURE_BACKOFF_MS = 30_000;
/** How long shutdown waits for sweeps in progress (they stop between records). */
const SHUTDOWN_WAIT_MS = 5_000;

/** What one tenant's sweep run says about when to run it next. */
export type TenantSweepOutcome =
  { status: 'swept' | 'deferred'; intervalMs: number } | { status: 'not-due'; nextDueAt: number } | { status: 'locked' | 'no-connection' };

export interface TenantSweep {
  /** The partner's name in log lines, e.g. `Shopify`. */
  label: string;
  enabled: boolean;
  tickMs: number;
  sweepTenant(tenantId: string, opts: { stopping: () => boolean }): Promise<TenantSweepOutcome>;
}

/**
 * Runs each tenant's sweep of one partner on the tenant's own interval: every tick it lists the tenants and starts
 * the sweeps that are due (one at a time per tenant in this process; across replicas the sweep's advisory lock and
 * its recorded last run decide). A failed run is retried after a backoff, never before a 429's `x-retry-after`.
 */
export class TenantSweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopping = false;
  private readonly nextDue = new Map<string, number>();
  private readonly intervals = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly directory: TenantDirectory,
    private readonly log: Logger,
    private readonly sweep: TenantSweep,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.sweep.enabled) return;
    // A changed connection or interval takes effect at the next tick.
    this.directory.onChange((n) => this.nextDue.delete(n.tenantId));
    this.timer = setInterval(() => void this.tick(), this.sweep.tickMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    const all = Promise.allSettled([...this.running.values()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    try {
      const now = Date.now();
      for (const t of await this.directory.list()) {
        if (this.running.has(t.id) || (this.nextDue.get(t.id) ?? 0) > now) continue;
        const run = this.run(t.id).finally(() => this.running.delete(t.id));
        this.running.set(t.id, run);
      }
    } catch (err) {
      this.log.warn(`${this.sweep.label} sweep scheduler could not list tenants`, { error: (err as Error).message });
    } finally {
      this.ticking = false;
    }
  }

  private async run(tenantId: string): Promise<void> {
    const startedAt = Date.now();
    try {
      const out = await this.sweep.sweepTenant(tenantId, { stopping: () => this.stopping });
      switch (out.status) {
        case 'swept':
        case 'deferred':
          this.intervals.set(tenantId, out.intervalMs);
          this.nextDue.set(tenantId, startedAt + out.intervalMs);
          break;
        case 'not-due':
          this.nextDue.set(tenantId, out.nextDueAt);
          break;
        case 'locked':
          this.nextDue.set(tenantId, startedAt + this.sweep.tickMs);
          break;
        case 'no-connection':
          this.nextDue.set(tenantId, startedAt + 60_000);
          break;
      }
    } catch (err) {
      // A 429 names its wait (x-retry-after, read by the client): never retry before it.
      const retryAfterMs = err instanceof AppError ? (err.retryAfterMs ?? 0) : 0;
      this.nextDue.set(tenantId, startedAt + Math.max(retryAfterMs, Math.min(FAILURE_BACKOFF_MS, this.intervals.get(tenantId) ?? FAILURE_BACKOFF_MS)));
      this.log.warn(`${this.sweep.label} sweep failed; retrying later`, { tenantId, error: (err as Error).message, code: (err as { code?: string }).code });
    }
  }
}
