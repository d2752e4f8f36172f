import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';
import { leaseOwnerId, runUnderLease, type PgLeaseStore, type RunLease } from '@mlc/platform-lease';
import { lockKey } from '../webhooks/delivery.ledger';

/** Shopify: `orders`, `customers`; ShipBob: `shipbob-orders` (orders and their shipments), `shipbob-charges` (billing). */
export type SweepResource = 'orders' | 'customers' | 'shipbob-orders' | 'shipbob-charges';

/** This process in `platform_leases.owner`. */
const LEASE_OWNER = leaseOwnerId();

/** The lease of the sweep run in progress (set by runSweepIfDue): every cursor move inside it is fenced by it. */
const runLease = new AsyncLocalStorage<RunLease>();

/** `gateway_sweep_cursors`: per tenant and resource, the newest `updated_at` the sweep has handled, and its last run. */
export class SweepCursorRepository {
  constructor(private readonly db: Pool | PoolClient) {}

  async get(tenantId: string, resource: SweepResource): Promise<Date | undefined> {
    const r = await this.db.query<{ updated_since: Date }>('SELECT updated_since FROM gateway_sweep_cursors WHERE tenant_id = $1 AND resource = $2', [
      tenantId,
      resource,
    ]);
    return r.rows[0]?.updated_since;
  }

  /**
   * Moves the cursor forward only (a slower replica can never move it back). Inside a sweep run with a lease, in one
   * transaction with the lease's fencing check: a replica whose lease was taken over moves nothing (LEASE.LOST).
   */
  async advance(tenantId: string, resource: SweepResource, to: Date): Promise<void> {
    const sql = `INSERT INTO gateway_sweep_cursors (tenant_id, resource, updated_since) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, resource) DO UPDATE SET updated_since = GREATEST(gateway_sweep_cursors.updated_since, EXCLUDED.updated_since)`;
    const lease = runLease.getStore();
    if (!lease) {
      await this.db.query(sql, [tenantId, resource, to]);
      return;
    }
    const client = 'release' in this.db ? this.db : await this.db.connect();
    try {
      await client.query('BEGIN');
      await lease.fence(client);
      await client.query(sql, [tenantId, resource, to]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      if (client !== this.db) client.release();
    }
  }

  /** When the tenant was last swept (any of these resources: one partner's sweep), for replicas sharing the schedule. */
  async lastRun(tenantId: string, resources: SweepResource[]): Promise<Date | undefined> {
    const r = await this.db.query<{ last: Date | null }>(
      'SELECT max(last_run_at) AS last FROM gateway_sweep_cursors WHERE tenant_id = $1 AND resource = ANY($2::text[])',
      [tenantId, resources],
    );
    return r.rows[0]?.last ?? undefined;
  }

  async markRun(tenantId: string, resources: SweepResource[], at: Date, initialSince: Date): Promise<void> {
    for (const resource of resources) {
      await this.db.query(
        `INSERT INTO gateway_sweep_cursors (tenant_id, resource, updated_since, last_run_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, resource) DO UPDATE SET last_run_at = EXCLUDED.last_run_at`,
        [tenantId, resource, initialSince, at],
      );
    }
  }
}

export interface SweepRun {
  /** Names the session advisory lock: one replica sweeps a tenant's resources at a time. */
  lockName: string;
  tenantId: string;
  resources: SweepResource[];
  intervalMs: number;
  /** The scheduler's tick: a run recorded less than the interval minus min(tick, interval / 2) ago is not due. */
  tickMs: number;
  /** Where a resource without a cursor starts: this long before the run. */
  lookbackMs: number;
  force?: boolean;
  /**
   * The run's lease (`platform_leases`, named like the lock): taken after the advisory lock, renewed while the sweep
   * runs, fencing every cursor move. It survives a PostgreSQL restart (which drops the advisory lock), so no second
   * replica starts the tenant's sweep while the first still runs; a dead replica's lease lapses after `ttlMs`.
   */
  lease?: { store: PgLeaseStore; ttlMs: number };
}

/**
 * One sweep of a tenant, if no other replica is sweeping it and it is due (or forced): under the advisory lock (and
 * the run's lease, when given) the run is recorded first, then `body` runs with the run's start time. Otherwise says why not.
 */
export async function runSweepIfDue<T>(
  pool: Pool,
  run: SweepRun,
  body: (startedAt: number) => Promise<T>,
): Promise<T | { status: 'locked' } | { status: 'not-due'; intervalMs: number; nextDueAt: number }> {
  const cursors = new SweepCursorRepository(pool);
  const lockClient = await pool.connect();
  const lock = lockKey(run.lockName);
  let locked = false;
  try {
    locked = (await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [lock])).rows[0]?.ok ?? false;
    if (!locked) return { status: 'locked' };
    const startedAt = Date.now();
    const last = await cursors.lastRun(run.tenantId, run.resources);
    // Another replica swept it recently: wait for its schedule (a little slack for timer jitter).
    if (!run.force && last && startedAt - last.getTime() < run.intervalMs - Math.min(run.tickMs, run.intervalMs / 2)) {
      return { status: 'not-due', intervalMs: run.intervalMs, nextDueAt: last.getTime() + run.intervalMs };
    }
    const sweep = async (): Promise<T> => {
      await cursors.markRun(run.tenantId, run.resources, new Date(startedAt), new Date(startedAt - run.lookbackMs));
      return body(startedAt);
    };
    if (!run.lease) return await sweep();
    const r = await runUnderLease(run.lease.store, run.lockName, { owner: LEASE_OWNER, ttlMs: run.lease.ttlMs }, (lease) => runLease.run(lease, sweep));
    return r.held ? r.value : { status: 'locked' };
  } finally {
    if (locked) await lockClient.query('SELECT pg_advisory_unlock($1)', [lock]).catch(() => undefined);
    lockClient.release();
  }
}
