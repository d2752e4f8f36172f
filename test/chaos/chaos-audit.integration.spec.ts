import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import { testDatabase, testKafka, type TestDatabase } from '@mlc/platform-testing';
import { checkAudit } from '../../tools/chaos/evidence';

const TOPIC = 'shopify.webhook.received.v1';

// The chaos run's audit count (tools/chaos/evidence.ts checkAudit): records on the topics audit-projector consumes vs
// audit entries, once its group has committed them; a difference is checked against the event ids read back.
describe('chaos audit check', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let client: Client;
  let kafka: Kafka;
  let suffix: string;
  const groupId = () => `chaos-audit${suffix}`;

  before(async () => {
    ({ kafka, suffix } = await testKafka('chaos-audit'));
    db = await testDatabase('chaos_audit');
    client = new Client({ connectionString: db.url });
    await client.connect();
    // One event written twice (as after a kill between the send and its acknowledgement), then another one.
    const producer = kafka.producer();
    await producer.connect();
    for (const id of ['ev-1', 'ev-1', 'ev-2'])
      await producer.send({ topic: `${TOPIC}${suffix}`, messages: [{ key: 't1:d1', value: Buffer.from('x'), headers: { 'mlc-event-id': id }, partition: 0 }] });
    await producer.disconnect();
    // audit-projector keeps one entry per event id, at the position it was first seen.
    for (const [id, offset] of [
      ['ev-1', 0],
      ['ev-2', 2],
    ] as const)
      await client.query(
        `INSERT INTO audit_entries (event_id, tenant_id, topic, record, source, source_system, target_system, direction, entity_type, business_id,
                                    correlation_id, occurred_at, result, kafka_partition, kafka_offset)
         VALUES ($1, 't1', $2, 'mlc.webhook.WebhookReceived', 'test', 'shopify', 'mlc', 'inbound', 'webhook', 'd1', $1, now(), 'ok', 0, $3)`,
        [id, TOPIC, offset],
      );
  });

  after(async () => {
    await client?.end();
    await db?.drop();
  });

  const commit = async (offset: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: groupId(), topic: `${TOPIC}${suffix}`, partitions: [{ partition: 0, offset }] });
    } finally {
      await admin.disconnect();
    }
  };

  it('counts records the group has not committed as lag after the bounded wait', async () => {
    await commit('1');
    const a = await checkAudit(kafka, client, 1_500, () => undefined, { suffix, groupId: groupId() });
    assert.equal(a.lag, 2);
  });

  it('once the group committed everything: 3 records, 2 entries, explained by 2 distinct event ids', async () => {
    await commit('3');
    const a = await checkAudit(kafka, client, 5_000, () => undefined, { suffix, groupId: groupId() });
    assert.equal(a.lag, 0);
    assert.deepEqual(
      { events: a.events, entries: a.entries, differences: a.differences },
      {
        events: 3,
        entries: 2,
        differences: [{ topic: `${TOPIC}${suffix}`, records: 3, entries: 2, eventIds: 2 }],
      },
    );
  });
});
