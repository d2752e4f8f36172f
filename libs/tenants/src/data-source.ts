import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConfigHistoryEntity } from './entities/config-history.entity';
import { ConnectionEntity } from './entities/connection.entity';
import { MappingEntity } from './entities/mapping.entity';
import { PartnerTokenEntity } from './entities/partner-token.entity';
import { TenantEntity } from './entities/tenant.entity';

export const TENANTS_ENTITIES = [TenantEntity, ConnectionEntity, MappingEntity, ConfigHistoryEntity, PartnerTokenEntity];

/** A DataSource over the tenants tables only (not initialized; the tables come from TENANTS_MIGRATION_SET). `url` = postgres://user:pass@host:port/db. */
export function createTenantsDataSource(url: string, opts: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: TENANTS_ENTITIES,
    synchronize: false,
    logging: false,
    extra: { max: opts.poolSize ?? 5 },
  });
}

/** Signed 64-bit advisory-lock key derived from a name (stable across replicas and languages). */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
