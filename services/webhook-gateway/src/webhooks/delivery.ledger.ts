import { createHash } from 'node:crypto';
import { inTransaction } from '@mlc/platform-service';
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
 * `gateway_deliveries`: every delivery the gateway published (webhooks and sweep), so a redelivery is answered
 * without publishing again and the sweep skips what a webhook already brought. A row is written only after Kafka
 * acknowledged the record; a delivery known by several keys (Shopify: its Event-Id and its Webhook-Id) has one row
 * per key, and a later delivery matching any of them is a redelivery.
 */
export class DeliveryLedger {
  constructor(private readonly pool: Pool) {}

  /**
   * Runs `work` in one transaction holding transaction-scoped advisory locks for every key of every delivery of a
   * batch (one statement, taken in ascending lock-key order, so two gateways publishing overlapping batches cannot both
   * publish one delivery, nor deadlock), telling it which of those keys were already published. The lookup is a
   * separate statement after the locks: under READ COMMITTED its snapshot then includes what the previous holder of a
   * lock committed.
   */
  async withDeliveriesLocked<T>(keys: readonly DeliveryKey[], work: (published: Set<string>, client: PoolClient) => Promise<T>): Promise<T> {
    const locks = [...new Set(keys.map((k) => lockKey(`mlc:gateway:delivery:${k.tenantId}:${k.partner}:${k.dedupeKey}`)))].sort((a, b) => {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i', [locks]);
      const found = await client.query<{ tenant_id: string; partner: string; dedupe_key: string }>(
        `SELECT tenant_id, partner, dedupe_key FROM gateway_deliveries
          WHERE (tenant_id, partner, dedupe_key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
        [keys.map((k) => k.tenantId), keys.map((k) => k.partner), keys.map((k) => k.dedupeKey)],
      );
      return await work(new Set(found.rows.map((r) => deliveryKeyId({ tenantId: r.tenant_id, partner: r.partner, dedupeKey: r.dedupe_key }))), client);
    });
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

  /** Forgets deliveries older than the retention (far beyond any partner's retry window). */
  async prune(olderThanDays: number): Promise<number> {
    const r = await this.pool.query(`DELETE FROM gateway_deliveries WHERE published_at < now() - make_interval(days => $1)`, [olderThanDays]);
    return r.rowCount ?? 0;
  }
}
