import { hostname } from 'node:os';
import { context, metrics, propagation, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation, type KafkajsMessage } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { instrumentFetch } from './fetch.instrumentation';
import { metricReaders } from './metrics';
import { MLC_ATTR } from './span-attributes';

/** What startTelemetry set up: stopped (flushed) by stopTelemetry. */
interface Running {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  contextManager: AsyncLocalStorageContextManager;
  unload: () => void;
}
let sdk: Running | undefined;

/** Query parameters whose values never reach a span (url.query / url.full show REDACTED). */
const SECRET_QUERY_PARAMS = [
  'sig',
  'signature',
  'hmac',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'state',
  'client_secret',
  'password',
  'api_key',
  'apikey',
  'key',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Goog-Signature',
  'AWSAccessKeyId',
  'Signature',
];

/** Span processor that keeps nothing: traces still propagate (ids, context) when no exporter is configured. */
const discard: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

const header = (m: KafkajsMessage, name: string): string | undefined => {
  const v = m.headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
};

/** Our record headers (event-meta.ts metaHeaders) onto the kafkajs producer/consumer spans: tenant, event id. */
function kafkaAttributes(span: Span, { message }: { message: KafkajsMessage }): void {
  const tenant = header(message, 'mlc-tenant-id');
  const eventId = header(message, 'mlc-event-id');
  const correlation = header(message, 'mlc-correlation-id');
  if (tenant) span.setAttribute(MLC_ATTR.tenantId, tenant);
  if (eventId) {
    span.setAttribute('messaging.message.id', eventId);
    span.setAttribute(MLC_ATTR.eventId, eventId);
  }
  if (correlation) span.setAttribute(MLC_ATTR.correlationId, correlation);
}

/**
 * The kafkajs instrumentation for sends and eachMessage. Its eachBatch patch is left out: it starts every record's
 * `process` span under one `poll` span of the batch, only linked to the record's producer, so a record consumed in a
 * batch would leave its own trace. EventConsumer's batch path starts each record's span itself, as the child of the
 * span that sent it (event.consumer.ts inRecordSpan), one trace per record as with eachMessage.
 */
function kafkaJsInstrumentation(): KafkaJsInstrumentation {
  const kafkajs = new KafkaJsInstrumentation({ producerHook: kafkaAttributes, consumerHook: kafkaAttributes });
  Object.assign(kafkajs, { _getConsumerEachBatchPatch: () => (original: unknown) => original });
  return kafkajs;
}

/**
 * Starts OpenTelemetry before anything else is loaded (kafkajs, http and pg are patched at require time; fetch
 * through undici's diagnostics channels). Exports OTLP/HTTP (JSON) traces to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`
 * and metrics to `/v1/metrics` when the endpoint is set; otherwise ids and context still flow but nothing leaves, and
 * metrics are only served on GET /metrics. W3C trace context travels in Kafka record headers through the kafkajs
 * instrumentation, so a consumer's `process <topic>` span is the child of the producer's `send <topic>` span.
 *
 * Built from the SDK's parts (tracer provider, AsyncLocalStorage context, W3C propagators, meter provider, the three
 * instrumentations) rather than `@opentelemetry/sdk-node`'s NodeSDK: that one requires every exporter it could be
 * configured with (gRPC, protobuf, Zipkin, logs), about 18 MB of heap and 50 MB of resident memory per service that
 * no service uses. Once per process: the combined process's six services share it.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env, extra: SpanProcessor[] = []): void {
  if (sdk) return;
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const tracesUrl = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? (endpoint ? `${endpoint.replace(/\/$/, '')}/v1/traces` : undefined);
  const processors: SpanProcessor[] = [...extra];
  if (tracesUrl) {
    // Required only when traces leave the process (~1 MB of heap otherwise spent for nothing).
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl }), { scheduledDelayMillis: 500 }));
  }
  if (!processors.length) processors.push(discard);
  // OTEL_RESOURCE_ATTRIBUTES is honoured as NodeSDK did; OTEL_SERVICE_NAME (else the service's name) names the service.
  const resource = detectResources({ detectors: [envDetector] }).merge(
    resourceFromAttributes({ [ATTR_SERVICE_NAME]: env['OTEL_SERVICE_NAME'] ?? serviceName, 'host.name': hostname(), 'process.pid': process.pid }),
  );
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: processors });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({ resource, readers: metricReaders(env) });
  metrics.setGlobalMeterProvider(meterProvider);
  const unload = registerInstrumentations({
    tracerProvider,
    meterProvider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
        redactedQueryParams: SECRET_QUERY_PARAMS,
        redactedQueryParamsServer: SECRET_QUERY_PARAMS,
      }),
      kafkaJsInstrumentation(),
      new PgInstrumentation(),
    ],
  });
  sdk = { tracerProvider, meterProvider, contextManager, unload };
  instrumentFetch();
}

/** Flushes and stops tracing and metrics (spans still buffered are exported first). */
export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) return;
  await Promise.allSettled([running.tracerProvider.shutdown(), running.meterProvider.shutdown()]);
  running.unload();
  trace.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
}
