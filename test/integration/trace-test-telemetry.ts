// Imported first by the trace spec: the test process traces too (its spans are kept in memory, the services' spans
// arrive at the OTLP receiver), so the span it opens is the root of the chain and its Kafka hops are visible.
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { startTelemetry, type ReceivedSpan } from '@mlc/platform-telemetry';

const memory = new InMemorySpanExporter();
startTelemetry('trace-test', {}, [new SimpleSpanProcessor(memory)]);

const KIND: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};
const toMs = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

/** The test process's finished spans, in the receiver's shape. */
export function testProcessSpans(): ReceivedSpan[] {
  return memory.getFinishedSpans().map((s: ReadableSpan) => ({
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId ?? '',
    name: s.name,
    kind: KIND[s.kind],
    service: String(s.resource.attributes['service.name']),
    startMs: toMs(s.startTime),
    endMs: toMs(s.endTime),
    attributes: { ...s.attributes },
    status: { code: s.status.code === SpanStatusCode.ERROR ? 'error' : s.status.code === SpanStatusCode.OK ? 'ok' : 'unset', message: s.status.message },
    events: s.events.map((e) => ({ name: e.name, timeMs: toMs(e.time), attributes: { ...e.attributes } })),
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    scope: s.instrumentationScope.name,
  }));
}
