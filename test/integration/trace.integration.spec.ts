import { testProcessSpans } from './trace-test-telemetry';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import type { Kafka } from 'kafkajs';
import { AppError } from '@mlc/platform-errors';
import { EventConsumer, EventPublisher, newMeta } from '@mlc/platform-kafka';
import { annotateSpan, isSecretKey, renderPrometheus, type ReceivedSpan } from '@mlc/platform-telemetry';
import {
  startOtlpReceiver,
  startService,
  testDatabase,
  testKafka,
  waitFor,
  type OtlpReceiver,
  type RunningService,
  type TestDatabase,
} from '@mlc/platform-testing';

/** A Prometheus sample's value, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const set = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf('}') + 1).trim());
  }
  return undefined;
}

/**
 * One record's trace across Kafka hops and processes: the test opens the root span and publishes a webhook record;
 * a consumer in this process (standing in for a flow service: it calls a partner over fetch and publishes a
 * follow-up record) is one hop; the real audit-projector process, exporting OTLP to an in-process receiver, reads
 * both records. Every span must share the root's trace id, with producer -> consumer parent links.
 */
describe('one trace per record, OTLP export and consumer metrics', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let receiver: OtlpReceiver;
  let publisher: EventPublisher;
  let hop: EventConsumer<'shipbob.webhook.received.v1'>;
  let projector: RunningService;
  let partner: Server;
  const partnerSaw: { traceparent?: string; url?: string }[] = [];

  before(async () => {
    receiver = await startOtlpReceiver();
    ({ kafka, suffix } = await testKafka('trace'));
    db = await testDatabase('trace');
    partner = createServer((req, res) => {
      partnerSaw.push({ traceparent: req.headers['traceparent'] as string | undefined, url: req.url });
      req.resume();
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":1}'));
    });
    await new Promise<void>((r) => partner.listen(0, '127.0.0.1', r));
    const partnerUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;
    publisher = new EventPublisher(kafka, undefined, suffix);
    await publisher.connect();
    hop = new EventConsumer(kafka, {
      groupId: 'trace-test.hop',
      topics: ['shipbob.webhook.received.v1'],
      service: 'trace-test',
      topicSuffix: suffix,
      maxAttempts: 3,
      backoff: { baseMs: 10, maxMs: 50 },
      describe: (v) => ({ entityType: 'shipbob-webhook', businessId: v.deliveryId }),
      log: () => undefined,
      handler: async (v, ctx) => {
        if (v.deliveryId.startsWith('bad')) throw new AppError('TEST.REJECTED', 'the partner refused it', { retryable: false });
        if (v.deliveryId.startsWith('slow') && ctx.attempt === 1)
          throw new AppError('SHIPBOB.RATE_LIMITED', 'slow down', { retryable: true, retryAfterMs: 20 });
        annotateSpan({ partner: 'shipbob', operation: 'createOrder', accessToken: 'must-not-appear' });
        const res = await fetch(`${partnerUrl}/2026-01/order?access_token=must-not-appear`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(res.status, 201);
        await res.text();
        return [
          {
            topic: 'shopify.webhook.received.v1',
            key: `${v.meta.tenantId}:next-${v.deliveryId}`,
            value: {
              meta: newMeta({ tenantId: v.meta.tenantId, source: 'trace-test', causedBy: v.meta }),
              partner: 'shopify',
              topic: 'orders/create',
              deliveryId: `next-${v.deliveryId}`,
              headers: {},
              body: '{}',
            },
          },
        ];
      },
    });
    await hop.start();
    projector = await startService('audit-projector', {
      KAFKA_TOPIC_SUFFIX: suffix,
      DATABASE_URL: db.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      LOG_LEVEL: 'info',
    });
  });

  after(async () => {
    await projector?.stop();
    await hop?.stop();
    await publisher?.disconnect();
    await new Promise((r) => partner?.close(r));
    await receiver?.close();
    await db?.drop();
  });

  let traceId = '';
  let spans: ReceivedSpan[] = [];

  it('shares one trace id from the root span through both hops, with producer -> consumer parent links', async () => {
    const tracer = trace.getTracer('trace-test');
    traceId = await tracer.startActiveSpan('ingest webhook', async (root) => {
      await publisher.publish({
        topic: 'shipbob.webhook.received.v1',
        key: 'acme:d-1',
        value: {
          meta: newMeta({ tenantId: 'acme', source: 'trace-test' }),
          partner: 'shipbob',
          topic: 'order.shipped',
          deliveryId: 'd-1',
          headers: {},
          body: '{}',
        },
      });
      root.end();
      return root.spanContext().traceId;
    });
    const t1 = `shipbob.webhook.received.v1${suffix}`;
    const t2 = `shopify.webhook.received.v1${suffix}`;
    await receiver.waitFor(
      (s) =>
        s.some((x) => x.traceId === traceId && x.service === 'audit-projector' && x.name === `process ${t2}`) &&
        s.some((x) => x.traceId === traceId && x.name === `process ${t1}`),
      {
        what: 'audit-projector spans of both records',
        timeoutMs: 30_000,
      },
    );
    spans = [...testProcessSpans(), ...receiver.trace(traceId)];
    const one = (pred: (s: ReceivedSpan) => boolean, what: string) => {
      const found = spans.filter((s) => s.traceId === traceId && pred(s));
      assert.equal(found.length, 1, `exactly one span: ${what}; spans: ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`);
      return found[0]!;
    };
    const root = one((s) => s.name === 'ingest webhook', 'root');
    assert.equal(root.parentSpanId, '');
    const send1 = one((s) => s.name === `send ${t1}`, 'send of the webhook record');
    assert.equal(send1.kind, 'producer');
    assert.equal(send1.parentSpanId, root.spanId);
    const hopProcess = one((s) => s.service === 'trace-test' && s.name === `process ${t1}`, 'the hop consuming it');
    assert.equal(hopProcess.kind, 'consumer');
    assert.equal(hopProcess.parentSpanId, send1.spanId);
    const call = one((s) => s.kind === 'client' && s.name === 'POST', 'the partner call');
    assert.equal(call.parentSpanId, hopProcess.spanId);
    const send2 = one((s) => s.name === `send ${t2}`, 'send of the follow-up record');
    assert.equal(send2.parentSpanId, hopProcess.spanId);
    const auditFirst = one((s) => s.service === 'audit-projector' && s.name === `process ${t1}`, 'audit-projector reading the webhook record');
    assert.equal(auditFirst.parentSpanId, send1.spanId);
    const auditSecond = one((s) => s.service === 'audit-projector' && s.name === `process ${t2}`, 'audit-projector reading the follow-up');
    assert.equal(auditSecond.kind, 'consumer');
    assert.equal(auditSecond.parentSpanId, send2.spanId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const descendsFrom = (s: ReceivedSpan, ancestor: ReceivedSpan) => {
      for (let p = byId.get(s.parentSpanId); p; p = byId.get(p.parentSpanId)) if (p.spanId === ancestor.spanId) return true;
      return false;
    };
    const pg = spans.filter((s) => s.service === 'audit-projector' && (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'postgresql');
    assert.ok(
      pg.some((s) => descendsFrom(s, auditSecond)),
      'the projector’s SQL is traced under its process span',
    );
    // The partner saw the client span as its parent.
    assert.ok(
      partnerSaw.some((p) => p.traceparent === `00-${traceId}-${call.spanId}-01`),
      `traceparent sent to the partner: ${JSON.stringify(partnerSaw)}`,
    );
  });

  it('names spans by the messaging and HTTP conventions and carries tenant and business ids, never a secret', () => {
    const t1 = `shipbob.webhook.received.v1${suffix}`;
    const hopProcess = spans.find((s) => s.service === 'trace-test' && s.name === `process ${t1}`)!;
    assert.equal(hopProcess.attributes['messaging.system'], 'kafka');
    assert.equal(hopProcess.attributes['messaging.operation.type'], 'process');
    assert.equal(hopProcess.attributes['messaging.destination.name'], t1);
    assert.equal(hopProcess.attributes['messaging.consumer.group.name'], 'trace-test.hop');
    assert.equal(hopProcess.attributes['mlc.tenant_id'], 'acme');
    assert.equal(hopProcess.attributes['mlc.entity_type'], 'shipbob-webhook');
    assert.equal(hopProcess.attributes['mlc.business_id'], 'd-1');
    assert.equal(hopProcess.attributes['mlc.partner'], 'shipbob');
    assert.match(String(hopProcess.attributes['messaging.message.id']), /^[0-9A-Z]{26}$/);
    const auditSecond = spans.find((s) => s.service === 'audit-projector' && s.name.startsWith('process shopify.webhook'))!;
    assert.equal(auditSecond.attributes['mlc.tenant_id'], 'acme');
    assert.equal(auditSecond.attributes['messaging.consumer.group.name'], `audit-projector.audit${suffix}`);
    const send = spans.find((s) => s.kind === 'producer' && s.name.startsWith('send shopify.webhook'))!;
    assert.equal(send.attributes['mlc.tenant_id'], 'acme');
    assert.equal(send.attributes['messaging.operation.type'], 'send');
    const call = spans.find((s) => s.kind === 'client' && s.name === 'POST')!;
    assert.equal(call.attributes['http.request.method'], 'POST');
    assert.equal(call.attributes['http.response.status_code'], 201);
    assert.equal(call.attributes['server.address'], '127.0.0.1');
    assert.match(String(call.attributes['url.full']), /\/2026-01\/order$/);
    for (const s of spans) {
      for (const [k, v] of Object.entries(s.attributes)) {
        assert.ok(!isSecretKey(k), `secret-looking attribute ${k} on ${s.name}`);
        assert.ok(!JSON.stringify(v).includes('must-not-appear'), `secret value in ${k} on ${s.name}`);
      }
    }
    assert.deepEqual(receiver.rejected(), []);
  });

  it('a parked record marks its span as an error and counts as parked for its flow and tenant', async () => {
    await publisher.publish({
      topic: 'shipbob.webhook.received.v1',
      key: 'acme:bad-1',
      value: {
        meta: newMeta({ tenantId: 'acme', source: 'trace-test' }),
        partner: 'shipbob',
        topic: 'order.shipped',
        deliveryId: 'bad-1',
        headers: {},
        body: '{}',
      },
    });
    const parked = await waitFor(
      () => testProcessSpans().find((s) => s.name === `process shipbob.webhook.received.v1${suffix}` && s.attributes['mlc.business_id'] === 'bad-1'),
      {
        what: 'span of the parked record',
      },
    );
    assert.equal(parked.status.code, 'error');
    assert.equal(parked.attributes['mlc.error_code'], 'TEST.REJECTED');
    const text = await renderPrometheus();
    assert.equal(
      sample(text, 'mlc_records_parked_total', { topic: 'shipbob.webhook.received.v1', group: 'trace-test.hop', tenant: 'acme', code: 'TEST.REJECTED' }),
      1,
    );
    assert.equal(sample(text, 'mlc_records_handled_total', { topic: 'shipbob.webhook.received.v1', group: 'trace-test.hop', tenant: 'acme' }), 1);
  });

  it('a rate-limited attempt counts as a failed attempt and a rate-limit wait, and shows on the span', async () => {
    await publisher.publish({
      topic: 'shipbob.webhook.received.v1',
      key: 'acme:slow-1',
      value: {
        meta: newMeta({ tenantId: 'acme', source: 'trace-test' }),
        partner: 'shipbob',
        topic: 'order.shipped',
        deliveryId: 'slow-1',
        headers: {},
        body: '{}',
      },
    });
    const span = await waitFor(
      () => testProcessSpans().find((s) => s.name === `process shipbob.webhook.received.v1${suffix}` && s.attributes['mlc.business_id'] === 'slow-1'),
      {
        what: 'span of the retried record',
      },
    );
    assert.equal(span.status.code, 'unset');
    assert.deepEqual(
      span.events.map((e) => [e.name, e.attributes['mlc.error_code'], e.attributes['mlc.retrying']]),
      [['handler failed', 'SHIPBOB.RATE_LIMITED', true]],
    );
    const text = await renderPrometheus();
    assert.equal(
      sample(text, 'mlc_records_failed_total', { topic: 'shipbob.webhook.received.v1', group: 'trace-test.hop', tenant: 'acme', code: 'SHIPBOB.RATE_LIMITED' }),
      1,
    );
    assert.equal(sample(text, 'mlc_rate_limit_waits_total', { partner: 'shipbob', tenant: 'acme' }), 1);
    assert.equal(sample(text, 'mlc_records_handled_total', { topic: 'shipbob.webhook.received.v1', group: 'trace-test.hop', tenant: 'acme' }), 2);
  });

  it('the service’s /metrics shows records handled per flow and tenant, consumer lag and state; OTLP receives them too', async () => {
    const labels = { topic: 'shopify.webhook.received.v1', group: `audit-projector.audit${suffix}`, tenant: 'acme' };
    const text = await waitFor(
      async () => {
        const t = await (await fetch(`${projector.url}/metrics`)).text();
        const handled = (sample(t, 'mlc_records_handled_total', labels) ?? 0) >= 1;
        const caughtUp = sample(t, 'mlc_consumer_lag', { group: `audit-projector.audit${suffix}`, topic: 'shopify.webhook.received.v1' }) === 0;
        // In its group: a consumer rejoining after a rebalance reads 0 for a moment, which is the truth, not a failure.
        const running = sample(t, 'mlc_consumer_running', { group: `audit-projector.audit${suffix}` }) === 1;
        return handled && caughtUp && running ? t : undefined;
      },
      { what: () => `handled count, zero lag and running state on /metrics (audit-projector log: ${projector.output().slice(-3000)})`, timeoutMs: 20_000 },
    );
    assert.equal(
      sample(text, 'mlc_consumer_restarts_total', { group: `audit-projector.audit${suffix}` }) ??
        sample(text, 'mlc_consumer_restarts', { group: `audit-projector.audit${suffix}` }),
      0,
    );
    assert.ok(
      (sample(text, 'mlc_record_handle_duration_seconds_count', { topic: 'shopify.webhook.received.v1', group: `audit-projector.audit${suffix}` }) ?? 0) >= 1,
    );
    assert.match(text, /# TYPE mlc_records_handled_total counter/);
    await waitFor(() => ['mlc_records_handled', 'mlc_consumer_lag'].every((n) => receiver.metricNames('audit-projector').includes(n)), {
      what: 'consumer metrics over OTLP',
      timeoutMs: 15_000,
    });
  });
});
