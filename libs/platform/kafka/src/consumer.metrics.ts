import { SpanStatusCode, trace } from '@opentelemetry/api';
import { annotateSpan, counter, histogram, METRIC, recordRateLimitWait } from '@mlc/platform-telemetry';

/**
 * What an EventConsumer records per record, labelled by flow (base topic + consumer group) and tenant: Prometheus
 * and OTLP metrics, and attributes / status on the active `process <topic>` span.
 */
export const consumerMetrics = {
  /** A decoded record is about to be handled: tenant, ids and business entity on the consumer span. */
  started(a: { group: string; tenantId: string; eventId: string; correlationId: string; entity?: { entityType: string; businessId: string } }): void {
    const span = annotateSpan({
      tenantId: a.tenantId,
      eventId: a.eventId,
      correlationId: a.correlationId,
      entityType: a.entity?.entityType,
      businessId: a.entity?.businessId,
    });
    span?.setAttribute('messaging.consumer.group.name', a.group);
  },
  handled(l: Flow, seconds: number): void {
    counter(METRIC.recordsHandled, 'records handled, per topic, consumer group and tenant').inc(labels(l));
    histogram(METRIC.recordDuration, 'time to handle one record (all attempts)', { unit: 's' }).observe({ topic: l.topic, group: l.group }, seconds);
  },
  /** A whole batch handled by a batch handler: the records counted per tenant, the batch's time shared out. */
  handledBatch(topic: string, group: string, records: ReadonlyArray<{ value: unknown }>, seconds: number): void {
    const perTenant = new Map<string, number>();
    for (const r of records) {
      const tenantId = (r.value as { meta: { tenantId: string } }).meta.tenantId;
      perTenant.set(tenantId, (perTenant.get(tenantId) ?? 0) + 1);
    }
    const handled = counter(METRIC.recordsHandled, 'records handled, per topic, consumer group and tenant');
    for (const [tenantId, n] of perTenant) handled.inc(labels({ topic, group, tenantId }), n);
    histogram(METRIC.recordDuration, 'time to handle one record (all attempts)', { unit: 's' }).observe(
      { topic, group },
      seconds / Math.max(1, records.length),
    );
  },
  /** One failed attempt (retried or not). */
  failed(l: Flow, code: string, attempt: number, retrying: boolean): void {
    counter(METRIC.recordsFailed, 'failed handler attempts, per topic, consumer group, tenant and error code').inc({ ...labels(l), code });
    trace.getActiveSpan()?.addEvent('handler failed', { 'mlc.error_code': code, 'mlc.attempt': attempt, 'mlc.retrying': retrying });
  },
  /** The consumer backs off before retrying; a rate-limit error's wait counts as a rate-limit wait of its partner. */
  backingOff(l: Flow, code: string, category: string, waitMs: number): void {
    if (category !== 'rate-limit') return;
    const partner = /^(FUSION|SHIPBOB|SHOPIFY)\./i.exec(code)?.[1]?.toLowerCase() ?? 'unknown';
    recordRateLimitWait({ partner, waitMs, tenantId: l.tenantId });
  },
  parked(l: Flow, code: string, message: string): void {
    counter(METRIC.recordsParked, 'records parked on ops.exception.raised.v1, per topic, consumer group, tenant and error code').inc({ ...labels(l), code });
    const span = trace.getActiveSpan();
    span?.setAttribute('mlc.error_code', code);
    span?.setAttribute('error.type', code);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 300) });
  },
  deadLettered(topic: string, group: string, reason: string): void {
    counter(METRIC.recordsDeadLettered, 'undecodable records sent to <topic>.dlq').inc({ topic, group, reason });
    trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: `undecodable: ${reason}` });
  },
  skipped(l: Flow): void {
    counter(METRIC.recordsSkipped, 'redelivered records skipped (event id already processed)').inc(labels(l));
  },
};

interface Flow {
  topic: string;
  group: string;
  tenantId: string;
}
const labels = (l: Flow) => ({ topic: l.topic, group: l.group, tenant: l.tenantId });
