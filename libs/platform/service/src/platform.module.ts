import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Pool, PoolClient } from 'pg';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AvroCodec } from '@mlc/contracts';
import { retryUntilDone } from '@mlc/platform-errors';
import { createKafka, EventPublisher, PgProcessedEventStore } from '@mlc/platform-kafka';
import { logger, type Logger } from '@mlc/platform-telemetry';
import { ConsumerHost } from './consumer.host';
import { HealthController } from './health.controller';
import { MetricsRegistry } from './metrics.registry';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { PLATFORM_MIGRATION_SET } from './migrations';
import { PostgresModule } from './postgres.module';
import type { ServiceOptions } from './service.options';
import { CODEC, KAFKA, LOGGER, PG_DATA_SOURCE, PG_POOL, PUBLISHER, SERVICE_OPTIONS } from './service.tokens';

/** Connects the publisher at start and closes Kafka and Postgres connections last on shutdown. */
class ConnectionLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
    private readonly dataSource?: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    // Not awaited to completion on failure: readiness reports Kafka down until the broker answers.
    void this.connectWithRetry();
  }

  private async connectWithRetry(): Promise<void> {
    await retryUntilDone(() => this.publisher.connect(), { policy: { baseMs: 500, maxMs: 10_000 } });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect().catch(() => undefined);
    if (this.dataSource?.isInitialized) await this.dataSource.destroy().catch(() => undefined);
  }
}

/** What a service shares with all its feature modules through the platform module. */
export interface SharedWiring {
  /** The token its feature modules inject the service's validated configuration with (e.g. MAPPER_CONFIG). */
  configToken?: symbol;
  /** Modules every feature module may use (tenancy, flow control): imported once here and re-exported. */
  shared?: Array<Type<unknown> | DynamicModule>;
}

/**
 * Everything a service needs to live on the platform: Kafka, codec, publisher, consumers, health, metrics, logs, plus
 * its configuration and shared modules. The one `@Global()` module: feature modules import nothing else to get these.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: ServiceOptions, wiring: SharedWiring = {}): DynamicModule {
    const { config } = options;
    const kafka = createKafka({
      brokers: config.kafkaBrokers,
      clientId: `${config.kafkaClientId}-${options.name}`,
      ssl: config.kafkaSsl,
      sslCa: config.kafkaSslCa || undefined,
      sasl: config.kafkaSaslMechanism
        ? { mechanism: config.kafkaSaslMechanism, username: config.kafkaSaslUsername, password: config.kafkaSaslPassword }
        : undefined,
    });
    const codec = new AvroCodec();
    const databaseUrl = options.usesPostgres ? config.databaseUrl : undefined;
    const log = logger(options.name, config.logLevel);
    const providers = [
      { provide: SERVICE_OPTIONS, useValue: options },
      { provide: KAFKA, useValue: kafka },
      { provide: CODEC, useValue: codec },
      { provide: LOGGER, useValue: log },
      { provide: PUBLISHER, useFactory: (k: Kafka) => new EventPublisher(k, codec, config.topicSuffix), inject: [KAFKA] },
      ...(databaseUrl
        ? [
            { provide: PG_DATA_SOURCE, useFactory: () => openDataSource(options.name, databaseUrl, config.pgPoolMax) },
            { provide: PG_POOL, useFactory: (ds: DataSource) => heardPool(poolOf(ds), log), inject: [PG_DATA_SOURCE] },
            { provide: PgProcessedEventStore, useFactory: (pool: Pool) => new PgProcessedEventStore(pool), inject: [PG_POOL] },
          ]
        : []),
      {
        provide: ConnectionLifecycle,
        useFactory: (p: EventPublisher, ds?: DataSource) => new ConnectionLifecycle(p, options, ds),
        inject: [PUBLISHER, { token: PG_DATA_SOURCE, optional: true }],
      },
      ConsumerHost,
      MetricsRegistry,
      ConsumerLagMonitor,
      ...(wiring.configToken ? [{ provide: wiring.configToken, useValue: config }] : []),
    ];
    const shared = [...(databaseUrl ? [PostgresModule.forFeature({ migrations: PLATFORM_MIGRATION_SET })] : []), ...(wiring.shared ?? [])];
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false, gracefulShutdownTimeoutMs: 0 }), ...shared],
      controllers: [HealthController],
      providers,
      exports: [...providers.filter((p) => p !== undefined).map((p) => (typeof p === 'function' ? p : p.provide)), ...shared],
    };
  }
}

/**
 * The process's one PostgreSQL pool: TypeORM's DataSource over every entity the modules declared
 * (`PostgresModule.forFeature`); raw SQL (`PG_POOL`) runs on the same pool, its driver's. `PG_POOL_MAX` sizes it; its
 * connections name the service and process (`application_name` `<service>/<pid>`, visible in pg_stat_activity).
 */
async function openDataSource(service: string, url: string, max: number | undefined): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    entities: PostgresModule.entities(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: `${service}/${process.pid}`,
    extra: { max: max ?? 10 },
  });
  return ds.initialize();
}

function poolOf(ds: DataSource): Pool {
  return (ds.driver as PostgresDriver).master as Pool;
}

/**
 * A PostgreSQL restart or failover ends every session (57P01). pg emits that as 'error' on the pool (idle
 * connections) and on each checked-out client (an advisory-lock holder, a transaction); unheard, it killed the
 * process, every replica at once (the chaos run). Heard, the pool drops the dead connections and a held client's
 * next query fails like any other database error.
 */
function heardPool(pool: Pool, log: Logger): Pool {
  const heard = new WeakSet<object>();
  const hear = (client: PoolClient): void => {
    if (heard.has(client)) return;
    heard.add(client);
    client.on('error', (err) => log.warn('PostgreSQL connection lost', { error: err.message }));
  };
  pool.on('error', (err) => log.warn('PostgreSQL connection lost (idle); the pool opens a new one', { error: err.message }));
  pool.on('connect', hear);
  // Connections the DataSource opened while it initialized (before 'connect' was listened to) are heard when first
  // checked out: one of them held by an advisory-lock holder at a restart killed webhook-gateway (the chaos run).
  pool.on('acquire', hear);
  return pool;
}
