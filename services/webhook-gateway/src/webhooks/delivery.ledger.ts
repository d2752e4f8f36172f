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
   * Runs `work` while holding transaction-scoped advisory locks for every key of the delivery (taken in one order, so
   * two copies of one webhook arriving together cannot both publish, nor deadlock), telling it whether the delivery
   * was already published under any of its keys.
   */
  async withDeliveryLock<T>(
    row: Pick<DeliveryRow, 'tenantId' | 'partner'> & { dedupeKeys: string[] },
    work: (published: boolean, client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const keys = [...new Set(row.dedupeKeys)].sort();
    return inTransaction(this.pool, async (client) => {
      for (const key of keys) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`mlc:gateway:delivery:${row.tenantId}:${row.partner}:${key}`)]);
      }
      const found = await client.query('SELECT 1 FROM gateway_deliveries WHERE tenant_id = $1 AND partner = $2 AND dedupe_key = ANY($3::text[]) LIMIT 1', [
        row.tenantId,
        row.partner,
        keys,
      ]);
      return await work((found.rowCount ?? 0) > 0, client);
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
