import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProducerBatch, RecordMetadata } from 'kafkajs';
import { completeSendBatch, recordingPartitioner } from './complete-send';

const PARTITIONS = 6;
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, i) => ({
  partitionId: i,
  leader: 1 + (i % 3),
  partitionErrorCode: 0,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
}));

/**
 * A topic behind a send that behaves as kafkajs 2.2.4 does when a leader moves during its retry: the messages of the
 * partitions in `dropOnce` are left out of the first send, which still resolves, with answers for the others only.
 */
function flakyTopic(dropOnce: Set<number>) {
  const partition = recordingPartitioner();
  const log: Array<{ partition: number; key: string }> = [];
  let sends = 0;
  const send = async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
    sends++;
    const acked = new Set<number>();
    for (const { topic, messages } of batch.topicMessages ?? [])
      for (const message of messages) {
        const p = partition({ topic, partitionMetadata, message });
        if (sends === 1 && dropOnce.has(p)) continue;
        log.push({ partition: p, key: String(message.key) });
        acked.add(p);
      }
    return [...acked].map((p) => ({ topicName: 't', partition: p, errorCode: 0, baseOffset: '0' }));
  };
  return { send, log, sends: () => sends };
}

describe('completeSendBatch: every message acknowledged, or an error', () => {
  const messages = Array.from({ length: 40 }, (_, i) => ({ key: `po-${i}`, value: `v${i}` }));

  it('messages a send left out (their partition has no answer) are sent again, each on the partition it was meant for', async () => {
    const first = flakyTopic(new Set());
    await completeSendBatch(first.send, { acks: -1, topicMessages: [{ topic: 't', messages: messages.map((m) => ({ ...m })) }] });
    const meant = new Map(first.log.map((x) => [x.key, x.partition]));

    const topic = flakyTopic(new Set([1, 4]));
    await completeSendBatch(topic.send, { acks: -1, topicMessages: [{ topic: 't', messages: messages.map((m) => ({ ...m })) }] });
    assert.equal(topic.sends(), 2);
    assert.deepEqual(topic.log.map((x) => x.key).sort(), messages.map((m) => m.key).sort(), 'each message on the topic exactly once');
    for (const x of topic.log) assert.equal(x.partition, meant.get(x.key), `${x.key} on its own partition`);
  });

  it('a send that keeps leaving messages out fails retryable after five rounds instead of resolving', async () => {
    const never = recordingPartitioner();
    const send = async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
      for (const { topic, messages: ms } of batch.topicMessages ?? []) for (const message of ms) never({ topic, partitionMetadata, message });
      return [];
    };
    await assert.rejects(
      completeSendBatch(send, { acks: -1, topicMessages: [{ topic: 't', messages: messages.map((m) => ({ ...m })) }] }),
      (err: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(err.code, 'KAFKA.SEND_INCOMPLETE');
        assert.equal(err.retryable, true);
        return true;
      },
    );
  });
});
