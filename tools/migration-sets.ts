// Every owner's migrations, in the order the migrator applies them (each set has its own TypeORM table and lock).
import { LEASE_MIGRATION_SET } from '@mlc/platform-lease';
import { PLATFORM_MIGRATION_SET, type MigrationSet } from '@mlc/platform-service';
import { TENANTS_MIGRATION_SET } from '@mlc/tenants';
import { AUDIT_MIGRATION_SET } from '../services/audit-projector/src/audit/migrations';
import { FUSION_WRITER_MIGRATION_SET } from '../services/fusion-writer/src/migrations';
import { MAPPER_MIGRATION_SET } from '../services/mapper/src/migrations';
import { ORACLE_POLLER_MIGRATION_SET } from '../services/oracle-poller/src/migrations';
import { WEBHOOK_GATEWAY_MIGRATION_SET } from '../services/webhook-gateway/src/migrations';

export const ALL_MIGRATION_SETS: readonly MigrationSet[] = [
  PLATFORM_MIGRATION_SET,
  LEASE_MIGRATION_SET,
  TENANTS_MIGRATION_SET,
  AUDIT_MIGRATION_SET,
  ORACLE_POLLER_MIGRATION_SET,
  WEBHOOK_GATEWAY_MIGRATION_SET,
  MAPPER_MIGRATION_SET,
  FUSION_WRITER_MIGRATION_SET,
];
