import { DataSource } from 'typeorm';
import { advisoryLockKey } from '@mlc/tenants';
import { CreateAuditProjections1767400000000 } from './migrations/1767400000000-create-audit-projections';

export const AUDIT_MIGRATIONS = [CreateAuditProjections1767400000000];
export const AUDIT_MIGRATIONS_TABLE = 'audit_migrations';
/** The tables a rebuild must reproduce exactly (compared by the rebuild test). */
export const AUDIT_TABLES = ['audit_entries', 'audit_xrefs', 'audit_exceptions', 'audit_billing_records', 'audit_flow_states'] as const;

/**
 * Applies the audit schema migrations (TypeORM, table `audit_migrations`), serialised between replicas by an
 * advisory lock. The projections themselves are written with plain SQL over the service's pg pool.
 */
export async function migrateAuditSchema(url: string): Promise<void> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    migrations: AUDIT_MIGRATIONS,
    migrationsTableName: AUDIT_MIGRATIONS_TABLE,
    synchronize: false,
    logging: false,
    extra: { max: 2 },
  });
  await ds.initialize();
  const runner = ds.createQueryRunner();
  await runner.connect();
  const key = advisoryLockKey('mlc:audit:migrations');
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}
