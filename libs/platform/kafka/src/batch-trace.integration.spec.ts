import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan, startTelemetry } from '@mlc/platform-telemetry';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, trace } from '@opentelemetry/api';
import type { Kafka } from 'kafkajs';
import type { WebhookReceived } from '@mlc/contracts';

// Telemetry first, so that kafkajs (required below, on demand) is instrumented as in a service.
const memory = new InMemorySpanExporter();
startTelemetry('batch-trace-spec', {}, [new SimpleSpanProcessor(memory)]);

/**
 * Batch consumption (concurrencyPerPartition > 1) keeps one trace per record: each record is handled under its own
 * `process <topic>` consumer span, the child of the `send <topic>` span that produced it, as with eachMessage.
 */
describe('EventConsumer batch path: each record handled in its own trace, under its producer’s span', () => {
  let kafka: Kafka;
  let suffix: string;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    const { testKafka } = await import('@mlc/platform-testing');
    ({ kafka, suffix } = await testKafka('batch-trace'));
  });
  after(async () => {
    for (const s of stops) await s();
  });

  it('records of four keys consumed side by side: the handler runs in the record’s trace, its span parented on the send', async () => {
    const { waitFor } = await import('@mlc/platform-testing');
    const { EventConsumer } = await import('./event.consumer');
    const { EventPublisher } = await import('./event.publisher');
    const { newMeta } = await import('./event-meta');
    const publisher = new EventPublisher(kafka, undefined, suffix);
    await publisher.connect();
    stops.push(() => publisher.disconnect());
    const topic = `shipbob.webhook.received.v1${suffix}`;
    const n = 24;
    const sentIn = new Map<string, string>(); // deliveryId -> trace id of its publisher
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        inSpan('caller', { newTrace: true }, async () => {
          sentIn.set(`d${i}`, trace.getActiveSpan()!.spanContext().traceId);
          const value: WebhookReceived = {
            meta: newMeta({ tenantId: 'acme', source: 'test' }),
            partner: 'shipbob',
            topic: 'order.shipped',
            deliveryId: `d${i}`,
            headers: {},
            body: '{}',
          };
          await publisher.publish({ topic: 'shipbob.webhook.received.v1', key: `k${i % 4}`, value });
        }),
      ),
    );
    const handledIn = new Map<string, string>();
    let inFlight = 0;
    let maxInFlight = 0;
    const consumer = new EventConsumer(kafka, {
      groupId: `bt${suffix}`,
      service: 'test',
      topics: ['shipbob.webhook.received.v1'],
      topicSuffix: suffix,
      concurrencyPerPartition: 4,
      handler: async (v) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        handledIn.set(v.deliveryId, trace.getActiveSpan()!.spanContext().traceId);
        inFlight--;
      },
      log: () => undefined,
    });
    stops.push(() => consumer.stop());
    await consumer.start();
    await waitFor(() => handledIn.size === n, { what: `${n} records handled` });
    assert.ok(maxInFlight > 1, `handled side by side (batch path; max ${maxInFlight} at once)`);
    for (const [id, traceId] of sentIn) assert.equal(handledIn.get(id), traceId, `${id} handled in the trace it was sent in`);

    const spans = memory.getFinishedSpans();
    const sends = new Map(spans.filter((s) => s.name === `send ${topic}`).map((s) => [s.spanContext().traceId, s]));
    const processes = spans.filter((s) => s.name === `process ${topic}` && s.kind === SpanKind.CONSUMER);
    assert.equal(processes.length, n, 'one consumer span per record');
    for (const p of processes) {
      const send = sends.get(p.spanContext().traceId);
      assert.ok(send, 'the consumer span is in a trace a record was sent in');
      assert.equal(p.parentSpanContext?.spanId, send.spanContext().spanId, 'the consumer span is the child of the record’s send span');
      assert.equal(p.attributes['messaging.consumer.group.name'], `bt${suffix}`);
      assert.equal(p.attributes['mlc.tenant_id'], 'acme');
    }
    assert.deepEqual(
      spans.filter((s) => s.name === `poll ${topic}`).map((s) => s.name),
      [],
      'no batch-wide poll span parenting the records',
    );
  });
});
