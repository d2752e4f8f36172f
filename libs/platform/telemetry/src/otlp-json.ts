import { gunzipSync } from 'node:zlib';

/** A span as received over OTLP, flattened for tests and the local trace viewer. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** SPAN_KIND_* without the prefix, lower case: internal | server | client | producer | consumer. */
  kind: string;
  service: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  status: { code: 'unset' | 'ok' | 'error'; message?: string };
  events: { name: string; timeMs: number; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
  scope: string;
}

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
};
type KeyValue = { key: string; value?: AnyValue };

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue) return attributes(v.kvlistValue.values);
  return v.bytesValue;
}

function attributes(kvs: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((kvs ?? []).map((kv) => [kv.key, value(kv.value)]));
}

/** OTLP/JSON times are nanoseconds as a decimal string (or number, or {low, high} from older exporters). */
function nanosToMs(t: unknown): number {
  if (typeof t === 'string') return Number(BigInt(t) / 1000n) / 1000;
  if (typeof t === 'number') return t / 1e6;
  if (t && typeof t === 'object' && 'low' in t && 'high' in t) {
    const { low, high } = t as { low: number; high: number };
    return Number((BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)) / 1e6;
  }
  return 0;
}

/** JSON ids are hex; some producers send base64 (the protobuf-JSON mapping): both become lower-case hex. */
function hexId(id: unknown, bytes: number): string {
  if (typeof id !== 'string' || !id) return '';
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
  attributes?: KeyValue[];
  status?: { code?: number; message?: string };
  events?: { name?: string; timeUnixNano?: unknown; attributes?: KeyValue[] }[];
  links?: { traceId?: string; spanId?: string }[];
}
interface OtlpTraceRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[] }[];
}

/** Reads an OTLP/HTTP request body (gzip or not) as JSON; protobuf bodies are refused with a clear error. */
export function readOtlpJson(body: Buffer, headers: { 'content-type'?: string; 'content-encoding'?: string }): unknown {
  const raw = headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
  if (!(headers['content-type'] ?? '').includes('json')) {
    throw new Error(`unsupported OTLP content type '${headers['content-type'] ?? ''}': use the http/json exporter (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)`);
  }
  return JSON.parse(raw.toString('utf8')) as unknown;
}

/** Flattens an OTLP ExportTraceServiceRequest (JSON encoding) into spans. */
export function decodeOtlpTraces(request: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (request as OtlpTraceRequest).resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    const service = String(resource['service.name'] ?? 'unknown');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hexId(s.traceId, 16),
          spanId: hexId(s.spanId, 8),
          parentSpanId: hexId(s.parentSpanId, 8),
          name: s.name ?? '',
          kind: KINDS[s.kind ?? 0] ?? 'unspecified',
          service,
          startMs: nanosToMs(s.startTimeUnixNano),
          endMs: nanosToMs(s.endTimeUnixNano),
          attributes: attributes(s.attributes),
          status: { code: s.status?.code === 2 ? 'error' : s.status?.code === 1 ? 'ok' : 'unset', message: s.status?.message || undefined },
          events: (s.events ?? []).map((e) => ({ name: e.name ?? '', timeMs: nanosToMs(e.timeUnixNano), attributes: attributes(e.attributes) })),
          links: (s.links ?? []).map((l) => ({ traceId: hexId(l.traceId, 16), spanId: hexId(l.spanId, 8) })),
          scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return out;
}

/** The metric names in an OTLP ExportMetricsServiceRequest (JSON encoding), with their service. */
export function decodeOtlpMetricNames(request: unknown): { service: string; name: string }[] {
  type Req = { resourceMetrics?: { resource?: { attributes?: KeyValue[] }; scopeMetrics?: { metrics?: { name?: string }[] }[] }[] };
  const out: { service: string; name: string }[] = [];
  for (const rm of (request as Req).resourceMetrics ?? []) {
    const service = String(attributes(rm.resource?.attributes)['service.name'] ?? 'unknown');
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) if (m.name) out.push({ service, name: m.name });
  }
  return out;
}
