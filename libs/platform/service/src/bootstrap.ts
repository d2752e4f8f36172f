import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { ConfigError, describeConfig, loadConfig, type ConfigOf, type Schema } from '@mlc/platform-config';
import { logger, stopTelemetry } from '@mlc/platform-telemetry';
import { ConsumerHost } from './consumer.host';
import { KafkaTransport } from './kafka.transport';
import { PlatformModule } from './platform.module';
import type { BaseConfig } from './service.options';

export interface BootOptions<S extends Schema> {
  name: string;
  schema: S;
  usesPostgres?: boolean;
  /** The service's own module, built from its validated configuration. */
  module: (config: ConfigOf<S>) => Type<unknown> | DynamicModule;
  /** The token feature modules inject the validated configuration with (provided by the platform module). */
  configToken?: symbol;
  /** Modules every feature module may use (tenancy, flow control), built from the configuration; re-exported by the platform module. */
  shared?: (config: ConfigOf<S>) => Array<Type<unknown> | DynamicModule>;
  env?: NodeJS.ProcessEnv;
  /** HTTP body handling: `bodyParser: false` leaves the request stream unread (webhook-gateway reads raw bytes). */
  http?: { bodyParser?: boolean; rawBody?: boolean };
  /**
   * true (default): the service has the process to itself: it handles SIGTERM/SIGINT (drain, then exit) and stops
   * telemetry when its HTTP server closes. false: several services share the process (combined mode,
   * services/combined): the host handles the signals once, closes every app and stops telemetry after the last.
   */
  ownsProcess?: boolean;
}

/**
 * One of the six services as bootService starts it (its own process, main.ts, or the combined process,
 * services/combined): its state in PostgreSQL, its configuration injected with `configToken`, the `shared` modules
 * (tenancy, flow control) re-exported to its feature modules; `extra` for the rest (`http`).
 */
export function postgresService<S extends Schema>(
  name: string,
  schema: S,
  configToken: symbol,
  shared: (config: ConfigOf<S>) => Array<Type<unknown> | DynamicModule>,
  module: Type<unknown>,
  extra: Pick<BootOptions<S>, 'http'> = {},
): BootOptions<S> {
  return { name, schema, usesPostgres: true, ...extra, configToken, shared, module: () => module };
}

/**
 * Validates configuration (all problems in one message, then exit 1), starts Nest with the platform module and the
 * service's module, connects its Kafka handlers (KafkaTransport), listens on PORT, and shuts down gracefully on SIGTERM/SIGINT.
 * May run several times in one process (combined mode): every app has its own Nest container (Kafka clients, pool,
 * consumers, configuration from `env`); what is process-wide (OpenTelemetry, the metrics registry, warning routing)
 * is set up once.
 */
export async function bootService<S extends Schema>(opts: BootOptions<S>): Promise<INestApplication> {
  const log = logger(opts.name);
  routeProcessWarnings(log);
  let config: ConfigOf<S>;
  try {
    config = loadConfig(opts.schema, opts.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${opts.name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const base = config as unknown as BaseConfig;
  @Module({})
  class Root {}
  const app = await NestFactory.create(
    {
      module: Root,
      imports: [
        PlatformModule.forRoot(
          { name: opts.name, config: base, usesPostgres: opts.usesPostgres ?? false },
          { configToken: opts.configToken, shared: opts.shared?.(config) },
        ),
        opts.module(config),
      ],
    },
    { logger: ['error', 'warn'], bufferLogs: false, ...opts.http },
  );
  const ownsProcess = opts.ownsProcess ?? true;
  if (ownsProcess) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // Hybrid app: the Kafka handlers (@KafkaHandler methods) run on our transport; HTTP (health, APIs) stays. The
  // transport registers the consumers now; the ConsumerHost starts them once every module is initialised.
  app.connectMicroservice(
    { strategy: new KafkaTransport(app.get(ConsumerHost), (token) => app.get(token as never, { strict: false })) },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(base.port, '0.0.0.0');
  const addr = app.getHttpServer().address() as { port: number };
  log.info('service started', { port: addr.port, config: describeConfig(opts.schema, config) });
  if (ownsProcess) app.getHttpServer().on('close', () => void stopTelemetry());
  return app;
}

/**
 * Node's process warnings go to the structured log instead of bare stderr lines. kafkajs 2.2.4 arms a timer with a
 * negative delay when its request queue is idle (Node clamps it to 1 ms and warns each time): that one is dropped.
 */
let warningsRouted = false;
function routeProcessWarnings(log: ReturnType<typeof logger>): void {
  if (warningsRouted) return;
  warningsRouted = true;
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name === 'TimeoutNegativeWarning') return;
    log.warn('process warning', { name: w.name, warning: w.message });
  });
}
