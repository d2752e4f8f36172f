import type { FusionClient, FusionPage } from '@mlc/partners-fusion-client';
import type { OutgoingRecord } from '@mlc/platform-kafka';
import type { TenantSnapshot } from '@mlc/tenants';

/** What the poller remembers of one record: its id and the LastUpdateDate it was emitted at. */
export interface FeedItemIdentity {
  id: string;
  /** Fusion's LastUpdateDate exactly as returned. */
  lastUpdateDate: string;
}

/** Per-run context a feed may use for look-ups (a cache lives as long as one poll or one sync). */
export interface FeedContext {
  tenantId: string;
  client: FusionClient;
}

/**
 * One kind of Fusion record polled by LastUpdateDate (purchase orders, invoices, ...). The runner owns paging,
 * cursor, overlap, de-duplication, locking and delivery; a feed only knows how to read and how to turn a record into
 * its event.
 */
export interface Feed<T = unknown> {
  /** Stable name: the cursor key, the URL segment of the sync endpoint, a metric label. */
  readonly name: string;
  /** entityType of an exception raised for one record (see schemas/CONVENTIONS.md). */
  readonly entityType: string;
  /** How often to poll this tenant, read from its settings at every cycle. */
  intervalMs(snapshot: TenantSnapshot): number;
  /** Pages of records with LastUpdateDate >= since, oldest first, ties by id. */
  pages(client: FusionClient, since: Date, pageSize: number): AsyncGenerator<FusionPage<T>>;
  /** One record by id (the "sync now" endpoint). */
  fetchOne(client: FusionClient, id: string): Promise<T>;
  identify(item: T): FeedItemIdentity;
  /** The event for a record; look-ups may use ctx. Throws a non-retryable AppError when this record can't be read. */
  toRecord(ctx: FeedContext, item: T): Promise<OutgoingRecord>;
}
