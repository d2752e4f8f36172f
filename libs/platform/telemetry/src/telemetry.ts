import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

let sdk: NodeSDK | undefined;

/** Span processor that keeps nothing: traces still propagate (ids, context) when no exporter is configured. */
const discard: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

/**
 * Starts OpenTelemetry before anything else is loaded (kafkajs, http and pg are patched at require time).
 * Exports OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise ids and context still flow but nothing leaves.
 * W3C trace context travels in Kafka record headers through the kafkajs instrumentation.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env, extra: SpanProcessor[] = []): void {
  if (sdk) return;
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const processors: SpanProcessor[] = [...extra];
  if (endpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }), { scheduledDelayMillis: 500 }));
  if (!processors.length) processors.push(discard);
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env['OTEL_SERVICE_NAME'] ?? serviceName }),
    spanProcessors: processors,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? '') }),
      new KafkaJsInstrumentation(),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
