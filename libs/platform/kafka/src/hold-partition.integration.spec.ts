import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka, Producer } from 'kafkajs';
import { AvroCodec, TOPICS, type WebhookReceived } from '@mlc/contracts';
import { testKafka, waitFor, waitForLagZero } from '@mlc/platform-testing';
import { EventConsumer } from './event.consumer';
import { toMessage } from './event.publisher';
import { newMeta } from './event-meta';
import { HoldPartition } from './hold-partition';
import { ensureTopics } from './topics.bootstrap';

const hook = (tenantId: string, deliveryId: string): WebhookReceived => ({
  meta: newMeta({ tenantId, source: 'test' }),
  partner: 'shipbob',
  topic: 'order.shipped',
  deliveryId,
  headers: {},
  body: '{}',
});

describe('HoldPartition: a handler holds its partition, the others flow', () => {
  let kafka: Kafka;
  let suffix: string;
  let producer: Producer;
  const codec = new AvroCodec();
  let consumer: EventConsumer<'shipbob.webhook.received.v1'> | undefined;

  before(async () => {
    let base: string;
    ({ kafka, suffix: base } = await testKafka('hold'));
    // Test topics have one partition; this spec needs two.
    suffix = `${base}p2`;
    for (const c of [1, 4]) await ensureTopics(kafka, { suffix: `${suffix}c${c}`, partitions: 2, specs: [TOPICS['shipbob.webhook.received.v1']] });
    producer = kafka.producer();
    await producer.connect();
  });
  after(async () => {
    await consumer?.stop();
    await producer.disconnect();
  });

  const send = (run: string, partition: number, tenantId: string, deliveryId: string) =>
    producer.send({
      topic: `shipbob.webhook.received.v1${run}`,
      messages: [{ ...toMessage(codec, { topic: 'shipbob.webhook.received.v1', key: `${tenantId}:x`, value: hook(tenantId, deliveryId) }), partition }],
    });

  for (const concurrencyPerPartition of [1, 4])
    it(`holds the paused tenant in Kafka (nothing parked, nothing lost, order kept) while another partition goes on (concurrencyPerPartition ${concurrencyPerPartition})`, async () => {
      await consumer?.stop();
      const run = `${suffix}c${concurrencyPerPartition}`;
      let paused = true;
      let holds = 0;
      const handled: string[] = [];
      consumer = new EventConsumer(
        kafka,
        {
          groupId: `hold${run}`,
          service: 'test',
          topics: ['shipbob.webhook.received.v1'],
          topicSuffix: run,
          maxAttempts: 1,
          concurrencyPerPartition,
          handler: async (v) => {
            if (v.meta.tenantId === 'paused' && paused) {
              holds += 1;
              throw new HoldPartition('paused for the test', async (signal) => {
                while (paused && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
              });
            }
            handled.push(v.deliveryId);
          },
          log: () => undefined,
        },
        codec,
      );
      await consumer.start();
      await send(run, 0, 'paused', 'p1');
      await send(run, 0, 'paused', 'p2');
      await waitFor(() => holds >= 1, { what: 'the first record held' });
      await send(run, 1, 'running', 'r1');
      await send(run, 1, 'running', 'r2');
      await waitFor(() => handled.includes('r2'), { what: 'the other partition flows', timeoutMs: 10_000 });
      await waitFor(() => consumer!.status().held.length > 0, { what: 'the hold in the status' });
      assert.deepEqual(handled, ['r1', 'r2'], 'nothing of the held partition was handled');
      assert.deepEqual(consumer.status().held, [`shipbob.webhook.received.v1${run}:0`]);
      assert.equal(consumer.status().parked, 0);
      paused = false;
      await waitFor(() => handled.includes('p2'), { what: 'held records handled after release', timeoutMs: 10_000 });
      // Everything is committed: a record handled twice would have been handled before its commit.
      await waitForLagZero(kafka, `hold${run}`, [`shipbob.webhook.received.v1${run}`]);
      assert.deepEqual(handled, ['r1', 'r2', 'p1', 'p2'], 'each held record once, in order');
      assert.deepEqual(consumer.status().held, []);
    });
});
