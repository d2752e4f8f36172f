export { bootService, type BootOptions } from './bootstrap';
export { PlatformModule } from './platform.module';
export { ConsumerHost, type HostedConsumerStatus, type ConsumerControlRequest } from './consumer.host';
export { MetricsRegistry, type Counter, type Gauge, type Histogram } from './metrics.registry';
export { ConsumerLagMonitor, type GroupLag } from './consumer-lag.monitor';
export { annotateSpan, inSpan, activeTraceId, MLC_ATTR, METRIC, type SpanAnnotation, type SpanOptions } from '@mlc/platform-telemetry';
export { baseSettings, withPostgres, type BaseConfig, type ServiceOptions } from './service.options';
export { SERVICE_OPTIONS, KAFKA, CODEC, PUBLISHER, PG_POOL, LOGGER } from './service.tokens';
export { runSqlMigrations, type SqlMigration } from './pg-migrations';
