import type { Pool, PoolClient } from 'pg';

/**
 * Runs `fn` in one Postgres transaction on a pooled connection: COMMIT when it resolves, ROLLBACK when it throws (the
 * error is rethrown), and the connection goes back to the pool either way.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
