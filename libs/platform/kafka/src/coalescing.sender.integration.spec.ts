import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inSpan, startTelemetry } from '@mlc/platform-telemetry';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import type { Kafka, Producer } from 'kafkajs';
import { collect, testKafka, waitFor } from '@mlc/platform-testing';
import { CoalescingSender } from './coalescing.sender';

const memory = new InMemorySpanExporter();
startTelemetry('coalescing-sender-spec', {}, [new SimpleSpanProcessor(memory)]);

describe('CoalescingSender on a real broker', () => {
  let kafka: Kafka;
  let suffix: string;
  let producer: Producer;

  before(async () => {
    ({ kafka, suffix } = await testKafka('coalesce'));
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
  });
  after(async () => {
    await producer.disconnect();
  });

  it('sends made while one is in flight share the next: every record once, in order, each in its own caller’s trace', async () => {
    const topic = `shipbob.webhook.received.v1${suffix}`;
    let produceRequests = 0;
    const off = producer.on(producer.events.REQUEST, (e) => {
      if (e.payload.apiName === 'Produce') produceRequests++;
    });
    const sender = new CoalescingSender(producer);
    const callerTrace = new Map<string, string>();
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        inSpan('caller', { newTrace: true }, async () => {
          callerTrace.set(String(i), trace.getActiveSpan()!.spanContext().traceId);
          await sender.send([{ topic, messages: [{ key: `k${i % 4}`, value: Buffer.from(String(i)) }] }]);
        }),
      ),
    );
    off();
    assert.ok(produceRequests < n / 4, `${n} sends in ${produceRequests} produce requests`);
    const read = await collect(kafka, topic);
    await waitFor(() => read.messages.length >= n, { what: `${n} records` });
    await read.stop();
    assert.deepEqual(
      read.messages.map((m) => m.value!.toString()),
      Array.from({ length: n }, (_, i) => String(i)),
      'each record once, in the order sent',
    );
    for (const m of read.messages) {
      const traceId = m.headers!['traceparent']!.toString().split('-')[1];
      assert.equal(traceId, callerTrace.get(m.value!.toString()), 'the record carries its caller’s trace');
    }
    const sends = memory.getFinishedSpans().filter((s) => s.name === `send ${topic}`);
    assert.equal(sends.length, n, 'one producer span per record');
  });
});
