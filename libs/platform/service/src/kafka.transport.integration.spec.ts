import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type TopicRecords, type WebhookReceived } from '@mlc/contracts';
import { AppError } from '@mlc/platform-errors';
import { EventPublisher, newMeta, type HandlerContext, type OutgoingRecord } from '@mlc/platform-kafka';
import { collect, testKafka, TEST_BROKERS, waitFor } from '@mlc/platform-testing';
import { bootService } from './bootstrap';
import { ConsumerHost } from './consumer.host';
import { KafkaHandler } from './kafka.transport';
import { baseSettings } from './service.options';

const TEST_CONFIG = Symbol('TEST_CONFIG');
const seen: Array<{ topic: string; deliveryId: string; attempt: number }> = [];

const hook = (partner: 'shipbob' | 'shopify', deliveryId: string): WebhookReceived => ({
  meta: newMeta({ tenantId: 'acme', source: 'test' }),
  partner,
  topic: 'orders/create',
  deliveryId,
  headers: {},
  body: '{}',
});

/** Two handlers of one consumer (two topics), the way services declare theirs. */
@Controller()
class WebhooksTestController {
  @KafkaHandler('shipbob.webhook.received.v1', {
    consumer: 'transport-test.webhooks',
    // Resolved from the application at start: proves settings reach the consumer (group id from "configuration").
    settings: (get) => ({ groupId: get<{ group: string }>(TEST_CONFIG).group, maxAttempts: 2, backoff: { baseMs: 10, maxMs: 20 } }),
    describe: (v) => ({ entityType: 'test-shipbob-delivery', businessId: v.deliveryId }),
  })
  async onShipbob(value: TopicRecords['shipbob.webhook.received.v1'], ctx: HandlerContext): Promise<OutgoingRecord[]> {
    seen.push({ topic: ctx.topic, deliveryId: value.deliveryId, attempt: ctx.attempt });
    if (value.deliveryId === 'refused') throw new AppError('TEST.REFUSED', 'refused for good', { retryable: false });
    if (value.deliveryId === 'flaky' && ctx.attempt === 1) throw new AppError('TEST.FLAKY', 'try again', { retryable: true, retryAfterMs: 10 });
    return [
      {
        topic: 'shopify.webhook.received.v1',
        key: value.deliveryId,
        value: { ...hook('shopify', `from-${value.deliveryId}`), meta: newMeta({ tenantId: 'acme', source: 'test', causedBy: value.meta }) },
      },
    ];
  }

  @KafkaHandler('shopify.webhook.received.v1', {
    consumer: 'transport-test.webhooks',
    describe: (v) => ({ entityType: 'test-shopify-delivery', businessId: v.deliveryId }),
  })
  async onShopify(value: TopicRecords['shopify.webhook.received.v1'], ctx: HandlerContext): Promise<void> {
    seen.push({ topic: ctx.topic, deliveryId: value.deliveryId, attempt: ctx.attempt });
  }
}

@Module({ controllers: [WebhooksTestController] })
class TestModule {}

describe('KafkaTransport: @KafkaHandler methods on a real broker', () => {
  let kafka: Kafka;
  let suffix: string;
  let app: INestApplication;
  let publisher: EventPublisher;
  const codec = new AvroCodec();
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    ({ kafka, suffix } = await testKafka('transport'));
    app = await bootService({
      name: 'transport-test',
      schema: baseSettings,
      env: { KAFKA_BROKERS: TEST_BROKERS.join(','), KAFKA_TOPIC_SUFFIX: suffix, KAFKA_GROUP_ID_SUFFIX: suffix, PORT: '0', LOG_LEVEL: 'error' },
      shared: () => [
        { module: class TestConfigModule {}, providers: [{ provide: TEST_CONFIG, useValue: { group: 'transport-test.configured' } }], exports: [TEST_CONFIG] },
      ],
      module: () => TestModule,
    });
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
  });
  after(async () => {
    for (const c of cleanups) await c();
    await publisher.disconnect();
    await app.close();
  });

  it('runs one consumer for the handlers that name it, with the group id its settings resolved', async () => {
    const status = app.get(ConsumerHost).status();
    const mine = status.find((s) => s.groupId === `transport-test.configured${suffix}`);
    assert.ok(mine, `consumer groups: ${status.map((s) => s.groupId).join(', ')}`);
    assert.deepEqual([...mine.topics].sort(), [`shipbob.webhook.received.v1${suffix}`, `shopify.webhook.received.v1${suffix}`]);
  });

  it('routes each record to its topic’s handler with its context and publishes what the handler returns', async () => {
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: hook('shipbob', 'd1') });
    await waitFor(() => seen.some((s) => s.topic === 'shopify.webhook.received.v1' && s.deliveryId === 'from-d1'), {
      what: 'the output handled by the shopify handler',
    });
    assert.deepEqual(
      seen.find((s) => s.deliveryId === 'd1'),
      { topic: 'shipbob.webhook.received.v1', deliveryId: 'd1', attempt: 1 },
    );
  });

  it('handler errors reach the consumer unchanged: a retryable one is retried, a permanent one parked with its code and entity', async () => {
    const exceptions = await collect(kafka, `ops.exception.raised.v1${suffix}`);
    cleanups.push(exceptions.stop);
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: hook('shipbob', 'flaky') });
    await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: 'k', value: hook('shipbob', 'refused') });
    await waitFor(() => seen.some((s) => s.deliveryId === 'from-flaky'), { what: 'the flaky record handled on its second attempt' });
    assert.deepEqual(
      seen.filter((s) => s.deliveryId === 'flaky').map((s) => s.attempt),
      [1, 2],
    );
    const parked = await waitFor(
      () =>
        exceptions.messages.map((m) => codec.decodeFor('ops.exception.raised.v1', m.value!).value).find((e) => e.sourceTopic === 'shipbob.webhook.received.v1'),
      { what: 'the refused record parked' },
    );
    assert.equal(parked.code, 'TEST.REFUSED');
    assert.equal(parked.service, 'transport-test');
    assert.equal(parked.entityType, 'test-shipbob-delivery');
    assert.equal(parked.businessId, 'refused');
    assert.equal(seen.filter((s) => s.deliveryId === 'refused').length, 1, 'a permanent error is not retried');
  });
});
