import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { TOPICS } from '@mlc/contracts';
import { TEST_BROKERS } from '@mlc/platform-testing';
import { createKafka } from './kafka.options';
import { ensureTopics, type TopicAlignment } from './topics.bootstrap';

/** The topic bootstrap on the real broker: partitions at creation, min.insync.replicas on new and existing topics. */
describe('ensureTopics on a real broker', () => {
  // A test run's suffix (pruned with the run's other topics after an hour).
  const suffix = `.t${Date.now().toString(36).padStart(8, '0')}${randomBytes(3).toString('hex')}`;
  const specs = [TOPICS['erp.purchase-order.changed.v1']];
  const topic = `erp.purchase-order.changed.v1${suffix}`;
  let kafka: Kafka;
  let admin: ReturnType<Kafka['admin']>;

  const minInsync = async (name: string) => {
    const d = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas', 'retention.ms'] }],
    });
    const entries = d.resources[0]!.configEntries;
    const m = entries.find((e) => e.configName === 'min.insync.replicas')!;
    // configSource 1 = TOPIC_CONFIG: set on the topic itself (the broker's default may be set in its own config).
    return { value: m.configValue, onTopic: m.configSource === 1, retention: entries.find((e) => e.configName === 'retention.ms')?.configValue };
  };

  before(async () => {
    kafka = createKafka({ brokers: TEST_BROKERS, clientId: `topics-bootstrap${suffix}` });
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
  });

  it('creates data topics with the minimum partitions; sets min.insync.replicas on existing topics; never re-partitions', async () => {
    // First bootstrap: one replica, no min.insync.replicas override.
    assert.deepEqual((await ensureTopics(kafka, { suffix, specs, minPartitions: 6 })).sort(), [topic, `${topic}.dlq`]);
    const meta = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
    assert.deepEqual(meta.topics.map((t) => [t.name, t.partitions.length]).sort(), [
      [topic, 6],
      [`${topic}.dlq`, 1],
    ]);
    assert.equal((await minInsync(topic)).onTopic, false);

    // Later bootstrap with the setting: the existing topics get it (their retention kept), nothing is re-created.
    const reports: TopicAlignment[] = [];
    assert.deepEqual(await ensureTopics(kafka, { suffix, specs, minPartitions: 8, minInsyncReplicas: 1, report: (r) => reports.push(r) }), []);
    assert.deepEqual(reports[0]?.altered.sort(), [topic, `${topic}.dlq`]);
    assert.deepEqual(reports[0]?.underPartitioned, [{ topic, partitions: 6, wanted: 8 }]);
    for (const name of [topic, `${topic}.dlq`]) assert.deepEqual(await minInsync(name), { value: '1', onTopic: true, retention: '-1' });
    assert.equal((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length, 6, 'not re-partitioned');

    // Already aligned: nothing altered.
    const again: TopicAlignment[] = [];
    await ensureTopics(kafka, { suffix, specs, minPartitions: 6, minInsyncReplicas: 1, report: (r) => again.push(r) });
    assert.deepEqual(again[0], { altered: [], underPartitioned: [] });
  });
});
