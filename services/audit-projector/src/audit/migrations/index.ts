import type { MigrationSet } from '@mlc/platform-service';
import { CreateAuditProjections1767400000000 } from './1767400000000-create-audit-projections';
import { AuditProjectionIndexes1767700000000 } from './1767700000000-audit-projection-indexes';

/** audit-projector's projection tables, applied by the one migrator (tools/migrate.ts). */
export const AUDIT_MIGRATION_SET: MigrationSet = {
  owner: 'audit-projector',
  table: 'audit_migrations',
  migrations: [CreateAuditProjections1767400000000, AuditProjectionIndexes1767700000000],
};
