import type { DataSource } from 'typeorm';
import { SecretBox } from '../crypto/secret-box';
import { createTenantsDataSource } from '../data-source';
import { InMemoryTenantChangePublisher } from '../tenant-change.publisher';
import { TenantConfigService, type TenantConfigServiceOptions } from '../tenant-config.service';

/**
 * The tenants' tables of a test database (already migrated) and a TenantConfigService over them, its secrets sealed
 * with `encryptionKeys` (the test keys the services are started with) and its change notices kept in memory. For
 * tests and benchmarks; destroy `ds` when done.
 */
export async function openTestTenantConfig(
  url: string,
  encryptionKeys: string,
  options: Pick<TenantConfigServiceOptions, 'relayWaitMs' | 'snapshotCacheTtlMs'> = {},
): Promise<{ ds: DataSource; tenants: TenantConfigService }> {
  const ds = createTenantsDataSource(url);
  await ds.initialize();
  const tenants = new TenantConfigService({
    dataSource: ds,
    secretBox: new SecretBox(encryptionKeys),
    publisher: new InMemoryTenantChangePublisher(),
    ...options,
  });
  return { ds, tenants };
}
