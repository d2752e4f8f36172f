import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { backoffDelayMs, toAppError } from '@mlc/platform-errors';
import { LeaseKeeper, type HeldLease } from '@mlc/platform-lease';
import { LOGGER, MetricsRegistry } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { ORACLE_POLLER_CONFIG, type OraclePollerConfig } from '../config/oracle-poller.config';
import type { Feed } from './feed';
import { FeedRegistry } from './feed.registry';
import { FeedRunner } from './feed-runner';
import { PollStateRepository } from './poll-state.repository';

/** Errors a person has to fix (credentials, privileges): raised once per failure streak and code as an exception. */
const NEEDS_A_PERSON = new Set(['FUSION.AUTH', 'FUSION.FORBIDDEN']);

interface Slot {
  running: boolean;
  lastEndAt?: number;
  failures: number;
  wake: boolean;
  lastOutcome?: string;
}

/** The lease that makes one replica the poller of a tenant feed. */
export const feedLeaseName = (tenantId: string, feed: string): string => `oracle-poller:${tenantId}:${feed}`;

/**
 * Runs every (tenant, feed) whose lease this replica holds (`platform_leases`, taken when free or expired, renewed
 * every third of MLC_LEASE_TTL_MS; a dead replica's feeds move here after the TTL) on the tenant's own interval, re-read from its settings at every tick so a change applies
 * at once. A failing tenant feed backs off (exponential, jittered) without holding up any other; a configuration
 * change for the tenant wakes its feeds.
 */
