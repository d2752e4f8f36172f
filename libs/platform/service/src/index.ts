export { bootService, postgresService, type BootOptions } from './bootstrap';
export { PlatformModule } from './platform.module';
export {
  KafkaTransport,
  KafkaHandler,
  type KafkaHandlerOptions,
  type KafkaConsumerSettings,
  type KafkaHandlerMethod,
  type KafkaBatchHandlerMethod,
  type Resolve,
} from './kafka.transport';
export { ConsumerHost, type HostedConsumerStatus, type ConsumerControlRequest } from './consumer.host';
export { MetricsRegistry, type Counter, type Gauge, type Histogram } from './metrics.registry';
export { ConsumerLagMonitor, type GroupLag } from './consumer-lag.monitor';
export { annotateSpan, inSpan, activeTraceId, MLC_ATTR, METRIC, type SpanAnnotation, type SpanOptions } from '@mlc/platform-telemetry';
export { baseSettings, withPostgres, type BaseConfig, type ServiceOptions } from './service.options';
export { SERVICE_OPTIONS, KAFKA, CODEC, PUBLISHER, PG_POOL, PG_DATA_SOURCE, LOGGER } from './service.tokens';
export { PostgresModule, poolProvider } from './postgres.module';
export {
  migrateDatabase,
  pendingMigrations,
  appliedByLegacyMigrator,
  LegacyStepMigration,
  legacyStep,
  type MigrationSet,
  type MigrationClass,
} from './schema-migrations';
export { PLATFORM_MIGRATION_SET } from './migrations';
export { inTransaction } from './pg-transaction';
export { TENANT_ID_COLUMN, CREATED_AT_COLUMN, UPDATED_AT_COLUMN } from './migrations/columns';
export { AppErrorHttpFilter, type AppErrorHttpMapping } from './app-error.filter';
export { sweepRetention, retentionSettings, PLATFORM_RETENTION_TARGETS, type RetentionTarget } from './retention';
export { DedupRetentionModule } from './retention.module';
