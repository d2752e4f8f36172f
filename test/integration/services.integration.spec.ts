import './test-telemetry';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import { EventPublisher, newMeta } from '@mlc/platform-kafka';
import { startService, testDatabase, testKafka, waitFor, type RunningService } from '@mlc/platform-testing';

describe('services on the real broker and database', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: { url: string; drop: () => Promise<void> };
  let publisher: EventPublisher;
  let projector: RunningService;
  let mapper: RunningService;

  before(async () => {
    ({ kafka, suffix } = await testKafka('services'));
    db = await testDatabase('audit');
    publisher = new EventPublisher(kafka, undefined, suffix);
    await publisher.connect();
    const env = { KAFKA_TOPIC_SUFFIX: suffix, DATABASE_URL: db.url };
    [projector, mapper] = await Promise.all([startService('audit-projector', env), startService('mapper', env)]);
  });

  after(async () => {
    await Promise.all([projector?.stop(), mapper?.stop()]);
    await publisher?.disconnect();
    await db?.drop();
  });

  it('a record published in a span is read, decoded and typed by another service within the same trace', async () => {
    const tracer = trace.getTracer('test');
    const { eventId, traceId } = await tracer.startActiveSpan('webhook received', async (span) => {
      const meta = newMeta({ tenantId: 'acme', source: 'test' });
      await publisher.publish({
        topic: 'shipbob.webhook.received.v1',
        key: 'acme:d-1',
        value: { meta, partner: 'shipbob', topic: 'order.shipped', deliveryId: 'd-1', headers: {}, body: '{"id":1}' },
      });
      span.end();
      return { eventId: meta.eventId, traceId: span.spanContext().traceId };
    });
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const row = await waitFor(
        async () => (await client.query('SELECT * FROM audit_entries WHERE event_id = $1', [eventId]).catch(() => ({ rows: [] }))).rows[0],
        { what: 'audit row for the published event', timeoutMs: 30_000 },
      );
      assert.equal(row.tenant_id, 'acme');
      assert.equal(row.record, 'mlc.webhook.WebhookReceived');
      assert.equal(row.trace_id, traceId);
    } finally {
      await client.end();
    }
  });

  it('every service is ready when Kafka (and Postgres where used) answer', async () => {
    for (const s of [projector, mapper]) {
      await waitFor(async () => (await fetch(`${s.url}/health/ready`)).status === 200, { what: `${s.name} ready`, timeoutMs: 30_000 });
    }
  });

  it('a bad configuration stops the start with a message naming the setting', async () => {
    await assert.rejects(startService('mapper', { KAFKA_TOPIC_SUFFIX: suffix, PORT: 'x', LOG_LEVEL: 'loud' }), (err: Error) =>
      /LOG_LEVEL='loud' is invalid/.test(err.message),
    );
  });
});
