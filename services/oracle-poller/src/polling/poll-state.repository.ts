import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { inTransaction, PG_POOL } from '@mlc/platform-service';

/** A backfill feed whose runs failed this many times is reported as failed (oracle-poller still retries it). */
export const BACKFILL_FAILED_AFTER = 3;

export interface BackfillFeedProgress {
  feed: string;
  done: boolean;
  /** A newer backfill of the same feed replaced this one before it finished. */
  superseded: boolean;
  recordsRead: number;
  emitted: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  failures: number;
  lastError: { code: string; message: string } | null;
}

export interface BackfillProgress {
  tenantId: string;
  requestId: string;
  since: string;
  requestedAt: string;
  /** done: every feed read to the end; failed: a feed was superseded, or its runs failed BACKFILL_FAILED_AFTER times. */
  status: 'running' | 'done' | 'failed';
  feeds: BackfillFeedProgress[];
}

export interface FeedState {
  cursorMs: number | null;
  cursorText: string | null;
  backfillFromMs: number | null;
  backfillRequest: string | null;
  lastRunFinishedAt: Date | null;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  emittedTotal: number;
}

export interface EmittedEntry {
  id: string;
  lastUpdateMs: number;
  lastUpdateDate: string;
  eventId: string;
}

/** The lease check run first inside a commit's transaction (throws when another replica took the feed over). */
export type Fence = (client: PoolClient) => Promise<void>;

/** High watermarks per topic and partition taken before a batch was sent. */
export type TopicOffsets = Record<string, Record<string, string>>;

export interface Inflight {
  entries: EmittedEntry[];
  offsets: TopicOffsets;
}

