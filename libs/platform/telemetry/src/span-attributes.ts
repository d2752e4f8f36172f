import { trace, type Attributes, type AttributeValue, type Span } from '@opentelemetry/api';

/** Attribute names of our own (`mlc.*`), next to the OpenTelemetry semantic conventions the instrumentations set. */
export const MLC_ATTR = {
  tenantId: 'mlc.tenant_id',
  entityType: 'mlc.entity_type',
  businessId: 'mlc.business_id',
  eventId: 'mlc.event_id',
  correlationId: 'mlc.correlation_id',
  partner: 'mlc.partner',
  operation: 'mlc.operation',
  attempt: 'mlc.attempt',
  errorCode: 'mlc.error_code',
} as const;

/** What a handler may put on the span of the record in hand. Anything else goes under `mlc.<key>`. */
export interface SpanAnnotation {
  tenantId?: string | null;
  entityType?: string | null;
  businessId?: string | null;
  eventId?: string | null;
  correlationId?: string | null;
  partner?: string | null;
  operation?: string | null;
  [key: string]: AttributeValue | null | undefined;
}

/** Keys that must never become span attributes (values are kept out of traces, not masked). */
const SECRET_KEY = /secret|password|passwd|token|authorization|cookie|apikey|api_key|private|credential|signature/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Turns an annotation into span attributes: known keys to `mlc.*` names, empty values and secret keys dropped. */
export function annotationAttributes(a: SpanAnnotation): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === '' || isSecretKey(k)) continue;
    const name = (MLC_ATTR as Record<string, string>)[k] ?? (k.includes('.') ? k : `mlc.${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`);
    out[name] = v;
  }
  return out;
}

/**
 * Puts tenant and business ids on the active span (the consumer's `process <topic>` span inside a handler, the HTTP
 * server span inside a controller), so one record's trace can be found by `mlc.business_id`. Never pass secrets:
 * keys that look like one are dropped. Returns the span, or undefined when nothing is being traced.
 *
 *   annotateSpan({ tenantId, entityType: 'shipbob-order', businessId: referenceId });
 */
export function annotateSpan(a: SpanAnnotation, span: Span | undefined = trace.getActiveSpan()): Span | undefined {
  span?.setAttributes(annotationAttributes(a));
  return span;
}
