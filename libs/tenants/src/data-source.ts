import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConfigHistoryEntity } from './entities/config-history.entity';
import { ConnectionEntity } from './entities/connection.entity';
import { MappingEntity } from './entities/mapping.entity';
import { PartnerTokenEntity } from './entities/partner-token.entity';
import { TenantEntity } from './entities/tenant.entity';
import { CreateTenants1767225600000 } from './migrations/1767225600000-create-tenants';
import { CreateTenantConfigOutbox1767312000000 } from './migrations/1767312000000-create-tenant-config-outbox';

export const TENANTS_ENTITIES = [TenantEntity, ConnectionEntity, MappingEntity, ConfigHistoryEntity, PartnerTokenEntity];
export const TENANTS_MIGRATIONS = [CreateTenants1767225600000, CreateTenantConfigOutbox1767312000000];
export const TENANTS_MIGRATIONS_TABLE = 'tenants_migrations';

/** A DataSource over the tenants tables only (not initialized). `url` = postgres://user:pass@host:port/db. */
export function createTenantsDataSource(url: string, opts: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: TENANTS_ENTITIES,
    migrations: TENANTS_MIGRATIONS,
    migrationsTableName: TENANTS_MIGRATIONS_TABLE,
    synchronize: false,
    logging: false,
    extra: { max: opts.poolSize ?? 5 },
  });
}

/** Signed 64-bit advisory-lock key derived from a name (stable across replicas and languages). */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Runs the tenants migrations, initializing the DataSource if needed. Replicas starting together are serialised by
 * a session advisory lock, so only one applies a migration and the others find it done.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = advisoryLockKey('mlc:tenants:migrations');
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    await runner.release();
  }
}
