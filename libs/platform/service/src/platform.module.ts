import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Pool } from 'pg';
import type { Kafka } from 'kafkajs';
import { AvroCodec } from '@mlc/contracts';
import { retryUntilDone } from '@mlc/platform-errors';
import { createKafka, EventPublisher, PgProcessedEventStore } from '@mlc/platform-kafka';
import { logger } from '@mlc/platform-telemetry';
import { ConsumerHost } from './consumer.host';
import { HealthController } from './health.controller';
import { MetricsRegistry } from './metrics.registry';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import type { ServiceOptions } from './service.options';
import { CODEC, KAFKA, LOGGER, PG_POOL, PUBLISHER, SERVICE_OPTIONS } from './service.tokens';

/** Connects the publisher at start and closes Kafka and Postgres connections last on shutdown. */
class ConnectionLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
    private readonly pool?: Pool,
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
    await this.pool?.end().catch(() => undefined);
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
      sasl: config.kafkaSaslMechanism
        ? { mechanism: config.kafkaSaslMechanism, username: config.kafkaSaslUsername, password: config.kafkaSaslPassword }
        : undefined,
    });
    const codec = new AvroCodec();
    const log = logger(options.name, config.logLevel);
    const pool = options.usesPostgres && config.databaseUrl ? new Pool({ connectionString: config.databaseUrl, max: 10 }) : undefined;
    // A PostgreSQL restart or failover ends every session (57P01). pg emits that as 'error' on the pool (idle
    // connections) and on each checked-out client (an advisory-lock holder, a transaction); unheard, it killed the
    // process, every replica at once (the chaos run). Heard, the pool drops the dead connections and a held client's
    // next query fails like any other database error.
    pool?.on('error', (err) => log.warn('PostgreSQL connection lost (idle); the pool opens a new one', { error: err.message }));
    pool?.on('connect', (client) => client.on('error', (err) => log.warn('PostgreSQL connection lost', { error: err.message })));
    const providers = [
      { provide: SERVICE_OPTIONS, useValue: options },
      { provide: KAFKA, useValue: kafka },
      { provide: CODEC, useValue: codec },
      { provide: LOGGER, useValue: log },
      { provide: PUBLISHER, useFactory: (k: Kafka) => new EventPublisher(k, codec, config.topicSuffix), inject: [KAFKA] },
      ...(pool
        ? [
            { provide: PG_POOL, useValue: pool },
            { provide: PgProcessedEventStore, useValue: new PgProcessedEventStore(pool) },
          ]
        : []),
      {
        provide: ConnectionLifecycle,
        useFactory: (p: EventPublisher) => new ConnectionLifecycle(p, options, pool),
        inject: [PUBLISHER],
      },
      ConsumerHost,
      MetricsRegistry,
      ConsumerLagMonitor,
      ...(wiring.configToken ? [{ provide: wiring.configToken, useValue: config }] : []),
    ];
    const shared = wiring.shared ?? [];
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false, gracefulShutdownTimeoutMs: 0 }), ...shared],
      controllers: [HealthController],
      providers,
      exports: [...providers.filter((p) => p !== undefined).map((p) => (typeof p === 'function' ? p : p.provide)), ...shared],
    };
  }
}
