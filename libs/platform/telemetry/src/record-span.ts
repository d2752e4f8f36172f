import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link, type Span } from '@opentelemetry/api';
import { annotationAttributes, type SpanAnnotation } from './span-attributes';

const tracer = () => trace.getTracer('ml-connector');

export interface SpanOptions {
  /** What identifies the record (tenant, entity type, business id...): `mlc.*` attributes, secrets dropped. */
  annotate?: SpanAnnotation;
  kind?: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /**
   * Start a new trace instead of a child of the active span, linked to it. Pollers use it per record: the poll cycle
   * is one span, and each record it emits starts its own trace (one trace per record) with a link back to the poll.
   */
  newTrace?: boolean;
  links?: Link[];
}

const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER };

/**
 * Runs `fn` inside a new active span (Kafka sends, SQL and fetch calls made inside become its children) and ends it;
 * an error thrown marks the span ERROR (with its `code`, when an AppError) and is rethrown.
 *
 *   await inSpan('poll purchase-orders', { annotate: { tenantId } }, async () => {
 *     const page = await fusion.listPurchaseOrders(...);
 *     for (const po of page) await inSpan('purchase-order changed', { newTrace: true, annotate: { tenantId, entityType: 'fusion-po', businessId: po.id } },
 *       () => publisher.publish(...));
 *   });
 */
export async function inSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = context.active();
  const parentSpan = trace.getSpan(parent);
  const links = [...(opts.links ?? []), ...(opts.newTrace && parentSpan ? [{ context: parentSpan.spanContext() }] : [])];
  const span = tracer().startSpan(
    name,
    { kind: KINDS[opts.kind ?? 'internal'], attributes: annotationAttributes(opts.annotate ?? {}), links, root: opts.newTrace ?? false },
    opts.newTrace ? ROOT_CONTEXT : parent,
  );
  try {
    return await context.with(trace.setSpan(opts.newTrace ? ROOT_CONTEXT : parent, span), () => fn(span));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') span.setAttribute('mlc.error_code', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message.slice(0, 300) : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/** The active trace id, for logs and API answers (e.g. webhook-gateway could return it), or undefined. */
export function activeTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}
