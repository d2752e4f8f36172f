import { as, type Setting } from '@mlc/platform-config';

/** Settings of the polling machinery shared by every feed (purchase orders, receivables). */
export const pollingSettings = {
  operatorApiKeys: {
    env: 'MLC_OPERATOR_API_KEYS',
    doc: 'operator API keys for /poller endpoints, `key:tenant-or-*` comma-separated (same format as the admin API); empty: endpoints refuse every call',
    parse: as.string,
    secret: true,
    default: '',
  } as Setting<string>,
  pollTickMs: {
    env: 'POLLER_TICK_MS',
    doc: 'how often the scheduler looks for a tenant feed that is due (the feed interval itself comes from the tenant settings)',
    parse: as.int(50, 60_000),
    default: 1_000,
  } as Setting<number>,
  overlapMs: {
    env: 'POLLER_OVERLAP_MS',
    doc: 'each poll re-reads this far behind its cursor (Fusion timestamps are coarse, commits land late); re-read records already emitted are dropped',
    parse: as.int(0),
    default: 120_000,
  } as Setting<number>,
  initialLookbackMs: {
    env: 'POLLER_INITIAL_LOOKBACK_MS',
    doc: 'where a tenant feed without a cursor starts when the tenant has no initialLookbackDays setting: this long before now (older records: mlc backfill)',
    parse: as.int(0),
    default: 30 * 86_400_000,
  } as Setting<number>,
  pageSize: {
    env: 'POLLER_PAGE_SIZE',
    doc: 'records per Fusion page (1..499); memory is bounded by one page',
    parse: as.int(1, 499),
    default: 200,
  } as Setting<number>,
  failureBackoffMs: {
    env: 'POLLER_FAILURE_BACKOFF_MS',
    doc: 'first retry delay after a failed poll of a tenant feed; doubles per consecutive failure (never sooner than the feed interval)',
    parse: as.int(1),
    default: 5_000,
  } as Setting<number>,
  failureBackoffMaxMs: {
    env: 'POLLER_FAILURE_BACKOFF_MAX_MS',
    doc: 'longest delay between retries of a failing tenant feed',
    parse: as.int(1),
    default: 15 * 60_000,
  } as Setting<number>,
  maxConcurrentPolls: {
    env: 'POLLER_MAX_CONCURRENT_POLLS',
    doc: 'tenant feeds polled at the same time by one replica',
    parse: as.int(1, 64),
    default: 4,
  } as Setting<number>,
  tenantRefreshMs: {
    env: 'POLLER_TENANT_REFRESH_MS',
    doc: 'how often the list of tenants is re-read (a tenant change event also refreshes it)',
    parse: as.int(100),
    default: 15_000,
  } as Setting<number>,
  feeds: {
    env: 'POLLER_FEEDS',
    doc: 'feeds this replica polls: purchase-orders, customer-accounts, receivables-invoices, credit-memos (default all)',
    parse: as.list,
    default: ['purchase-orders', 'customer-accounts', 'receivables-invoices', 'credit-memos'],
  } as Setting<string[]>,
  crashAfterPublishes: {
    env: 'POLLER_FAULT_CRASH_AFTER_PUBLISHES',
    doc: 'fault injection for tests: after this many acknowledged batches the process kills itself before recording them (0 = off)',
    parse: as.int(0),
    default: 0,
  } as Setting<number>,
};
