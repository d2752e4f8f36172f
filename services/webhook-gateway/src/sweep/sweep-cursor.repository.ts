import type { Pool, PoolClient } from 'pg';

/** Shopify: `orders`, `customers`; ShipBob: `shipbob-orders` (orders and their shipments), `shipbob-charges` (billing). */
export type SweepResource = 'orders' | 'customers' | 'shipbob-orders' | 'shipbob-charges';

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

  /** Moves the cursor forward only (a slower replica can never move it back). */
  async advance(tenantId: string, resource: SweepResource, to: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO gateway_sweep_cursors (tenant_id, resource, updated_since) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, resource) DO UPDATE SET updated_since = GREATEST(gateway_sweep_cursors.updated_since, EXCLUDED.updated_since)`,
      [tenantId, resource, to],
    );
  }

  /** When the tenant was last swept (any of these resources: one partner's sweep), for replicas sharing the schedule. */
  async lastRun(tenantId: string, resources: SweepResource[]): Promise<Date | undefined> {
    const r = await this.db.query<{ last: Date | null }>('SELECT max(last_run_at) AS last FROM gateway_sweep_cursors WHERE tenant_id = $1 AND resource = ANY($2::text[])', [
      tenantId,
      resources,
    ]);
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
