import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOPICS } from '@mlc/contracts';
import { plannedTopics } from './topics.bootstrap';

const entry = (t: { configEntries: Array<{ name: string; value: string }> }, name: string) => t.configEntries.find((e) => e.name === name)?.value;

describe('plannedTopics: what the topic bootstrap creates', () => {
  it('replication 3 → min.insync.replicas 2 on every topic and dead-letter topic; data topics get at least the minimum partitions', () => {
    const planned = plannedTopics({ replicationFactor: 3, minPartitions: 6 });
    assert.equal(planned.length, Object.keys(TOPICS).length * 2);
    for (const t of planned) {
      assert.equal(t.replicationFactor, 3);
      assert.equal(entry(t, 'min.insync.replicas'), '2', t.topic);
      assert.equal(entry(t, 'retention.ms'), '-1', t.topic);
      assert.equal(t.numPartitions, t.topic.endsWith('.dlq') ? 1 : 6, t.topic);
    }
  });

  it('one replica (a laptop broker): no min.insync.replicas; an explicit value wins; one above the replication factor is refused', () => {
    for (const t of plannedTopics({ replicationFactor: 1 })) assert.equal(entry(t, 'min.insync.replicas'), undefined);
    assert.equal(entry(plannedTopics({ replicationFactor: 5, minInsyncReplicas: 3 })[0]!, 'min.insync.replicas'), '3');
    assert.throws(() => plannedTopics({ replicationFactor: 1, minInsyncReplicas: 2 }), /min.insync.replicas 2 is above the replication factor 1/);
  });

  it('a test override of the partitions wins over the minimum; a registry count above the minimum is kept', () => {
    assert.ok(plannedTopics({ partitions: 1, minPartitions: 6 }).every((t) => t.numPartitions === 1));
    const spec = { ...TOPICS['erp.purchase-order.changed.v1'], partitions: 12 };
    assert.deepEqual(
      plannedTopics({ specs: [spec], minPartitions: 6 }).map((t) => t.numPartitions),
      [12, 1],
    );
  });
});
