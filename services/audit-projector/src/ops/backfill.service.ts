import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';
import type { OperatorIdentity } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { OperatorActionsPublisher } from './operator-actions.publisher';
import { badRequest, notFound } from './ops.errors';
import { callUpstream } from './upstream';

/** One feed as oracle-poller's status route answers. */
type PollerFeedStatus = {
  feed: string;
  cursor?: string | null;
  lastSuccessAt?: string | null;
  consecutiveFailures?: number;
  lastError?: { code: string; message: string } | null;
  backfillFrom?: string | null;
  running?: boolean;
};

/** A feed's cursor as the ops API shows it (ages in ms at `measuredAt`; null: never polled). */
export type FeedCursor = {
  feed: string;
  cursor: string | null;
  cursorAgeMs: number | null;
  lastSuccessAt: string | null;
  lastSuccessAgeMs: number | null;
  consecutiveFailures: number;
  lastError: { code: string; message: string } | null;
  backfillFrom: string | null;
  running: boolean;
};

/**
 * Backfill through oracle-poller (POST /poller/tenants/:id/backfill, GET …/backfill/:requestId), asked with the
 * caller's own operator key: the poller re-reads the feeds from `since` at its next poll and counts its progress.
 */
@Injectable()
export class BackfillService {
  constructor(
    @Inject(AUDIT_PROJECTOR_CONFIG) private readonly config: AuditProjectorConfig,
    private readonly actions: OperatorActionsPublisher,
  ) {}

  /** Requests the backfill and answers with its first progress report (requestId, status, per-feed counts). */
  async request(
    tenantId: string,
    body: Record<string, unknown> | undefined,
    who: OperatorIdentity,
    apiKey: string | undefined,
  ): Promise<Record<string, unknown>> {
    const since = body?.['since'];
    const feeds = body?.['feeds'];
    if (typeof since !== 'string' || !since) throw badRequest('since is required: an ISO-8601 date or datetime');
    if (feeds !== undefined && (!Array.isArray(feeds) || feeds.some((f) => typeof f !== 'string')))
      throw badRequest('feeds must be a list of oracle-poller feed names');
    const requested = await this.poller<{ requestId: string }>('POST', `/poller/tenants/${encodeURIComponent(tenantId)}/backfill`, apiKey, {
      since,
      ...(feeds ? { feeds } : {}),
    });
    await this.actions.record(who, tenantId, 'backfill', `${tenantId}:fusion`, { details: { requestId: requested.requestId, since, feeds: feeds ?? 'all' } });
    return this.progress(tenantId, requested.requestId, apiKey);
  }

  async progress(tenantId: string, requestId: string, apiKey: string | undefined): Promise<Record<string, unknown>> {
    if (!/^[0-9A-Za-z]{1,40}$/.test(requestId)) throw badRequest('requestId must be the id a backfill request answered with');
    return this.poller('GET', `/poller/tenants/${encodeURIComponent(tenantId)}/backfill/${encodeURIComponent(requestId)}`, apiKey);
  }

  /**
   * oracle-poller's feed cursors of a tenant (GET /poller/tenants/:id/status, from its PostgreSQL feed state): per feed
   * the cursor (newest LastUpdateDate read) and its age, the last successful poll and its age, failures, the last error.
   */
  async feeds(tenantId: string, apiKey: string | undefined): Promise<{ tenantId: string; measuredAt: string; feeds: FeedCursor[] }> {
    const status = await this.poller<{ feeds?: PollerFeedStatus[] }>('GET', `/poller/tenants/${encodeURIComponent(tenantId)}/status`, apiKey);
    const now = Date.now();
    const age = (text: string | null | undefined): number | null => {
      const ms = text ? Date.parse(text) : NaN;
      return Number.isNaN(ms) ? null : Math.max(0, now - ms);
    };
    return {
      tenantId,
      measuredAt: new Date(now).toISOString(),
      feeds: (status.feeds ?? []).map((f) => ({
        feed: f.feed,
        cursor: f.cursor ?? null,
        cursorAgeMs: age(f.cursor),
        lastSuccessAt: f.lastSuccessAt ?? null,
        lastSuccessAgeMs: age(f.lastSuccessAt),
        consecutiveFailures: f.consecutiveFailures ?? 0,
        lastError: f.lastError ?? null,
        backfillFrom: f.backfillFrom ?? null,
        running: f.running ?? false,
      })),
    };
  }

  private async poller<T = Record<string, unknown>>(method: string, path: string, apiKey: string | undefined, body?: unknown): Promise<T> {
    const answer = await callUpstream('oracle-poller', this.config.opsOraclePollerUrl, path, {
      method,
      headers: { ...(apiKey ? { 'x-api-key': apiKey } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { ok, status, body: parsed, text } = answer;
    if (ok) return parsed as T;
    const message = typeof parsed === 'object' && parsed && 'message' in parsed ? String((parsed as { message: unknown }).message) : String(text).slice(0, 300);
    // The poller's own refusals keep their meaning (a bad date or feed, an unknown tenant or request).
    if (status === 400) throw badRequest(`oracle-poller: ${message}`);
    if (status === 404) throw notFound(`oracle-poller: ${message}`);
    throw new AppError('OPS.UPSTREAM', `oracle-poller answered ${status}: ${message}`);
  }
}
