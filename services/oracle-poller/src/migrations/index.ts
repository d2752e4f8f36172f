import type { MigrationSet } from '@mlc/platform-service';
import { PollerFeedState1767500000000 } from './1767500000000-oracle-poller-001-feed-state';
import { PollerFeedStateExceptionRaised1767500001000 } from './1767500001000-oracle-poller-002-feed-state-exception-raised';
import { PollerBackfillRequests1767500002000 } from './1767500002000-oracle-poller-003-backfill-requests';

/** oracle-poller's tables, applied by the one migrator (tools/migrate.ts). Never edit a shipped migration; add the next. */
export const ORACLE_POLLER_MIGRATION_SET: MigrationSet = {
  owner: 'oracle-poller',
  table: 'oracle_poller_migrations',
  migrations: [PollerFeedState1767500000000, PollerFeedStateExceptionRaised1767500001000, PollerBackfillRequests1767500002000],
};
