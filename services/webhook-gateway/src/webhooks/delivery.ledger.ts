import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

export interface DeliveryRow {
  tenantId: string;
  partner: 'shipbob' | 'shopify';
  dedupeKey: string;
  deliveryId: string;
  topic: string;
  origin: 'webhook' | 'sweep';
  recordKey: string | null;
  eventId: string;
}

/** A claimed batch: which deliveries were published before, and the open transaction holding the others' rows. */
export interface Claim {
  duplicates: Set<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** One key a delivery is known by. */
export interface DeliveryKey {
  tenantId: string;
  partner: string;
  dedupeKey: string;
}

/** The identity of a delivery key as one string (for sets). */
export function deliveryKeyId(k: DeliveryKey): string {
  return `${k.tenantId}\u0000${k.partner}\u0000${k.dedupeKey}`;
}

/** A 64-bit advisory-lock key (as a decimal string) for a name. */
export function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Runs `query` (one statement sent on `client` synchronously, as pg does when the client is idle) with the client's
 * socket corked: an extended-protocol statement is five messages (Parse, Bind, Describe, Execute, Sync), each one
 * socket write of its own otherwise, which on a busy machine costs more CPU than the statement itself.
 */
function corked<T>(client: PoolClient, query: () => Promise<T>): Promise<T> {
  const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
  if (!stream?.cork || !stream.uncork) return query();
  stream.cork();
  try {
    return query();
  } finally {
    stream.uncork();
  }
}

/**
 * `gateway_deliveries`: every delivery the gateway published (webhooks and sweep), so a redelivery is answered
 * without publishing again and the sweep skips what a webhook already brought. A row is written only after Kafka
 * acknowledged the record; a delivery known by several keys (Shopify: its Event-Id and its Webhook-Id) has one row
 * per key, and a later delivery matching any of them is a redelivery.
 */
export class DeliveryLedger {
  constructor(private readonly pool: Pool) {}

  /**
   * Claims a batch of deliveries in an open transaction, in two round trips: (1) BEGIN and transaction-scoped advisory
   * locks on every key of every delivery (one statement, ascending lock-key order, so two gateways claiming
   * overlapping batches cannot both publish one delivery, nor deadlock); (2) one statement that finds the deliveries
   * already published under any of their keys and inserts the rows of all the others. Its snapshot is taken after
   * the locks were granted, so it sees what the previous holder of a lock committed. A webhook whose record version
   * (record key) the sweep already published is a duplicate too: the sweep brought that version when the webhook was
   * late, and the webhook carries the same version. Returns the indexes (into
   * `deliveries`) of the duplicates and the open transaction: `commit()` once Kafka acknowledged the others (the rows
   * become visible), `rollback()` when it did not (nothing was remembered). Either one ends the claim.
   */
  async claim(deliveries: readonly DeliveryRow[][]): Promise<Claim> {
    const locks = [...new Set(deliveries.flat().map((r) => lockKey(`mlc:gateway:delivery:${r.tenantId}:${r.partner}:${r.dedupeKey}`)))].sort((a, b) => {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const client = await this.pool.connect();
    let open = false;
    const end = async (sql: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
      if (!open) return;
      open = false;
      try {
        await client.query(sql);
        client.release();
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
    };
    try {
      // Lock keys are decimal integers we computed (lockKey), never partner input: safe to inline, so BEGIN and the
      // locks travel in one simple-protocol round trip.
      open = true;
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(k) FROM unnest('{${locks.join(',')}}'::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i`);
      const rows = deliveries.flatMap((keys, idx) => keys.map((r) => ({ idx, r })));
      const dup = await corked(client, () =>
        client.query<{ idx: number }>(
          `WITH input AS (
           SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
             AS t(idx, tenant_id, partner, dedupe_key, delivery_id, topic, origin, record_key, event_id)
         ), dup AS (
           SELECT i.idx FROM input i
             JOIN gateway_deliveries g ON g.tenant_id = i.tenant_id AND g.partner = i.partner AND g.dedupe_key = i.dedupe_key
           UNION
           SELECT i.idx FROM input i
            WHERE i.origin = 'webhook' AND i.record_key IS NOT NULL
              AND EXISTS (SELECT 1 FROM gateway_deliveries g WHERE g.tenant_id = i.tenant_id AND g.record_key = i.record_key AND g.origin = 'sweep')
         ), ins AS (
           INSERT INTO gateway_deliveries (tenant_id, partner, dedupe_key, delivery_id, topic, origin, record_key, event_id)
           SELECT tenant_id, partner, dedupe_key, delivery_id, topic, origin, record_key, event_id FROM input WHERE idx NOT IN (SELECT idx FROM dup)
           ON CONFLICT (tenant_id, partner, dedupe_key) DO NOTHING
         )
         SELECT idx FROM dup`,
          [
            rows.map((x) => x.idx),
            rows.map((x) => x.r.tenantId),
            rows.map((x) => x.r.partner),
            rows.map((x) => x.r.dedupeKey),
            rows.map((x) => x.r.deliveryId),
            rows.map((x) => x.r.topic),
            rows.map((x) => x.r.origin),
            rows.map((x) => x.r.recordKey),
            rows.map((x) => x.r.eventId),
          ],
        ),
      );
      return { duplicates: new Set(dup.rows.map((x) => x.idx)), commit: () => end('COMMIT'), rollback: () => end('ROLLBACK').catch(() => undefined) };
    } catch (err) {
      await end('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Records published deliveries (inside the lock's transaction, or on their own). */
  async record(rows: DeliveryRow[], client: Pick<Pool, 'query'> = this.pool): Promise<void> {
    if (!rows.length) return;
    const params: unknown[] = [];
    const values = rows.map((r, i) => {
      params.push(r.tenantId, r.partner, r.dedupeKey, r.deliveryId, r.topic, r.origin, r.recordKey, r.eventId);
      const b = i * 8;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
    });
    await client.query(
      `INSERT INTO gateway_deliveries (tenant_id, partner, dedupe_key, delivery_id, topic, origin, record_key, event_id)
       VALUES ${values.join(', ')} ON CONFLICT (tenant_id, partner, dedupe_key) DO NOTHING`,
      params,
    );
  }

  /** Which of these dedupe keys were published already. */
  async publishedKeys(tenantId: string, partner: string, dedupeKeys: string[]): Promise<Set<string>> {
    if (!dedupeKeys.length) return new Set();
    const r = await this.pool.query<{ dedupe_key: string }>(
      'SELECT dedupe_key FROM gateway_deliveries WHERE tenant_id = $1 AND partner = $2 AND dedupe_key = ANY($3::text[])',
      [tenantId, partner, dedupeKeys],
    );
    return new Set(r.rows.map((x) => x.dedupe_key));
  }

  /** Which of these record keys (Shopify id + updated_at) were already seen through a webhook or the sweep. */
  async seenRecordKeys(tenantId: string, recordKeys: string[]): Promise<Set<string>> {
    if (!recordKeys.length) return new Set();
    const r = await this.pool.query<{ record_key: string }>(
      'SELECT DISTINCT record_key FROM gateway_deliveries WHERE tenant_id = $1 AND record_key = ANY($2::text[])',
      [tenantId, recordKeys],
    );
    return new Set(r.rows.map((x) => x.record_key));
  }
}
