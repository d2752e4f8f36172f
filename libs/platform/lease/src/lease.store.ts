import type { Pool, PoolClient } from 'pg';
import { AppError } from '@mlc/platform-errors';

/** A lease as the table records it: `token` (a bigint, as text) grows by one at every takeover. */
export interface LeaseGrant {
  name: string;
  owner: string;
  token: string;
  expiresAt: Date;
}

type Queryable = Pick<PoolClient, 'query'>;

type GrantRow = { name: string; owner: string; token: string; expires_at: Date };

const grant = (r: GrantRow): LeaseGrant => ({ name: r.name, owner: r.owner, token: r.token, expiresAt: r.expires_at });

/** The work's lease was taken over (or lapsed) before it could commit: nothing of it was committed. */
export class LeaseLostError extends AppError {
  constructor(name: string, token: string) {
    super('LEASE.LOST', `the lease ${name} (token ${token}) is no longer held: another replica owns the work now`, { retryable: false });
  }
}

/**
 * Leases in PostgreSQL (`platform_leases`): one owner per name until `expires_at`, every time taken from the database
 * clock (one clock for every replica). A lease is taken only when free or expired, and the fencing token then grows,
 * so work started under an older token can be refused at its commit (`assertHeld` inside the commit's transaction).
 */
export class PgLeaseStore {
  constructor(private readonly pool: Pool) {}

  /** Takes every lease of `names` that is free or expired (its token + 1); returns those taken. */
  async acquire(names: readonly string[], owner: string, ttlMs: number): Promise<LeaseGrant[]> {
    if (!names.length) return [];
    const { rows } = await this.pool.query<GrantRow>(
      `INSERT INTO platform_leases (name, owner, token, expires_at)
       SELECT n, $2, 1, clock_timestamp() + $3 * interval '1 millisecond' FROM unnest($1::text[]) AS n
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, token = platform_leases.token + 1, acquired_at = now(), renewed_at = now(),
         expires_at = EXCLUDED.expires_at
       WHERE platform_leases.expires_at <= clock_timestamp()
       RETURNING name, owner, token::text AS token, expires_at`,
      [names, owner, ttlMs],
    );
    return rows.map(grant);
  }

  /** Extends the leases still held under these tokens (not expired, not taken over); returns those extended. */
  async renew(held: readonly { name: string; token: string }[], owner: string, ttlMs: number): Promise<LeaseGrant[]> {
    if (!held.length) return [];
    const { rows } = await this.pool.query<GrantRow>(
      `UPDATE platform_leases l SET expires_at = clock_timestamp() + $4 * interval '1 millisecond', renewed_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS h(name, token)
       WHERE l.name = h.name AND l.token = h.token AND l.owner = $3 AND l.expires_at > clock_timestamp()
       RETURNING l.name, l.owner, l.token::text AS token, l.expires_at`,
      [held.map((h) => h.name), held.map((h) => h.token), owner, ttlMs],
    );
    return rows.map(grant);
  }

  /** Gives the leases up at once (a clean shutdown): the next replica to ask takes them without waiting for the TTL. */
  async release(held: readonly { name: string; token: string }[], owner: string): Promise<void> {
    if (!held.length) return;
    await this.pool.query(
      `UPDATE platform_leases l SET expires_at = clock_timestamp()
       FROM unnest($1::text[], $2::bigint[]) AS h(name, token)
       WHERE l.name = h.name AND l.token = h.token AND l.owner = $3`,
      [held.map((h) => h.name), held.map((h) => h.token), owner],
    );
  }

  /**
   * The fencing check: call it inside the transaction that commits the work. Throws LeaseLostError unless the lease
   * is still held under `token`; the row stays share-locked until that transaction ends, so no takeover can slip in
   * between this check and the commit.
   */
  async assertHeld(client: Queryable, name: string, token: string): Promise<void> {
    const { rows } = await client.query<{ ok: number }>(
      'SELECT 1 AS ok FROM platform_leases WHERE name = $1 AND token = $2 AND expires_at > clock_timestamp() FOR SHARE',
      [name, token],
    );
    if (!rows.length) throw new LeaseLostError(name, token);
  }

  /** Every lease whose name starts with `prefix` (status pages, tests). */
  async list(prefix: string): Promise<Array<LeaseGrant & { live: boolean }>> {
    const { rows } = await this.pool.query<GrantRow & { live: boolean }>(
      `SELECT name, owner, token::text AS token, expires_at, expires_at > clock_timestamp() AS live FROM platform_leases
       WHERE starts_with(name, $1) ORDER BY name`,
      [prefix],
    );
    return rows.map((r) => ({ ...grant(r), live: r.live }));
  }
}
