// mapper's retention sweep over real PostgreSQL (migrated by the one migrator): rows older than the setting go, newer
// ones stay, and a replica that finds another one sweeping does nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { loadConfig } from '@mlc/platform-config';
import { retentionSettings, sweepRetention } from '@mlc/platform-service';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { MAPPER_RETENTION_TARGETS, mapperSettings } from './config/mapper.config';

const LOCK = createHash('sha256').update('mlc:retention:dedup').digest().readBigInt64BE(0).toString();

let db: TestDatabase;
let pool: Pool;

async function seed(ageDays: number, id: string): Promise<void> {
  const at = `now() - make_interval(days => ${ageDays})`;
  await pool.query(`INSERT INTO processed_events (consumer_group, event_id, processed_at) VALUES ('mapper.shipments', $1, ${at})`, [id]);
  await pool.query(`INSERT INTO mapper_shipment_deliveries (tenant_id, delivery_id, event_id, topic, received_at) VALUES ('t', $1, $1, 'x', ${at})`, [id]);
  await pool.query(
    `INSERT INTO mapper_shipment_emitted (tenant_id, record_key, source_event_id, topic, message_key, value, created_at) VALUES ('t', $1, $1, 'x', 'k', '{}', ${at})`,
    [id],
  );
}

async function ids(): Promise<Record<string, string[]>> {
  const q = async (sql: string) => (await pool.query<{ id: string }>(sql)).rows.map((r) => r.id).sort();
  return {
    processed_events: await q('SELECT event_id AS id FROM processed_events'),
    mapper_shipment_deliveries: await q('SELECT delivery_id AS id FROM mapper_shipment_deliveries'),
    mapper_shipment_emitted: await q('SELECT record_key AS id FROM mapper_shipment_emitted'),
  };
}

before(async () => {
  db = await testDatabase('mapper_retention');
  pool = new Pool({ connectionString: db.url, max: 3 });
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

describe('de-duplication retention (DEDUP_RETENTION_DAYS)', () => {
  it('defaults to 90 days and refuses less than 7', () => {
    assert.equal(mapperSettings.dedupRetentionDays, retentionSettings.dedupRetentionDays);
    assert.equal(loadConfig(retentionSettings, {}).dedupRetentionDays, 90);
    assert.throws(() => loadConfig(retentionSettings, { DEDUP_RETENTION_DAYS: '3' }), /DEDUP_RETENTION_DAYS/);
  });

  it('deletes rows older than the retention from every table and keeps the newer ones', async () => {
    await seed(120, 'old');
    await seed(10, 'recent');
    const deleted = await sweepRetention(pool, MAPPER_RETENTION_TARGETS, 90);
    assert.deepEqual(deleted, { processed_events: 1, mapper_shipment_deliveries: 1, mapper_shipment_emitted: 1 });
    assert.deepEqual(await ids(), { processed_events: ['recent'], mapper_shipment_deliveries: ['recent'], mapper_shipment_emitted: ['recent'] });
  });

  it('runs on one replica at a time: while another holds the lock it deletes nothing', async () => {
    await seed(200, 'older');
    const other = await pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [LOCK]);
      assert.equal(await sweepRetention(pool, MAPPER_RETENTION_TARGETS, 90), undefined);
      assert.deepEqual((await ids()).processed_events, ['older', 'recent']);
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [LOCK]);
      other.release();
    }
    assert.deepEqual(await sweepRetention(pool, MAPPER_RETENTION_TARGETS, 90), {
      processed_events: 1,
      mapper_shipment_deliveries: 1,
      mapper_shipment_emitted: 1,
    });
  });
});
