import type { DataSource, EntityManager } from 'typeorm';
import { advisoryLockKey } from '../data-source';
import type { TenantChangePublisher, TenantConfigChange } from '../tenants.types';

export interface OutboxLogger {
  warn(message: string, context?: Record<string, unknown>): void;
}

export interface OutboxRelayOptions {
  /** Rows published per pass. Default 100. */
  batchSize?: number;
  /** How often the background relay looks for rows (also its retry interval after a failure). Default 1000. */
  intervalMs?: number;
}

const LOCK_KEY = advisoryLockKey('mlc:tenants:config-outbox-relay');
const DEFAULT_BATCH = 100;
const DEFAULT_INTERVAL_MS = 1000;
/** How often a relay pass that finds another replica relaying waits and tries again before leaving it to that one. */
const BUSY_RETRIES = 10;
const BUSY_WAIT_MS = 100;

/** Writes a change into the outbox; call inside the transaction that makes the change. */
export async function enqueueChanges(m: EntityManager, changes: TenantConfigChange[]): Promise<void> {
  for (const c of changes) {
    await m.query(`INSERT INTO tenant_config_outbox (tenant_id, version, change) VALUES ($1, $2, $3)`, [c.tenantId, c.version, JSON.stringify(c)]);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Relays `tenant_config_outbox` rows to a publisher (Kafka in services) in commit order, deleting each row only after
 * the publisher resolved (the broker acknowledged). One relay runs at a time across replicas (a transaction-scoped
 * advisory lock), so events of one tenant keep their order. A failed publish leaves the row (and those after it)
 * in place, records the attempt, and is retried by the next pass: at-least-once, nothing lost.
 */
export class TenantChangeOutboxRelay {
  private running: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private lastFailure: string | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly publisher: TenantChangePublisher,
    private readonly log: OutboxLogger,
    private readonly opts: OutboxRelayOptions = {},
  ) {}

  /**
   * Publishes everything pending; resolves with how many rows this call published. Concurrent calls in one process
   * share a pass (and a call made during a pass makes it run once more, so nothing committed before the call is left).
   * Rejects with the publisher's error when a row could not be published (the row stays for the next pass).
   */
  relayPending(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.passWithLock();
      } while (this.again);
      return total;
    })();
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /** Rows not yet published (for health and tests). */
  async pending(): Promise<number> {
    const [row] = (await this.ds.query(`SELECT count(*)::int AS n FROM tenant_config_outbox`)) as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  /** Runs a relay pass every `intervalMs` until `stop()` (the service hosting the admin API does this). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      try {
        await this.relayPending();
        if (this.lastFailure) this.log.warn('tenant config changes are being published again', { previousError: this.lastFailure });
        this.lastFailure = undefined;
      } catch (err) {
        const code = errorCode(err);
        if (code !== this.lastFailure) this.log.warn('tenant config changes wait in the outbox: publishing failed, retrying', { error: code });
        this.lastFailure = code;
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.opts.intervalMs ?? DEFAULT_INTERVAL_MS);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** Stops the loop and waits for a pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async passWithLock(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.pass();
      if (r !== 'busy') return r;
      // Another replica is relaying; it may have read the table before our commit, so look again shortly.
      if (attempt >= BUSY_RETRIES) return 0;
      await sleep(BUSY_WAIT_MS);
    }
  }

  private async pass(): Promise<number | 'busy'> {
    let failure: unknown;
    const published = await this.ds.transaction(async (m) => {
      const [lock] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [LOCK_KEY])) as Array<{ locked: boolean }>;
      if (!lock?.locked) return 'busy' as const;
      let count = 0;
      for (;;) {
        const rows = (await m.query(`SELECT id, change FROM tenant_config_outbox ORDER BY id LIMIT $1`, [this.opts.batchSize ?? DEFAULT_BATCH])) as Array<{
          id: string;
          change: TenantConfigChange;
        }>;
        if (!rows.length) return count;
        for (const row of rows) {
          try {
            await this.publisher.publish(row.change);
          } catch (err) {
            failure = err;
            await m.query(`UPDATE tenant_config_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, errorCode(err).slice(0, 200)]);
            return count;
          }
          // Deleted in the same transaction; should the commit fail after a successful publish, the row is sent
          // again by the next pass (at-least-once; consumers only invalidate caches, so a repeat is harmless).
          await m.query(`DELETE FROM tenant_config_outbox WHERE id = $1`, [row.id]);
          count++;
        }
      }
    });
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
    return published;
  }
}

/** A log-safe name for a publish failure (codes and error names only; messages may quote payloads). */
function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; type?: unknown };
  if (typeof e?.code === 'string' && e.code) return e.code;
  if (typeof e?.type === 'string' && e.type) return e.type;
  return typeof e?.name === 'string' ? e.name : 'Error';
}
