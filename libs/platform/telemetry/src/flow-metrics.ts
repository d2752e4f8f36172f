import { counter, gauge, histogram } from './metrics';

/**
 * The named metrics of ml-connector (documented in libs/platform/service/README.md). Consumer metrics are recorded by
 * the platform's EventConsumer; the rest are called by the code that knows: partner clients or writers, token
 * handling, pollers, the audit projector.
 */
export const METRIC = {
  recordsHandled: 'mlc_records_handled',
  recordsFailed: 'mlc_records_failed',
  recordsParked: 'mlc_records_parked',
  recordsDeadLettered: 'mlc_records_dead_lettered',
  recordsSkipped: 'mlc_records_skipped_duplicate',
  recordDuration: 'mlc_record_handle_duration_seconds',
  consumerLag: 'mlc_consumer_lag',
  consumerRunning: 'mlc_consumer_running',
  consumerRestarts: 'mlc_consumer_restarts',
  partnerCallDuration: 'mlc_partner_call_duration_seconds',
  partnerCalls: 'mlc_partner_calls',
  rateLimitWaits: 'mlc_rate_limit_waits',
  rateLimitWaitSeconds: 'mlc_rate_limit_wait_seconds',
  tokenRefreshes: 'mlc_token_refreshes',
  pollCursorAge: 'mlc_poll_cursor_age_seconds',
  openExceptions: 'mlc_open_exceptions',
} as const;

export type Partner = 'fusion' | 'shipbob' | 'shopify' | (string & {});

/**
 * One call to a partner API, after it answered (or failed): latency histogram and a counter by status.
 * `status` is the HTTP status, or 'timeout' / 'network' when there was none. `operation` is a stable name
 * ('createOrder', 'getPurchaseOrders'), never a URL with ids in it.
 */
export function recordPartnerCall(c: { partner: Partner; operation: string; status: number | string; durationMs: number; tenantId?: string }): void {
  const labels = { partner: c.partner, operation: c.operation, status: String(c.status), tenant: c.tenantId };
  histogram(METRIC.partnerCallDuration, 'partner API call latency by partner, operation and status', { unit: 's' }).observe(labels, c.durationMs / 1000);
  counter(METRIC.partnerCalls, 'partner API calls by partner, operation and status').inc(labels);
}

/**
 * Times a partner call and records it: the status comes from the result (`statusOf`) or from the error's
 * `details.status` (our AppErrors carry it), else 'error'.
 */
export async function timePartnerCall<T>(
  c: { partner: Partner; operation: string; tenantId?: string },
  call: () => Promise<T>,
  statusOf: (result: T) => number | string = () => 200,
): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    recordPartnerCall({ ...c, status: statusOf(result), durationMs: performance.now() - started });
    return result;
  } catch (err) {
    const details = (err as { details?: { status?: unknown; reason?: unknown } }).details;
    const status = typeof details?.status === 'number' ? details.status : typeof details?.reason === 'string' ? details.reason : 'error';
    recordPartnerCall({ ...c, status, durationMs: performance.now() - started });
    throw err;
  }
}

/** A wait imposed by a partner's rate limit (429 + Retry-After, or our own throttle) before calling again. */
export function recordRateLimitWait(w: { partner: Partner; waitMs: number; tenantId?: string }): void {
  const labels = { partner: w.partner, tenant: w.tenantId };
  counter(METRIC.rateLimitWaits, 'waits imposed by partner rate limits').inc(labels);
  counter(METRIC.rateLimitWaitSeconds, 'seconds spent waiting for partner rate limits', 's').inc(labels, w.waitMs / 1000);
}

/** An access-token refresh against a partner's token endpoint. */
export function recordTokenRefresh(t: { partner: Partner; outcome: 'ok' | 'failed'; tenantId?: string }): void {
  counter(METRIC.tokenRefreshes, 'partner access-token refreshes by outcome').inc({ partner: t.partner, outcome: t.outcome, tenant: t.tenantId });
}

/**
 * How far behind now a poller's cursor is (e.g. the LastUpdateDate it polls from), per flow and tenant. Set it after
 * every poll; `cursor` is the cursor time in epoch ms.
 */
export function setPollCursorAge(p: { flow: string; tenantId: string; cursor: number; now?: number }): void {
  gauge(METRIC.pollCursorAge, 'age of the poll cursor (now - cursor time) per flow and tenant', 's').set(
    { flow: p.flow, tenant: p.tenantId },
    Math.max(0, ((p.now ?? Date.now()) - p.cursor) / 1000),
  );
}

/** Open (unresolved) exceptions, per tenant and entity type: the audit projector sets it after each change. */
export function setOpenExceptions(o: { tenantId: string; entityType: string; count: number }): void {
  gauge(METRIC.openExceptions, 'open exceptions per tenant and entity type').set({ tenant: o.tenantId, entity_type: o.entityType }, o.count);
}