/** Parses Fusion's LastUpdateDate (`2023-07-28T06:53:05.035+00:00`, ms optional) to epoch-ms. */
export function lastUpdateMs(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not a Fusion timestamp: ${text}`);
  return ms;
}

/** A 64-bit advisory lock key for one tenant feed (one replica polls it at a time). */
export function feedLockKey(tenantId: string, feed: string): string {
  return createHash('sha256').update(`oracle-poller:${tenantId}:${feed}`).digest().readBigInt64BE(0).toString();
}

type StateRow = {
  cursor_ms: string | null;
  cursor_text: string | null;
  backfill_from_ms: string | null;
  backfill_request: string | null;
  last_run_finished_at: Date | null;
  last_success_at: Date | null;
  consecutive_failures: number;
  last_error_code: string | null;
  last_error_message: string | null;
  emitted_total: string;
};

const num = (v: string | null): number | null => (v === null ? null : Number(v));

/** Cursor, emitted-records memory and in-flight batches of every tenant feed, in Postgres. */
@Injectable()
export class PollStateRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** A dedicated connection holding the tenant feed's advisory lock, or undefined when another replica holds it. */
  async tryLock(tenantId: string, feed: string): Promise<PoolClient | undefined> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [feedLockKey(tenantId, feed)]);
      if (rows[0]?.ok) return client;
    } catch (err) {
      client.release();
      throw err;
    }
    client.release();
    return undefined;
  }

  /** Waits up to `timeoutMs` for the lock (the sync endpoint queues behind a running poll). */
  async lock(tenantId: string, feed: string, timeoutMs: number): Promise<PoolClient | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query(`SELECT set_config('lock_timeout', $1, false)`, [`${timeoutMs}ms`]);
      await client.query('SELECT pg_advisory_lock($1)', [feedLockKey(tenantId, feed)]);
      await client.query(`SELECT set_config('lock_timeout', '0', false)`);
      return client;
    } catch (err) {
      await client.query(`SELECT set_config('lock_timeout', '0', false)`).catch(() => undefined);
      client.release();
      if ((err as { code?: string }).code === '55P03') return undefined; // lock_not_available
      throw err;
    }
  }

  async unlock(client: PoolClient, tenantId: string, feed: string): Promise<void> {
    try {
      await client.query('SELECT pg_advisory_unlock($1)', [feedLockKey(tenantId, feed)]);
      client.release();
    } catch (err) {
      client.release(err as Error); // drop the connection: its session (and lock) ends with it
    }
  }

  async state(tenantId: string, feed: string): Promise<FeedState | undefined> {
    const { rows } = await this.pool.query<StateRow>('SELECT * FROM poller_feed_state WHERE tenant_id = $1 AND feed = $2', [tenantId, feed]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      cursorMs: num(r.cursor_ms),
      cursorText: r.cursor_text,
      backfillFromMs: num(r.backfill_from_ms),
      backfillRequest: r.backfill_request,
      lastRunFinishedAt: r.last_run_finished_at,
      lastSuccessAt: r.last_success_at,
      consecutiveFailures: r.consecutive_failures,
      lastErrorCode: r.last_error_code,
      lastErrorMessage: r.last_error_message,
      emittedTotal: Number(r.emitted_total),
    };
  }

  async states(tenantId: string): Promise<Array<FeedState & { feed: string }>> {
    const { rows } = await this.pool.query<{ feed: string }>('SELECT feed FROM poller_feed_state WHERE tenant_id = $1 ORDER BY feed', [tenantId]);
    const out: Array<FeedState & { feed: string }> = [];
    for (const { feed } of rows) {
      const s = await this.state(tenantId, feed);
      if (s) out.push({ feed, ...s });
    }
    return out;
  }

  /** The newest emitted LastUpdateDate (epoch-ms) of each of `ids` that was emitted before. */
  async emitted(tenantId: string, feed: string, ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const { rows } = await this.pool.query<{ entity_id: string; last_update_ms: string }>(
      'SELECT entity_id, last_update_ms FROM poller_emitted WHERE tenant_id = $1 AND feed = $2 AND entity_id = ANY($3::text[])',
      [tenantId, feed, ids],
    );
    return new Map(rows.map((r) => [r.entity_id, Number(r.last_update_ms)]));
  }

  /** Records a batch about to be sent (with the topics' high watermarks), so a crash after sending can be resolved. */
  async saveInflight(tenantId: string, feed: string, inflight: Inflight, fence?: Fence): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await fence?.(client);
      await client.query(
        `INSERT INTO poller_inflight (tenant_id, feed, entries, offsets) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, feed) DO UPDATE SET entries = EXCLUDED.entries, offsets = EXCLUDED.offsets, created_at = now()`,
        [tenantId, feed, JSON.stringify(inflight.entries), JSON.stringify(inflight.offsets)],
      );
    });
  }

  async inflight(tenantId: string, feed: string): Promise<Inflight | undefined> {
    const { rows } = await this.pool.query<{ entries: EmittedEntry[]; offsets: TopicOffsets }>(
      'SELECT entries, offsets FROM poller_inflight WHERE tenant_id = $1 AND feed = $2',
      [tenantId, feed],
    );
    return rows[0] ? { entries: rows[0].entries, offsets: rows[0].offsets } : undefined;
  }

  /**
   * After Kafka acknowledged (or a recovery found them on the topic): remember the emitted records, move the cursor
   * forward (never back) and the backfill position, clear the in-flight batch. One transaction, which `fence` (the
   * feed's lease check) opens: a replica whose lease was taken over commits nothing.
   */
  async commit(
    tenantId: string,
    feed: string,
    c: { emitted: EmittedEntry[]; cursor?: { ms: number; text: string }; backfillFromMs?: number; backfill?: { request: string; read: number } },
    fence?: Fence,
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await fence?.(client);
      if (c.backfill) {
        await client.query('UPDATE poller_backfill_requests SET records_read = records_read + $3, emitted = emitted + $4 WHERE request_id = $1 AND feed = $2', [
          c.backfill.request,
          feed,
          c.backfill.read,
          c.emitted.length,
        ]);
      }
      if (c.emitted.length) {
        await client.query(
          `INSERT INTO poller_emitted (tenant_id, feed, entity_id, last_update_ms, last_update_date, event_id)
           SELECT $1, $2, e.id, e.ms, e.text, e.event FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[]) AS e(id, ms, text, event)
           ON CONFLICT (tenant_id, feed, entity_id) DO UPDATE
             SET last_update_ms = EXCLUDED.last_update_ms, last_update_date = EXCLUDED.last_update_date, event_id = EXCLUDED.event_id, emitted_at = now()
             WHERE poller_emitted.last_update_ms < EXCLUDED.last_update_ms`,
          [
            tenantId,
            feed,
            c.emitted.map((e) => e.id),
            c.emitted.map((e) => String(e.lastUpdateMs)),
            c.emitted.map((e) => e.lastUpdateDate),
            c.emitted.map((e) => e.eventId),
          ],
        );
      }
      await client.query(
        `INSERT INTO poller_feed_state (tenant_id, feed, cursor_ms, cursor_text, emitted_total) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, feed) DO UPDATE SET
           cursor_text = CASE WHEN $3::bigint IS NOT NULL AND (poller_feed_state.cursor_ms IS NULL OR $3::bigint > poller_feed_state.cursor_ms) THEN $4 ELSE poller_feed_state.cursor_text END,
           cursor_ms = CASE WHEN $3::bigint IS NOT NULL AND (poller_feed_state.cursor_ms IS NULL OR $3::bigint > poller_feed_state.cursor_ms) THEN $3::bigint ELSE poller_feed_state.cursor_ms END,
           backfill_from_ms = CASE WHEN $6::bigint IS NOT NULL AND poller_feed_state.backfill_from_ms IS NOT NULL THEN GREATEST(poller_feed_state.backfill_from_ms, $6::bigint) ELSE poller_feed_state.backfill_from_ms END,
           emitted_total = poller_feed_state.emitted_total + $5,
           updated_at = now()`,
        [
          tenantId,
          feed,
          c.cursor ? String(c.cursor.ms) : null,
          c.cursor?.text ?? null,
          c.emitted.length,
          c.backfillFromMs === undefined ? null : String(c.backfillFromMs),
        ],
      );
      await client.query('DELETE FROM poller_inflight WHERE tenant_id = $1 AND feed = $2', [tenantId, feed]);
    });
  }

  async runStarted(tenantId: string, feed: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO poller_feed_state (tenant_id, feed, last_run_started_at) VALUES ($1, $2, now())
       ON CONFLICT (tenant_id, feed) DO UPDATE SET last_run_started_at = now(), updated_at = now()`,
      [tenantId, feed],
    );
  }

  /** A run reached the end: clears the backfill it served (unless a newer one was requested meanwhile). */
  async runSucceeded(tenantId: string, feed: string, backfillRequest: string | null): Promise<void> {
    if (backfillRequest) {
      await this.pool.query(
        'UPDATE poller_backfill_requests SET finished_at = now(), started_at = COALESCE(started_at, now()) WHERE request_id = $1 AND feed = $2 AND finished_at IS NULL',
        [backfillRequest, feed],
      );
    }
    await this.pool.query(
      `UPDATE poller_feed_state SET last_run_finished_at = now(), last_success_at = now(), consecutive_failures = 0,
         last_error_code = NULL, last_error_message = NULL, exception_raised_code = NULL,
         backfill_from_ms = CASE WHEN $3::text IS NOT NULL AND backfill_request = $3 THEN NULL ELSE backfill_from_ms END,
         backfill_request = CASE WHEN $3::text IS NOT NULL AND backfill_request = $3 THEN NULL ELSE backfill_request END,
         updated_at = now()
       WHERE tenant_id = $1 AND feed = $2`,
      [tenantId, feed, backfillRequest],
    );
  }

  /** Counts a failed run; says whether this failure streak already has its exception for `code` on Kafka. */
  async runFailed(tenantId: string, feed: string, code: string, message: string): Promise<{ streak: number; exceptionRaised: boolean }> {
    const { rows } = await this.pool.query<{ consecutive_failures: number; exception_raised: boolean | null }>(
      `INSERT INTO poller_feed_state (tenant_id, feed, last_run_finished_at, consecutive_failures, last_error_code, last_error_message)
       VALUES ($1, $2, now(), 1, $3, $4)
       ON CONFLICT (tenant_id, feed) DO UPDATE SET last_run_finished_at = now(), consecutive_failures = poller_feed_state.consecutive_failures + 1,
         last_error_code = $3, last_error_message = $4, updated_at = now()
       RETURNING consecutive_failures, exception_raised_code = $3 AS exception_raised`,
      [tenantId, feed, code, message.slice(0, 1000)],
    );
    // The backfill this feed is serving counts the failure too (its progress shows the error).
    await this.pool.query(
      `UPDATE poller_backfill_requests b SET failures = b.failures + 1, last_error_code = $3, last_error_message = $4
       FROM poller_feed_state s WHERE s.tenant_id = $1 AND s.feed = $2 AND b.request_id = s.backfill_request AND b.feed = $2 AND b.finished_at IS NULL`,
      [tenantId, feed, code, message.slice(0, 1000)],
    );
    return { streak: rows[0]?.consecutive_failures ?? 1, exceptionRaised: rows[0]?.exception_raised ?? false };
  }

  /** The backfill run of a feed begins (kept from the first run when it takes several). */
  async backfillStarted(requestId: string, feed: string): Promise<void> {
    await this.pool.query('UPDATE poller_backfill_requests SET started_at = COALESCE(started_at, now()) WHERE request_id = $1 AND feed = $2', [
      requestId,
      feed,
    ]);
  }

  /** Progress of one backfill request per feed, or undefined when the tenant has no such request. */
  async backfillProgress(tenantId: string, requestId: string): Promise<BackfillProgress | undefined> {
    const { rows } = await this.pool.query<{
      feed: string;
      since_ms: string;
      requested_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
      superseded_by: string | null;
      records_read: string;
      emitted: string;
      failures: number;
      last_error_code: string | null;
      last_error_message: string | null;
    }>('SELECT * FROM poller_backfill_requests WHERE tenant_id = $1 AND request_id = $2 ORDER BY feed', [tenantId, requestId]);
    if (!rows.length) return undefined;
    const feeds: BackfillFeedProgress[] = rows.map((r) => ({
      feed: r.feed,
      done: r.finished_at !== null,
      superseded: r.superseded_by !== null && r.finished_at === null,
      recordsRead: Number(r.records_read),
      emitted: Number(r.emitted),
      startedAt: r.started_at?.toISOString() ?? null,
      finishedAt: r.finished_at?.toISOString() ?? null,
      durationMs: r.started_at && r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
      failures: r.failures,
      lastError: r.last_error_code && r.finished_at === null ? { code: r.last_error_code, message: r.last_error_message ?? '' } : null,
    }));
    const failed = feeds.some((f) => f.superseded || (!f.done && f.failures >= BACKFILL_FAILED_AFTER));
    return {
      tenantId,
      requestId,
      since: new Date(Number(rows[0]!.since_ms)).toISOString(),
      requestedAt: rows[0]!.requested_at.toISOString(),
      status: feeds.every((f) => f.done) ? 'done' : failed ? 'failed' : 'running',
      feeds,
    };
  }

  /** Records that the streak's exception for `code` was published (cleared by the next successful run). */
  async markExceptionRaised(tenantId: string, feed: string, code: string): Promise<void> {
    await this.pool.query('UPDATE poller_feed_state SET exception_raised_code = $3, updated_at = now() WHERE tenant_id = $1 AND feed = $2', [
      tenantId,
      feed,
      code,
    ]);
  }

  /** Asks the next run of the feed to read again from `sinceMs` (the cursor itself never moves back). */
  async requestBackfill(tenantId: string, feed: string, sinceMs: number, requestId: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        'UPDATE poller_backfill_requests SET superseded_by = $3 WHERE tenant_id = $1 AND feed = $2 AND finished_at IS NULL AND superseded_by IS NULL',
        [tenantId, feed, requestId],
      );
      await client.query('INSERT INTO poller_backfill_requests (request_id, tenant_id, feed, since_ms) VALUES ($1, $2, $3, $4)', [
        requestId,
        tenantId,
        feed,
        String(sinceMs),
      ]);
      await client.query(
        `INSERT INTO poller_feed_state (tenant_id, feed, backfill_from_ms, backfill_request) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, feed) DO UPDATE SET backfill_from_ms = $3, backfill_request = $4, updated_at = now()`,
        [tenantId, feed, String(sinceMs), requestId],
      );
    });
  }
}
