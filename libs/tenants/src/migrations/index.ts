import type { MigrationSet } from '@mlc/platform-service';
import { CreateTenants1767225600000 } from './1767225600000-create-tenants';
import { CreateTenantConfigOutbox1767312000000 } from './1767312000000-create-tenant-config-outbox';

/** The tenants tables (configuration, history, tokens, outbox), applied by the one migrator (tools/migrate.ts). */
export const TENANTS_MIGRATION_SET: MigrationSet = {
  owner: 'tenants',
  table: 'tenants_migrations',
  migrations: [CreateTenants1767225600000, CreateTenantConfigOutbox1767312000000],
};