@Injectable()
export class PollScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly slots = new Map<string, Slot>();
  private readonly running = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tenants: string[] = [];
  private tenantsReadAt = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly registry: FeedRegistry,
    private readonly runner: FeedRunner,
    private readonly repo: PollStateRepository,
    private readonly directory: TenantDirectory,
    private readonly metrics: MetricsRegistry,
    private readonly leases: LeaseKeeper,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(ORACLE_POLLER_CONFIG) private readonly config: OraclePollerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.directory.onChange((n) => {
      this.tenantsReadAt = 0;
      for (const feed of this.feeds()) this.wake(n.tenantId, feed.name);
    });
    this.leases.start();
    this.timer = setInterval(() => void this.tick(), this.config.pollTickMs);
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await Promise.allSettled([...this.running]);
    // Released at once: another replica takes the feeds without waiting for the TTL.
    await this.leases.stop();
  }

  /** Polls the feed at the next tick, whatever its schedule or backoff says. */
  wake(tenantId: string, feed: string): void {
    this.slot(tenantId, feed).wake = true;
  }

  /** This replica's view of the tenant's feeds; `leaseHeld`: this replica owns (polls) the feed now. */
  status(tenantId: string): Record<string, { running: boolean; failures: number; lastOutcome: string | null; leaseHeld: boolean }> {
    return Object.fromEntries(
      this.feeds().map((f) => {
        const s = this.slots.get(`${tenantId}\u0000${f.name}`);
        const leaseHeld = this.leases.held(feedLeaseName(tenantId, f.name)) !== undefined;
        return [f.name, { running: s?.running ?? false, failures: s?.failures ?? 0, lastOutcome: s?.lastOutcome ?? null, leaseHeld }];
      }),
    );
  }

  private feeds(): Feed[] {
    return this.registry.all().filter((f) => this.config.feeds.includes(f.name));
  }

  private slot(tenantId: string, feed: string): Slot {
    const key = `${tenantId}\u0000${feed}`;
    let s = this.slots.get(key);
    if (!s) {
      s = { running: false, failures: 0, wake: false };
      this.slots.set(key, s);
    }
    return s;
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stop.signal.aborted) return;
    this.ticking = true;
    try {
      if (Date.now() - this.tenantsReadAt >= this.config.tenantRefreshMs) {
        this.tenants = (await this.directory.list()).map((t) => t.id);
        this.tenantsReadAt = Date.now();
        const before = this.leases.heldNames().length;
        this.leases.want(this.tenants.flatMap((t) => this.feeds().map((f) => feedLeaseName(t, f.name))));
        // Take what is free now (a first start); afterwards the keeper's own timer renews and takes over.
        if (!before) await this.leases.sync();
      }
      for (const tenantId of this.tenants) {
        for (const feed of this.feeds()) {
          if (this.running.size >= this.config.maxConcurrentPolls) return;
          const slot = this.slot(tenantId, feed.name);
          if (slot.running) continue;
          const lease = this.leases.held(feedLeaseName(tenantId, feed.name));
          if (!lease || !(await this.due(tenantId, feed, slot))) continue;
          this.launch(tenantId, feed, slot, lease);
        }
      }
    } catch (err) {
      this.log.warn('poll scheduler tick failed', { error: toAppError(err).message });
    } finally {
      this.ticking = false;
    }
  }

  private async due(tenantId: string, feed: Feed, slot: Slot): Promise<boolean> {
    if (slot.wake || slot.lastEndAt === undefined) return true;
    let snapshot;
    try {
      snapshot = await this.directory.get(tenantId);
    } catch (err) {
      this.log.warn('could not read tenant settings', { tenantId, error: toAppError(err).message });
      return false;
    }
    if (!snapshot.connections.fusion) return false;
    const interval = feed.intervalMs(snapshot);
    const wait = slot.failures
      ? Math.max(interval, backoffDelayMs(slot.failures, { baseMs: this.config.failureBackoffMs, maxMs: this.config.failureBackoffMaxMs }))
      : interval;
    return Date.now() - slot.lastEndAt >= wait;
  }

  private launch(tenantId: string, feed: Feed, slot: Slot, lease: HeldLease): void {
    slot.running = true;
    slot.wake = false;
    const labels = { tenant: tenantId, feed: feed.name };
    const job = (async () => {
      try {
        const snapshot = await this.directory.get(tenantId);
        if (!snapshot.connections.fusion) {
          slot.lastOutcome = 'no-connection';
          return;
        }
        const fence = (c: PoolClient): Promise<void> => this.leases.store.assertHeld(c, lease.name, lease.token);
        const r = await this.runner.run(tenantId, feed, AbortSignal.any([this.stop.signal, lease.signal]), fence);
        slot.lastOutcome = r.outcome;
        if (r.outcome !== 'locked') slot.failures = 0;
        this.metrics.inc('oracle_poller_polls_total', { ...labels, outcome: r.outcome }, 1, 'polls of a tenant feed by outcome');
        this.metrics.set('oracle_poller_consecutive_failures', labels, 0, 'consecutive failed polls of a tenant feed');
        if (r.emitted || r.dropped) this.log.info('polled', { tenantId, feed: feed.name, pages: r.pages, emitted: r.emitted, dropped: r.dropped });
      } catch (err) {
        const e = toAppError(err);
        if (e.code === 'LEASE.LOST' || e.code === 'POLLER.STOPPED') {
          // Another replica polls this feed now (or we are stopping); nothing of this run was committed after a takeover.
          slot.lastOutcome = 'lease-lost';
          this.log.warn('poll stopped: lease lost or shutting down', { tenantId, feed: feed.name, code: e.code });
          return;
        }
        slot.failures++;
        slot.lastOutcome = 'failed';
        this.metrics.inc('oracle_poller_polls_total', { ...labels, outcome: 'failed' });
        this.metrics.inc('oracle_poller_poll_failures_total', { ...labels, code: e.code }, 1, 'failed polls by error code');
        this.metrics.set('oracle_poller_consecutive_failures', labels, slot.failures);
        this.log.warn('poll failed; retrying with backoff', {
          tenantId,
          feed: feed.name,
          code: e.code,
          error: e.message,
          retryable: e.retryable,
          failures: slot.failures,
        });
        const { exceptionRaised } = await this.repo.runFailed(tenantId, feed.name, e.code, e.message).catch(() => ({ exceptionRaised: true }));
        // One exception per failure streak and code, marked only once it is on Kafka: a raise lost to a crash or a
        // Kafka error is made by the next failed run (a success ends the streak).
        if (NEEDS_A_PERSON.has(e.code) && !exceptionRaised) {
          await this.runner
            .raiseTenantException(tenantId, feed, e)
            .then(() => this.repo.markExceptionRaised(tenantId, feed.name, e.code))
            .catch((pe: unknown) => this.log.warn('could not raise the exception; the next failed run tries again', { error: String(pe) }));
        }
      } finally {
        slot.running = false;
        slot.lastEndAt = Date.now();
      }
    })();
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }
}
