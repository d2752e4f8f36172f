import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';
import { TOPICS } from '@mlc/contracts';
import { pruneTestKafka, TEST_BROKERS, testSuffixTime } from './test-kafka';
import { waitFor } from './wait-for';

describe('pruneTestKafka: the topics and groups of old test runs go, the current ones stay', () => {
  it('reads a run’s start time from its suffix and deletes only runs older than the limit', async () => {
    const now = Date.now();
    const stamp = (ms: number, hex: string) => `.t${ms.toString(36).padStart(8, '0')}${hex}`;
    const oldSuffix = stamp(now - 3 * 3_600_000, 'a1b2c3');
    const newSuffix = stamp(now - 60_000, 'd4e5f6');
    assert.equal(testSuffixTime(`erp.purchase-order.changed.v1${oldSuffix}`), now - 3 * 3_600_000);
    assert.equal(testSuffixTime(`erp.purchase-order.changed.v1${oldSuffix}.dlq`), now - 3 * 3_600_000);
    assert.equal(testSuffixTime('erp.purchase-order.changed.v1'), undefined);
    assert.equal(testSuffixTime('collector-1a2b3c4d'), undefined);

    const kafka = createKafka({ brokers: TEST_BROKERS, clientId: 'prune-spec' });
    const specs = [TOPICS['ops.exception.raised.v1']];
    await ensureTopics(kafka, { suffix: oldSuffix, partitions: 1, specs });
    await ensureTopics(kafka, { suffix: newSuffix, partitions: 1, specs });
    // An empty consumer group of the old run.
    const consumer = kafka.consumer({ groupId: `collector-0000${oldSuffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `ops.exception.raised.v1${oldSuffix}`, fromBeginning: true });
    const joined = new Promise((r) => consumer.on(consumer.events.GROUP_JOIN, r));
    await consumer.run({ eachMessage: async () => undefined });
    await joined; // the group exists on the broker; after the disconnect it is empty
    await consumer.disconnect();
    // The old run's topics are in the broker's metadata (a created topic reaches it a moment after the controller).
    const setup = kafka.admin();
    await setup.connect();
    try {
      await waitFor(async () => (await setup.listTopics()).filter((t) => t.endsWith(oldSuffix) || t.endsWith(`${oldSuffix}.dlq`)).length >= 2, {
        what: "the old run's topics listed",
      });
    } finally {
      await setup.disconnect();
    }

    const r = await pruneTestKafka(kafka, 3_600_000, now);
    assert.ok(r.topics >= 2 && r.groups >= 1, JSON.stringify(r));
    const admin = kafka.admin();
    await admin.connect();
    try {
      // A deletion the controller has accepted reaches the broker's metadata a moment later (a CI run listed it once).
      const left = await waitFor(
        async () => {
          const names = await admin.listTopics();
          const gone = !names.includes(`ops.exception.raised.v1${oldSuffix}`) && !names.includes(`ops.exception.raised.v1${oldSuffix}.dlq`);
          return gone ? names : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 250, what: 'the old run’s topics to leave the metadata' },
      );
      assert.ok(left.includes(`ops.exception.raised.v1${newSuffix}`) && left.includes(`ops.exception.raised.v1${newSuffix}.dlq`), 'current run kept');
      assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === `collector-0000${oldSuffix}`), 'old group deleted');
      await admin.deleteTopics({ topics: [`ops.exception.raised.v1${newSuffix}`, `ops.exception.raised.v1${newSuffix}.dlq`] });
    } finally {
      await admin.disconnect();
    }
  });
});
