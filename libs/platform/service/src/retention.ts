import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { as, type Setting } from '@mlc/platform-config';

/** A de-duplication table and its timestamp column: rows older than the retention are deleted. */
export interface RetentionTarget {
  table: string;
  column: string;
}

/** The platform's own de-duplication table (every consumer group's handled event ids). */
export const PLATFORM_RETENTION_TARGETS: readonly RetentionTarget[] = [{ table: 'processed_events', column: 'processed_at' }];

export const retentionSettings = {
  dedupRetentionDays: {
    env: 'DEDUP_RETENTION_DAYS',
    doc:
      'how long de-duplication rows (processed_events, mapper emitted/deliveries) are kept, in days; older ones are deleted hourly ' +
      '(Kafka redelivers within minutes, partners retry webhooks for days; replays are guarded by deterministic partner keys)',
    parse: as.int(7, 3_650),
    default: 90,
  } as Setting<number>,
};

const LOCK = createHash('sha256').update('mlc:retention:dedup').digest().readBigInt64BE(0).toString();
const BATCH = 5_000;

/**
 * Deletes rows older than `days` from every target, in batches (short transactions, no long lock on a busy table).
 * One replica at a time: it runs only while holding a session advisory lock, and answers undefined (doing nothing)
 * when another replica holds it. Otherwise answers the rows deleted per table.
 */
export async function sweepRetention(pool: Pool, targets: readonly RetentionTarget[], days: number): Promise<Record<string, number> | undefined> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK]);
    if (!rows[0]?.ok) return undefined;
    try {
      const deleted: Record<string, number> = {};
      for (const { table, column } of targets) {
        deleted[table] = 0;
        for (;;) {
          const r = await client.query(
            `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < now() - make_interval(days => $1) LIMIT ${BATCH})`,
            [days],
          );
          deleted[table] += r.rowCount ?? 0;
          if ((r.rowCount ?? 0) < BATCH) break;
        }
      }
      return deleted;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
