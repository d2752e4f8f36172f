import type { TopicRecords } from '@mlc/contracts';
import type { Pool, PoolClient } from 'pg';

type Requested = TopicRecords['accounting.fusion-receivables.requested.v1'];

/** A command set aside until the invoice it needs is written. */
export interface WaitingRecord {
  tenantId: string;
  idempotencyKey: string;
  kind: string;
  /** The CrossReference of the invoice it waits for. */
  waitsFor: string;
  shopifyOrderId: string | null;
  /** The command as it arrived (its meta is the original's). */
  command: Requested;
  /** The Kafka key it arrived with (tenant:order), kept when it is sent again. */
  sourceKey: string | null;
  since: Date;
  deadline: Date;
  releasedAt: Date | null;
  releases: number;
}

interface Row {
  tenant_id: string;
  idempotency_key: string;
  kind: string;
  waits_for: string;
  shopify_order_id: string | null;
  command: Requested;
  source_key: string | null;
  since: Date;
  deadline: Date;
  released_at: Date | null;
  releases: number;
}

const fromRow = (r: Row): WaitingRecord => ({
  tenantId: r.tenant_id,
  idempotencyKey: r.idempotency_key,
  kind: r.kind,
  waitsFor: r.waits_for,
  shopifyOrderId: r.shopify_order_id,
  command: r.command,
  sourceKey: r.source_key,
  since: r.since,
  deadline: r.deadline,
  releasedAt: r.released_at,
  releases: r.releases,
});

/**
 * Commands that need an invoice Fusion does not hold yet (a credit memo, the credit half of an amendment, a payment),
 * set aside in Postgres per tenant and order instead of holding their Kafka partition: the consumer commits them and
 * goes on. Writing the invoice releases them (they are sent again, oldest first); one still waiting at its deadline
 * is taken out and raised as an exception. A row stays until its command is done, so a release lost in a crash is
 * released again by the next write or replay of the invoice (the writer's ledger makes a second run a no-op).
 */
export class ReceivablesWaitingStore {
  constructor(private readonly pool: Pool) {}

  /** Sets a command aside (again): the first time it waited and its deadline are kept. */
  async setAside(cmd: Requested, waitsFor: string, sourceKey: string | null, maxWaitMs: number): Promise<WaitingRecord> {
    const r = await this.pool.query(
      `INSERT INTO fusion_writer_receivables_waiting (tenant_id, idempotency_key, kind, waits_for, shopify_order_id, command, source_key, since, deadline)
       VALUES ($1,$2,$3,$4,$5,$6,$7, now(), now() + ($8::bigint * interval '1 millisecond'))
       ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET waits_for = EXCLUDED.waits_for, released_at = NULL
       RETURNING *`,
      [cmd.meta.tenantId, cmd.idempotencyKey, cmd.kind, waitsFor, cmd.shopifyOrderId, JSON.stringify(cmd), sourceKey, maxWaitMs],
    );
    return fromRow(r.rows[0] as Row);
  }

  /** The commands waiting for an invoice, oldest first, marked released (they are about to be sent again). */
  async release(tenantId: string, waitsFor: string): Promise<WaitingRecord[]> {
    const r = await this.pool.query(
      `UPDATE fusion_writer_receivables_waiting SET released_at = now(), releases = releases + 1
       WHERE tenant_id = $1 AND waits_for = $2 RETURNING *`,
      [tenantId, waitsFor],
    );
    return (r.rows as Row[]).map(fromRow).sort((a, b) => a.since.getTime() - b.since.getTime() || a.idempotencyKey.localeCompare(b.idempotencyKey));
  }

  /** The command is done: it waits no more. */
  async done(tenantId: string, idempotencyKey: string): Promise<void> {
    await this.pool.query('DELETE FROM fusion_writer_receivables_waiting WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, idempotencyKey]);
  }

  /**
   * Takes out the commands whose deadline has passed (at most `limit`), handing them to `raise` inside a transaction:
   * they are removed only once `raise` succeeded, and two replicas never take the same row.
   */
  async expire(raise: (expired: WaitingRecord[]) => Promise<void>, limit = 100): Promise<number> {
    const client: PoolClient = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await client.query(
        'SELECT * FROM fusion_writer_receivables_waiting WHERE deadline <= now() ORDER BY since, idempotency_key LIMIT $1 FOR UPDATE SKIP LOCKED',
        [limit],
      );
      const rows = (r.rows as Row[]).map(fromRow);
      if (rows.length) {
        await raise(rows);
        for (const w of rows)
          await client.query('DELETE FROM fusion_writer_receivables_waiting WHERE tenant_id = $1 AND idempotency_key = $2', [w.tenantId, w.idempotencyKey]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** How many commands wait, per tenant. */
  async counts(): Promise<Map<string, number>> {
    const r = await this.pool.query('SELECT tenant_id, count(*)::int AS n FROM fusion_writer_receivables_waiting GROUP BY tenant_id');
    return new Map((r.rows as { tenant_id: string; n: number }[]).map((row) => [row.tenant_id, row.n]));
  }

  /** What waits (a tenant's, or everyone's), oldest first. */
  async list(tenantId?: string): Promise<WaitingRecord[]> {
    const r = tenantId
      ? await this.pool.query('SELECT * FROM fusion_writer_receivables_waiting WHERE tenant_id = $1 ORDER BY since, idempotency_key', [tenantId])
      : await this.pool.query('SELECT * FROM fusion_writer_receivables_waiting ORDER BY since, idempotency_key');
    return (r.rows as Row[]).map(fromRow);
  }
}
