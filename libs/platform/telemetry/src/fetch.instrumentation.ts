import { subscribe } from 'node:diagnostics_channel';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { recordPartnerCall, recordTokenRefresh } from './flow-metrics';
import { histogram } from './metrics';
import { classifyPartnerRequest, currentTenant, type PartnerRequest } from './partner-request';
import { MLC_ATTR } from './span-attributes';

/** The parts of undici's request object the diagnostics channels hand us (Node's built-in fetch). */
interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  addHeader(name: string, value: string): unknown;
}

interface InFlight {
  span: Span;
  started: number;
  attrs: Record<string, string | number>;
  partner?: PartnerRequest;
  tenantId?: string;
}

let installed = false;
const inFlight = new WeakMap<UndiciRequest, InFlight>();

/** Query strings can hold credentials (Shopify/Fusion tokens never do, but a URL is not ours to trust): not traced. */
const withoutQuery = (path: string) => path.split('?')[0] ?? path;

/**
 * Client spans for Node's built-in fetch (undici), which the http instrumentation does not see: a CLIENT span per
 * request named `<METHOD>` with the HTTP semantic-convention attributes (url.full without query, server.address,
 * http.response.status_code), W3C traceparent injected into the request (partner sandboxes and our own services
 * continue the trace), and `mlc_fetch_request_duration_seconds` recorded (not http.client.request.duration, which
 * the http instrumentation owns: two families of one name would break the Prometheus scrape). Calls recognised as
 * Fusion, ShipBob or Shopify API calls (partner-request.ts) also record `mlc_partner_call*` and, for token
 * endpoints, `mlc_token_refreshes_total`, labelled with the tenant of the record in hand (withTenant). Uses undici's
 * diagnostics channels, so it works for every partner client without touching them.
 */
export function instrumentFetch(): void {
  if (installed) return;
  installed = true;
  const tracer = trace.getTracer('mlc-fetch');
  const duration = () => histogram('mlc_fetch_request_duration_seconds', 'outgoing fetch (partner) requests by method, server and status', { unit: 's' });

  subscribe('undici:request:create', (message) => {
    const { request } = message as { request: UndiciRequest };
    const origin = new URL(String(request.origin));
    const path = withoutQuery(request.path);
    const method = request.method.toUpperCase();
    const attrs: Record<string, string | number> = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_SERVER_ADDRESS]: origin.hostname,
      [ATTR_SERVER_PORT]: Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)),
      [ATTR_URL_SCHEME]: origin.protocol.replace(':', ''),
    };
    const partner = classifyPartnerRequest(method, new URL(path, origin));
    const tenantId = currentTenant();
    const span = tracer.startSpan(method, {
      kind: SpanKind.CLIENT,
      attributes: {
        ...attrs,
        [ATTR_URL_FULL]: `${origin.origin}${path}`,
        [ATTR_URL_PATH]: path,
        ...(partner ? { [MLC_ATTR.partner]: partner.partner, [MLC_ATTR.operation]: partner.operation } : {}),
        ...(tenantId ? { [MLC_ATTR.tenantId]: tenantId } : {}),
      },
    });
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    for (const [k, v] of Object.entries(carrier)) request.addHeader(k, v);
    inFlight.set(request, { span, started: performance.now(), attrs, partner, tenantId });
  });

  subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const f = inFlight.get(request);
    if (!f) return;
    f.attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] = response.statusCode;
    f.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
    if (response.statusCode >= 400) {
      f.attrs[ATTR_ERROR_TYPE] = String(response.statusCode);
      f.span.setAttribute(ATTR_ERROR_TYPE, String(response.statusCode));
      f.span.setStatus({ code: SpanStatusCode.ERROR });
    }
  });

  const end = (request: UndiciRequest, error?: Error) => {
    const f = inFlight.get(request);
    if (!f) return;
    inFlight.delete(request);
    if (error) {
      f.attrs[ATTR_ERROR_TYPE] = error.name || 'Error';
      f.span.setAttribute(ATTR_ERROR_TYPE, f.attrs[ATTR_ERROR_TYPE]);
      f.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    f.span.end();
    const durationMs = performance.now() - f.started;
    duration().observe(f.attrs, durationMs / 1000);
    if (f.partner) {
      const status = f.attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] ?? (error?.name === 'AbortError' || error?.name === 'TimeoutError' ? 'timeout' : 'network');
      recordPartnerCall({ partner: f.partner.partner, operation: f.partner.operation, status, durationMs, tenantId: f.tenantId });
      if (f.partner.tokenRequest)
        recordTokenRefresh({ partner: f.partner.partner, outcome: typeof status === 'number' && status < 400 ? 'ok' : 'failed', tenantId: f.tenantId });
    }
  };
  subscribe('undici:request:trailers', (message) => end((message as { request: UndiciRequest }).request));
  subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: UndiciRequest; error: Error };
    end(request, error);
  });
}
