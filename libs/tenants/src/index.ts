export * from './tenants.types';
export { TenantValidationError, TenantNotFoundError, TenantConflictError, TenantCryptoError, type FieldProblem } from './tenants.errors';
export { SecretBox, type SealedValue } from './crypto/secret-box';
export { createTenantsDataSource, advisoryLockKey, TENANTS_ENTITIES } from './data-source';
export { TENANTS_MIGRATION_SET } from './migrations';
export {
  TenantConfigService,
  type TenantConfigServiceOptions,
  type TenantsLogger,
  type ImportResult,
  type ReencryptResult,
  type KeyUsage,
} from './tenant-config.service';
export { InMemoryTenantChangePublisher } from './tenant-change.publisher';
export { TenantChangeOutboxRelay, type OutboxRelayOptions, type OutboxLogger } from './outbox/tenant-change.outbox';
export { TokenManager, isHttp401, type TokenGrant, type TokenSource, type TokenManagerOptions } from './token/token-manager';
export { ConnectionPingService, type PartnerPinger, type PartnerPingers, type PingResult, type PingCheck } from './ping/connection-ping.service';
export { csvToMappings, mappingsToCsv, parseCsv, CSV_COLUMNS } from './mapping-csv';
export { maskConnection, SHIPBOB_WEBHOOK_SECRET, TENANT_SETTINGS_KEYS } from './tenant-config.validation';
export {
  seedDemoTenant,
  DEMO_TENANT_ID,
  DEFAULT_DEMO_URLS,
  DEMO_CREDENTIALS,
  DEMO_ACCOUNTING,
  DEMO_WEBHOOK_TOPICS,
  demoWebhookUrl,
  type DemoUrls,
  type DemoSeedOptions,
} from './demo/seed-demo-tenant';
export { TenantsAdminModule, type TenantsAdminOptions, type TenantsAdminAsyncOptions } from './admin/tenants-admin.module';
export { parseOperatorKeys, type OperatorKey } from './admin/operator-auth.guard';
export { startAdminTestApp } from './testing/admin-test-app';
export { openTestTenantConfig } from './testing/test-tenant-config';
export { OperatorAuthGuard, OperatorKeyRing, serviceOperatorGuard, mayAccess, keyFingerprint, type OperatorIdentity } from './admin/operator-auth.guard';
export { TENANTS_ADMIN_OPTIONS } from './admin/tenants-admin.tokens';
export { ACCOUNTING_SETTING_HELP, SETTING_HELP, DEFAULT_INITIAL_LOOKBACK_DAYS } from './settings.help';
