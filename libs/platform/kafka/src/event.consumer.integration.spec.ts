import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type WebhookReceived } from '@mlc/contracts';
import { AppError } from '@mlc/platform-errors';
import { collect, testDatabase, testKafka, waitFor } from '@mlc/platform-testing';
import { EventConsumer, type ConsumedRecord } from './event.consumer';
import { EventPublisher } from './event.publisher';
import { PgProcessedEventStore } from './processed-events.store';
import { Pool } from 'pg';
import { newMeta } from './event-meta';

const hook = (deliveryId: string, body = '{}'): WebhookReceived => ({
  meta: newMeta({ tenantId: 'acme', source: 'test' }),
  partner: 'shipbob',
  topic: 'order.shipped',
  deliveryId,
  headers: {},
  body,
});

describe('EventConsumer on a real broker', () => {
  let kafka: Kafka;
  let suffix: string;
  let publisher: EventPublisher;
  const codec = new AvroCodec();
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    ({ kafka, suffix } = await testKafka('consumer'));
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
  });
  after(async () => {
    for (const c of cleanups) await c();
    await publisher.disconnect();
  });

  it('delivers typed records, dead-letters garbage raw and keeps going', async () => {
    const seen: string[] = [];
    const consumer = new EventConsumer(
      kafka,
      {
        groupId: `g1${suffix}`,
        service: 'test',
        topics: ['shipbob.webhook.received.v1'],
        topicSuffix: suffix,
        handler: async (v) => void seen.push(v.deliveryId),
        log: () => undefined,
      },
      codec,
    );
    cleanups.push(() => consumer.stop());
    await consumer.start();
    const topic = `shipbob.webhook.received.v1${suffix}`;
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: hook('d1') });
    await publisher.publishRaw(topic, [{ key: 'k', value: Buffer.from('garbage, not avro') }]);
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: hook('d2') });
    await waitFor(() => seen.length === 2, { what: 'two good records' });
    assert.deepEqual(seen, ['d1', 'd2']);
    const dlq = await collect(kafka, `${topic}.dlq`);
    cleanups.push(dlq.stop);
    const dead = await waitFor(() => dlq.messages[0], { what: 'dead letter' });
    assert.equal(dead.value?.toString(), 'garbage, not avro');
    assert.equal(dead.headers?.['mlc-dlq-reason']?.toString(), 'NOT_SINGLE_OBJECT');
    assert.equal(dead.headers?.['mlc-dlq-source-topic']?.toString(), topic);
  });

  it('retries a transient failure and parks a permanent one with its bytes', async () => {
    let calls = 0;
    const handled: string[] = [];
    const consumer = new EventConsumer(
      kafka,
      {
        groupId: `g2${suffix}`,
        service: 'test',
        topics: ['shopify.webhook.received.v1'],
        topicSuffix: suffix,
        backoff: { baseMs: 10, maxMs: 50 },
        maxAttempts: 3,
        handler: async (v) => {
          calls += 1;
          if (v.deliveryId === 'flaky' && calls < 2) throw new AppError('SHOPIFY.UNAVAILABLE', 'down', { retryable: true });
          if (v.deliveryId === 'bad') throw new AppError('MAPPING.MISSING_PRODUCT', 'no product for SKU-9');
          handled.push(v.deliveryId);
        },
        log: () => undefined,
      },
      codec,
    );
    cleanups.push(() => consumer.stop());
    await consumer.start();
    const flaky = hook('flaky');
    await publisher.publish({ topic: 'shopify.webhook.received.v1', key: 'a', value: flaky });
    await publisher.publish({ topic: 'shopify.webhook.received.v1', key: 'a', value: hook('bad') });
    await waitFor(() => handled.includes('flaky') && consumer.status().parked === 1, { what: 'flaky handled and bad parked' });
    const exceptions = await collect(kafka, `ops.exception.raised.v1${suffix}`);
    cleanups.push(exceptions.stop);
    const parked = await waitFor(() => exceptions.messages[0], { what: 'parked exception' });
    const ex = codec.decodeFor('ops.exception.raised.v1', parked.value!).value;
    assert.equal(ex.code, 'MAPPING.MISSING_PRODUCT');
    assert.equal(ex.category, 'missing-mapping');
    assert.equal(codec.decodeFor('shopify.webhook.received.v1', ex.payload).value.deliveryId, 'bad');
    assert.equal(ex.meta.causationId, codec.decodeFor('shopify.webhook.received.v1', ex.payload).value.meta.eventId);
  });

  it('gives a redelivered event id no second effect (Postgres store)', async () => {
    const db = await testDatabase('kafka_dedupe'); // processed_events comes from the migrator
    const pool = new Pool({ connectionString: db.url });
    cleanups.push(() => pool.end());
    cleanups.push(() => db.drop());
    const handled: string[] = [];
    const consumer = new EventConsumer(
      kafka,
      {
        groupId: `g4${suffix}`,
        service: 'test',
        topics: ['shipbob.webhook.received.v1'],
        topicSuffix: suffix,
        processedEvents: new PgProcessedEventStore(pool),
        handler: async (v) => void handled.push(v.deliveryId),
        log: () => undefined,
      },
      codec,
    );
    cleanups.push(() => consumer.stop());
    const again = hook('same');
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: again });
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: again });
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: hook('after') });
    await consumer.start();
    await waitFor(() => handled.includes('after'), { what: 'last record' });
    assert.equal(handled.filter((d) => d === 'same').length, 1);
  });

  it('with concurrencyPerPartition handles keys side by side, one key in order, and commits only past finished records', async () => {
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    const perKey = 12;
    const handled = new Map<string, number[]>(keys.map((k) => [k, []]));
    let inFlight = 0;
    let maxInFlight = 0;
    let failedOnce = false;
    const groupId = `g5${suffix}`;
    const consumer = new EventConsumer(
      kafka,
      {
        groupId,
        service: 'test',
        topics: ['shopify.webhook.received.v1'],
        topicSuffix: suffix,
        concurrencyPerPartition: 4,
        backoff: { baseMs: 5, maxMs: 10 },
        handler: async (v, ctx) => {
          if (!handled.has(ctx.key ?? '')) return; // earlier tests' records on this topic
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            // Work of uneven length, so lanes overtake each other.
            for (let i = Number(v.deliveryId.split('-')[1]) % 4; i >= 0; i--) await new Promise((r) => setImmediate(r));
            if (v.deliveryId === 'k2-5' && !failedOnce) {
              failedOnce = true;
              throw new AppError('SHOPIFY.UNAVAILABLE', 'down once', { retryable: true });
            }
            handled.get(ctx.key!)!.push(Number(v.deliveryId.split('-')[1]));
          } finally {
            inFlight--;
          }
        },
        log: () => undefined,
      },
      codec,
    );
    cleanups.push(() => consumer.stop());
    const records = Array.from({ length: perKey }, (_, i) =>
      keys.map((k) => ({ topic: 'shopify.webhook.received.v1' as const, key: k, value: hook(`${k}-${i}`) })),
    ).flat();
    const topic = `shopify.webhook.received.v1${suffix}`;
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const before = Number((await admin.fetchTopicOffsets(topic))[0]!.high);
    await publisher.publishMany(records);
    await consumer.start();
    await waitFor(() => [...handled.values()].every((l) => l.length === perKey), { what: 'every record handled', timeoutMs: 20_000 });
    for (const k of keys) assert.deepEqual(handled.get(k), [...Array(perKey).keys()], `${k} handled once each, in order`);
    assert.ok(maxInFlight > 1, `records of different keys side by side (max ${maxInFlight} at once)`);
    assert.ok(maxInFlight <= 4, `never more than concurrencyPerPartition at once (max ${maxInFlight})`);
    assert.ok(failedOnce);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return Number(committed!.partitions[0]!.offset) === before + records.length;
      },
      { what: 'offset committed past the last record' },
    );
  });

  it('with a batch handler takes a fetched batch in one call and one commit; a failing batch goes record by record and parks the bad one', async () => {
    const control = (requestId: string) => ({
      topic: 'ops.consumer-control.requested.v1' as const,
      key: 'k',
      value: { meta: newMeta({ tenantId: 'acme', source: 'test' }), groupId: 'g', action: 'stop' as const, requestId, actor: 'test' },
    });
    await publisher.publishMany(['r1', 'r2', 'r3'].map(control));
    const batches: string[][] = [];
    const oneByOne: string[] = [];
    const groupId = `g6${suffix}`;
    const consumer = new EventConsumer(
      kafka,
      {
        groupId,
        service: 'test',
        topics: ['ops.consumer-control.requested.v1'],
        topicSuffix: suffix,
        maxAttempts: 1,
        batchHandler: async (records: ConsumedRecord<'ops.consumer-control.requested.v1'>[]) => {
          if (records.some((r) => r.value.requestId === 'bad')) throw new AppError('MAPPING.MISSING_PRODUCT', 'a bad record in the batch');
          batches.push(records.map((r) => r.value.requestId));
        },
        handler: async (v) => {
          if (v.requestId === 'bad') throw new AppError('MAPPING.MISSING_PRODUCT', 'no product for SKU-9');
          oneByOne.push(v.requestId);
        },
        log: () => undefined,
      },
      codec,
    );
    cleanups.push(() => consumer.stop());
    await consumer.start();
    await waitFor(() => batches.flat().length === 3, { what: 'the first three records through the batch handler' });
    assert.deepEqual(batches, [['r1', 'r2', 'r3']]);
    await publisher.publishMany(['r4', 'bad', 'r5'].map(control));
    await waitFor(() => oneByOne.includes('r5') && consumer.status().parked === 1, { what: 'the failing batch handled record by record' });
    assert.deepEqual(oneByOne, ['r4', 'r5']);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const topic = `ops.consumer-control.requested.v1${suffix}`;
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return committed!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === 6;
      },
      { what: 'offsets committed past all six records' },
    );
  });

  it('publishes the records the handler returns', async () => {
    const consumer = new EventConsumer(
      kafka,
      {
        groupId: `g3${suffix}`,
        service: 'test',
        topics: ['shipbob.webhook.received.v1'],
        topicSuffix: suffix,
        handler: async (v) => [
          {
            topic: 'shopify.webhook.received.v1',
            key: v.deliveryId,
            value: { ...v, meta: newMeta({ tenantId: 'acme', source: 'test', causedBy: v.meta }), partner: 'shopify', deliveryId: `tx-${v.deliveryId}` },
          },
        ],
        log: () => undefined,
      },
      codec,
    );
    cleanups.push(() => consumer.stop());
    await consumer.start();
    const out = await collect(kafka, `shopify.webhook.received.v1${suffix}`);
    cleanups.push(out.stop);
    await waitFor(() => out.messages.some((m) => codec.decodeFor('shopify.webhook.received.v1', m.value!).value.deliveryId === 'tx-d1'), {
      what: 'handler output',
    });
  });
});
