import { Leases1767600000000 } from './1767600000000-leases';

/** The lease table, applied by the one migrator (tools/migration-sets.ts); shaped as platform-service's MigrationSet. */
export const LEASE_MIGRATION_SET = {
  owner: 'platform-lease',
  table: 'platform_lease_migrations',
  migrations: [Leases1767600000000],
};
