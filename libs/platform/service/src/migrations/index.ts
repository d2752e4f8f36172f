import type { MigrationSet } from '../schema-migrations';
import { ProcessedEvents1767500000000 } from './1767500000000-processed-events';

/** The platform's shared tables (used by every service's consumers), applied by the one migrator. */
export const PLATFORM_MIGRATION_SET: MigrationSet = {
  owner: 'platform',
  table: 'platform_migrations',
  migrations: [ProcessedEvents1767500000000],
};
