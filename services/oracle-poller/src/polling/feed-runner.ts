import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AppError, errorCategory, toAppError } from '@mlc/platform-errors';
import { newMeta, topicName, type EventPublisher, type OutgoingRecord } from '@mlc/platform-kafka';
import { inSpan, LOGGER, MetricsRegistry, PUBLISHER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { PartnerClients, TenantDirectory } from '@mlc/tenancy';
import { ORACLE_POLLER_CONFIG, type OraclePollerConfig } from '../config/oracle-poller.config';
import { DeliveryVerifier } from './delivery-verifier';
import type { FusionPage } from '@mlc/partners-fusion-client';
import type { Feed, FeedContext } from './feed';
import { lastUpdateMs, PollStateRepository, type EmittedEntry, type Fence } from './poll-state.repository';

export const SOURCE = 'oracle-poller';

export type RunOutcome = 'done' | 'locked' | 'stopped';

export interface RunResult {
  outcome: RunOutcome;
  pages: number;
  emitted: number;
  dropped: number;
}

export interface SyncResult {
  id: string;
  lastUpdateDate: string;
  emitted: boolean;
  eventId: string | null;
}

interface Batch {
  entries: EmittedEntry[];
  dropped: number;
}

/**
 * Polls one tenant feed under its advisory lock (and, from the scheduler, its lease: `fence`): reads page by page from (cursor - overlap), or from a requested
 * backfill date, drops records already emitted at that LastUpdateDate, publishes the rest, and only after Kafka's
 * acknowledgement records them and moves the cursor. Paging restarts from the newest LastUpdateDate of each page
 * (keyset), so records that change while we page can't shift others out of sight.
 *
 * Traces: each poll is a span (`poll <feed>`, the Fusion reads are its children); each record it emits starts its own
 * trace (`<feed> record`, linked to the poll), so one PO's trace begins where it was read and follows it through
 * every hop. After each poll `mlc_poll_cursor_age_seconds{flow=<feed>,tenant}` says how far behind now the cursor is.
 */
@Injectable()
export class FeedRunner {
  private publishes = 0;

  constructor(
    private readonly repo: PollStateRepository,
    private readonly verifier: DeliveryVerifier,
    private readonly clients: PartnerClients,
    private readonly directory: TenantDirectory,
    private readonly metrics: MetricsRegistry,
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(ORACLE_POLLER_CONFIG) private readonly config: OraclePollerConfig,
  ) {}

  /** `fence`: the feed lease's check, run inside every transaction that records a batch or moves the cursor. */
  async run(tenantId: string, feed: Feed, signal?: AbortSignal, fence?: Fence): Promise<RunResult> {
    return inSpan(`poll ${feed.name}`, { annotate: { tenantId, operation: `poll ${feed.name}` } }, () => this.poll(tenantId, feed, signal, fence));
  }

  private async poll(tenantId: string, feed: Feed, signal?: AbortSignal, fence?: Fence): Promise<RunResult> {
    const result: RunResult = { outcome: 'done', pages: 0, emitted: 0, dropped: 0 };
    const client = await this.clients.fusion(tenantId);
    const lock = await this.repo.tryLock(tenantId, feed.name);
    if (!lock) return { ...result, outcome: 'locked' };
    try {
      await this.repo.runStarted(tenantId, feed.name);
      if (signal?.aborted) return { ...result, outcome: 'stopped' };
      await this.recover(tenantId, feed.name, fence);
      const state = await this.repo.state(tenantId, feed.name);
      const backfill = state?.backfillFromMs != null ? { fromMs: state.backfillFromMs, request: state.backfillRequest } : undefined;
      if (backfill?.request) await this.repo.backfillStarted(backfill.request, feed.name);
      let since =
        backfill?.fromMs ?? (state?.cursorMs != null ? state.cursorMs - this.config.overlapMs : Date.now() - (await this.initialLookbackMs(tenantId)));
      const ctx: FeedContext = { tenantId, client };
      let cursorMs = state?.cursorMs ?? undefined;
      // One page ahead: the next page is read from Fusion while this one is published and committed (bounded: two
      // pages in memory at most). Its query is known as soon as this page is: from its newest LastUpdateDate (keyset),
      // or the next offset of the same query when the page is all one timestamp.
      let pages = feed.pages(client, new Date(since), this.config.pageSize)[Symbol.asyncIterator]();
      let ahead: Promise<IteratorResult<FusionPage<unknown>>> | undefined = pages.next();
      while (ahead) {
        const read = await ahead;
        ahead = undefined;
        if (read.done) break;
        const page = read.value;
        const newest = newestOf(feed, page.items);
        if (page.hasMore) {
          if (newest && newest.ms > since) {
            // Keyset: ask again from the newest timestamp seen (its records are dropped as already emitted).
            await pages.return?.(undefined);
            since = newest.ms;
            pages = feed.pages(client, new Date(since), this.config.pageSize)[Symbol.asyncIterator]();
          }
          ahead = pages.next();
        }
        if (signal?.aborted) {
          ahead?.catch(() => undefined);
          return { ...result, outcome: 'stopped' };
        }
        result.pages++;
        let batch: Batch;
        try {
          batch = await this.emit(ctx, feed, page.items, false, fence, signal);
          await this.repo.commit(
            tenantId,
            feed.name,
            {
              emitted: batch.entries,
              cursor: newest,
              backfillFromMs: backfill && newest ? newest.ms : undefined,
              ...(backfill?.request ? { backfill: { request: backfill.request, read: page.items.length } } : {}),
            },
            fence,
          );
        } catch (err) {
          ahead?.catch(() => undefined); // the page read ahead is dropped with this run
          throw err;
        }
        result.emitted += batch.entries.length;
        result.dropped += batch.dropped;
        if (newest) this.metrics.set('oracle_poller_cursor_timestamp_seconds', { tenant: tenantId, feed: feed.name }, Math.floor(newest.ms / 1000));
        if (newest && (cursorMs === undefined || newest.ms > cursorMs)) cursorMs = newest.ms;
      }
      await this.repo.runSucceeded(tenantId, feed.name, backfill?.request ?? null);
      if (cursorMs !== undefined) this.metrics.pollCursorAge({ flow: feed.name, tenantId, cursor: cursorMs });
      return result;
    } finally {
      await this.repo.unlock(lock, tenantId, feed.name);
      this.metrics.inc('oracle_poller_events_emitted_total', { tenant: tenantId, feed: feed.name }, result.emitted, 'events published by the poller');
      this.metrics.inc('oracle_poller_duplicates_dropped_total', { tenant: tenantId, feed: feed.name }, result.dropped, 're-read records already emitted');
    }
  }

  /** Where a feed without a cursor starts: the tenant's `initialLookbackDays`, else POLLER_INITIAL_LOOKBACK_MS (30 days). */
  private async initialLookbackMs(tenantId: string): Promise<number> {
    const days = (await this.directory.get(tenantId)).settings.initialLookbackDays;
    return days === undefined ? this.config.initialLookbackMs : days * 86_400_000;
  }

  /** Reads one record now and emits it unless it was already emitted at this LastUpdateDate (or `force`). */
  async syncOne(tenantId: string, feed: Feed, id: string, force: boolean): Promise<SyncResult> {
    return inSpan(`sync ${feed.name}`, { annotate: { tenantId, entityType: feed.entityType, businessId: id } }, () => this.sync(tenantId, feed, id, force));
  }

  private async sync(tenantId: string, feed: Feed, id: string, force: boolean): Promise<SyncResult> {
    const client = await this.clients.fusion(tenantId);
    const lock: PoolClient | undefined = await this.repo.lock(tenantId, feed.name, 30_000);
    if (!lock) throw new AppError('POLLER.BUSY', `the ${feed.name} feed of tenant ${tenantId} is busy; try again`, { retryable: true });
    try {
      await this.recover(tenantId, feed.name);
      const item = await feed.fetchOne(client, id);
      const batch = await this.emit({ tenantId, client }, feed, [item], force);
      await this.repo.commit(tenantId, feed.name, { emitted: batch.entries });
      const ident = feed.identify(item);
      this.metrics.inc('oracle_poller_events_emitted_total', { tenant: tenantId, feed: feed.name }, batch.entries.length);
      return { id: ident.id, lastUpdateDate: ident.lastUpdateDate, emitted: batch.entries.length > 0, eventId: batch.entries[0]?.eventId ?? null };
    } finally {
      await this.repo.unlock(lock, tenantId, feed.name);
    }
  }

  /**
   * A batch left in flight by a crash between Kafka's ack and our commit: what reached the topic is remembered as
   * emitted; the rest is simply read and sent again (the cursor did not move).
   */
  private async recover(tenantId: string, feed: string, fence?: Fence): Promise<void> {
    const inflight = await this.repo.inflight(tenantId, feed);
    if (!inflight) return;
    const delivered = await this.verifier.findDelivered(inflight.offsets, new Set(inflight.entries.map((e) => e.eventId)));
    await this.repo.commit(tenantId, feed, { emitted: inflight.entries.filter((e) => delivered.has(e.eventId)) }, fence);
    this.log.warn('resolved an in-flight batch after a restart', { tenantId, feed, batch: inflight.entries.length, delivered: delivered.size });
  }

  /** Drops what was already emitted, builds the events, records the batch as in flight, publishes and awaits the ack. */
  private async emit(ctx: FeedContext, feed: Feed, items: unknown[], force: boolean, fence?: Fence, signal?: AbortSignal): Promise<Batch> {
    const idents = items.map((i) => feed.identify(i));
    const known = force
      ? new Map<string, number>()
      : await this.repo.emitted(
          ctx.tenantId,
          feed.name,
          idents.map((i) => i.id),
        );
    // Each record's event is built in its own trace, all of the page at once (look-ups are cached per poll).
    const built = await Promise.all(
      items.map(async (item, n): Promise<{ record: OutgoingRecord; entry?: EmittedEntry } | 'dropped'> => {
        const ident = idents[n]!;
        let ms: number;
        try {
          ms = lastUpdateMs(ident.lastUpdateDate);
        } catch {
          // Without a LastUpdateDate the record can't be de-duplicated: raise it for a person, remember nothing.
          return {
            record: this.exception(
              ctx.tenantId,
              feed,
              ident.id,
              item,
              new AppError('POLLER.INVALID_LAST_UPDATE_DATE', `record ${ident.id} has no valid LastUpdateDate`),
            ),
          };
        }
        const seen = known.get(ident.id);
        if (seen !== undefined && seen >= ms) return 'dropped';
        let record: OutgoingRecord;
        try {
          // The record's own trace (linked to the poll): its meta.traceparent and its send belong to it.
          record = await inSpan(
            `${feed.name} record`,
            { newTrace: true, annotate: { tenantId: ctx.tenantId, entityType: feed.entityType, businessId: ident.id } },
            () => feed.toRecord(ctx, item),
          );
        } catch (err) {
          const e = toAppError(err);
          if (e.retryable) throw e;
          record = this.exception(ctx.tenantId, feed, ident.id, item, e);
        }
        const eventId = (record.value as { meta: { eventId: string } }).meta.eventId;
        return { record, entry: { id: ident.id, lastUpdateMs: ms, lastUpdateDate: ident.lastUpdateDate, eventId } };
      }),
    );
    const records: OutgoingRecord[] = [];
    const entries: EmittedEntry[] = [];
    let dropped = 0;
    for (const b of built) {
      if (b === 'dropped') dropped++;
      else {
        records.push(b.record);
        if (b.entry) entries.push(b.entry);
      }
    }
    if (records.length) {
      const topics = [...new Set(records.map((r) => topicName(r.topic, this.config.topicSuffix)))];
      const offsets = await this.verifier.highWatermarks(topics);
      // Fenced: a replica that lost the feed's lease sends nothing (and the signal stops one whose lease lapsed locally).
      await this.repo.saveInflight(ctx.tenantId, feed.name, { entries, offsets }, fence);
      if (signal?.aborted)
        throw new AppError('POLLER.STOPPED', 'the poll was stopped (shutdown or lease lost) before it sent the batch; the next owner resends it');
      await this.publisher.publishEachInItsTrace(records);
      if (this.config.crashAfterPublishes > 0 && ++this.publishes >= this.config.crashAfterPublishes) {
        this.log.warn('fault injection: dying between the Kafka ack and the Postgres commit', { tenantId: ctx.tenantId, feed: feed.name });
        process.kill(process.pid, 'SIGKILL');
      }
    }
    return { entries, dropped };
  }

  private exception(tenantId: string, feed: Feed, id: string, item: unknown, err: AppError): OutgoingRecord<'ops.exception.raised.v1'> {
    this.log.warn('a Fusion record could not be turned into an event; raised as an exception', {
      tenantId,
      feed: feed.name,
      id,
      code: err.code,
      error: err.message,
    });
    this.metrics.inc('oracle_poller_record_exceptions_total', { tenant: tenantId, feed: feed.name, code: err.code }, 1, 'records raised as exceptions');
    return {
      topic: 'ops.exception.raised.v1',
      key: `${tenantId}:${id}`,
      value: {
        meta: newMeta({ tenantId, source: SOURCE }),
        service: SOURCE,
        code: err.code,
        category: errorCategory(err),
        message: err.message,
        attempts: 1,
        sourceTopic: `fusion:${feed.name}`,
        sourcePartition: -1,
        sourceOffset: '',
        sourceKey: `${tenantId}:${id}`,
        sourceEventId: null,
        entityType: feed.entityType,
        businessId: id,
        details: JSON.stringify(err.details ?? {}),
        payload: Buffer.from(JSON.stringify(item) ?? 'null'),
      },
    };
  }

  /** Publishes one exception for a tenant-level failure (bad credentials, no privilege): a person must act. */
  async raiseTenantException(tenantId: string, feed: Feed, err: AppError): Promise<void> {
    await this.publisher.publish({
      topic: 'ops.exception.raised.v1',
      key: `${tenantId}:fusion`,
      value: {
        meta: newMeta({ tenantId, source: SOURCE }),
        service: SOURCE,
        code: err.code,
        category: errorCategory(err),
        message: `polling ${feed.name} failed: ${err.message}`,
        attempts: 1,
        sourceTopic: `fusion:${feed.name}`,
        sourcePartition: -1,
        sourceOffset: '',
        sourceKey: null,
        sourceEventId: null,
        entityType: 'tenant-connection',
        businessId: 'fusion',
        details: JSON.stringify({ feed: feed.name, ...(err.details ?? {}) }),
        payload: Buffer.alloc(0),
      },
    });
  }
}

function newestOf(feed: Feed, items: unknown[]): { ms: number; text: string } | undefined {
  let best: { ms: number; text: string } | undefined;
  for (const item of items) {
    const text = feed.identify(item).lastUpdateDate;
    const ms = Date.parse(text);
    if (!Number.isNaN(ms) && (!best || ms > best.ms)) best = { ms, text };
  }
  return best;
}
