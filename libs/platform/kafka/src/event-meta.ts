import { context, propagation } from '@opentelemetry/api';
import type { EventMeta } from '@mlc/contracts';
import { ulid } from './ulid';

/** The W3C traceparent of the active span, if any. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ?? null;
}

/**
 * Meta for a new event. `causedBy` is the meta of the event being handled: the correlation id is inherited and the
 * causation id points at it, so the audit can rebuild the chain.
 */
export function newMeta(opts: { tenantId: string; source: string; causedBy?: EventMeta; correlationId?: string; now?: number }): EventMeta {
  const eventId = ulid(opts.now);
  return {
    eventId,
    tenantId: opts.tenantId,
    correlationId: opts.causedBy?.correlationId ?? opts.correlationId ?? eventId,
    causationId: opts.causedBy?.eventId ?? null,
    source: opts.source,
    occurredAt: opts.now ?? Date.now(),
    traceparent: currentTraceparent(),
  };
}

/** Kafka headers mirroring the meta, so tools can route and filter without decoding. */
export function metaHeaders(meta: EventMeta, record: string): Record<string, string> {
  const h: Record<string, string> = {
    'mlc-event-id': meta.eventId,
    'mlc-tenant-id': meta.tenantId,
    'mlc-correlation-id': meta.correlationId,
    'mlc-source': meta.source,
    'mlc-occurred-at': new Date(meta.occurredAt).toISOString(),
    'mlc-record': record,
  };
  if (meta.causationId) h['mlc-causation-id'] = meta.causationId;
  return h;
}

export function headerString(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}
