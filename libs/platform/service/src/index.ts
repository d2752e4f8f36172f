export { bootService, type BootOptions } from './bootstrap';
export { PlatformModule } from './platform.module';
export { ConsumerHost } from './consumer.host';
export { MetricsRegistry } from './metrics.registry';
export { baseSettings, withPostgres, type BaseConfig, type ServiceOptions } from './service.options';
export { SERVICE_OPTIONS, KAFKA, CODEC, PUBLISHER, PG_POOL, LOGGER } from './service.tokens';
export { runSqlMigrations, type SqlMigration } from './pg-migrations';
