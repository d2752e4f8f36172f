import type { Pool } from 'pg';
import { createHash } from 'node:crypto';

export interface SqlMigration {
  /** Unique and ordered within its owner, e.g. '001-create-po-cursor'. Never rename or edit one that shipped. */
  id: string;
  sql: string;
}

/**
 * Applies a service's own SQL migrations in order, once each, recorded in `mlc_migrations`. Replicas starting
 * together are serialised by a session advisory lock per owner (services of different owners starting together by
 * one more around creating the shared table). Each migration runs in its transaction.
 */
const TABLE_LOCK = createHash('sha256').update('mlc:migrations:table').digest().readBigInt64BE(0).toString();

export async function runSqlMigrations(pool: Pool, owner: string, migrations: SqlMigration[]): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  const lock = createHash('sha256').update(`mlc:migrations:${owner}`).digest().readBigInt64BE(0).toString();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lock]);
    // The table is shared by every owner, and CREATE TABLE IF NOT EXISTS is not safe against a concurrent one (two
    // services starting on a fresh database: "duplicate key … pg_type_typname_nsp_index"), so it has its own lock.
    await client.query('SELECT pg_advisory_lock($1)', [TABLE_LOCK]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS mlc_migrations (owner text NOT NULL, id text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (owner, id))`,
      );
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TABLE_LOCK]);
    }
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM mlc_migrations WHERE owner = $1', [owner])).rows.map((r) => r.id));
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO mlc_migrations (owner, id) VALUES ($1, $2)', [owner, m.id]);
        await client.query('COMMIT');
        applied.push(m.id);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${owner}/${m.id} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [lock]).catch(() => undefined);
    client.release();
  }
  return applied;
}
