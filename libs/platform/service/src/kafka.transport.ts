import { applyDecorators, Catch, UseFilters, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { Ctx, EventPattern, Payload, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, throwError, type Observable } from 'rxjs';
import type { TopicName, TopicRecords } from '@mlc/contracts';
import type { ConsumedRecord, ConsumerOptions, HandlerContext, OutgoingRecord, ProcessedEventStore } from '@mlc/platform-kafka';
import type { ConsumerHost } from './consumer.host';

/** Looks a provider up in the application (any module): how handler options reach configuration and stores. */
export type Resolve = <P = unknown>(token: string | symbol | (abstract new (...args: never[]) => P)) => P;

/** Consumer settings that may come from the application at start (configuration, a processed-events store). */
export interface KafkaConsumerSettings {
  /** The Kafka group id (before KAFKA_GROUP_ID_SUFFIX); default: the consumer's name. */
  groupId?: string;
  /** A group of this instance alone (a broadcast listener): deleted on shutdown. */
  ephemeral?: boolean;
  fromBeginning?: boolean;
  maxAttempts?: number;
  backoff?: ConsumerOptions<TopicName>['backoff'];
  partitionsConsumedConcurrently?: number;
  /** Records of one partition handled at the same time, in order per key (EventConsumer's concurrencyPerPartition). */
  concurrencyPerPartition?: number;
  /**
   * For `batch` handlers: whole fetched batches of a partition in one call each, committed once (EventConsumer's
   * batchHandler; read with eachBatch, so each record's consumer span is linked to its producer's, not its child).
   * Off (default): the handler gets one record per call.
   */
  wholeBatches?: boolean;
  /** Fetch size bounds (kafkajs maxBytesPerPartition / maxBytes); kafkajs' defaults when unset. */
  fetchMaxBytesPerPartition?: number;
  fetchMaxBytes?: number;
  sessionTimeoutMs?: number;
  /** Skips redelivered event ids (and marks handled ones). */
  processedEvents?: ProcessedEventStore;
}

export interface KafkaHandlerOptions<T extends TopicName = TopicName> extends Omit<KafkaConsumerSettings, 'processedEvents'> {
  /**
   * The consumer this handler belongs to: every handler naming it runs in one EventConsumer (one Kafka group, one
   * retry policy), each for its own topics. Its settings are the union of its handlers' (the transport refuses to
   * start when two handlers give one setting different values).
   */
  consumer: string;
  /** Settings known only when the application starts, e.g. from configuration: `(get) => ({ maxAttempts: get(CFG).x })`. */
  settings?: (get: Resolve) => KafkaConsumerSettings;
  /** The processed-events store (a provider token): the consumer skips event ids it already handled. */
  processedEvents?: string | symbol | (abstract new (...args: never[]) => ProcessedEventStore);
  /** The business entity of a record, for parked exceptions. */
  describe?: (value: TopicRecords[T]) => { entityType: string; businessId: string } | undefined;
  /**
   * The method takes records in bulk, `(records: ConsumedRecord[]) => Promise<void>` (KafkaBatchHandlerMethod), all of
   * one topic partition in offset order; it publishes nothing and is idempotent. It gets whole fetched batches when the
   * consumer's `wholeBatches` setting is on, else one record per call; a batch that fails is handed to it again record
   * by record (retried, parked, held as any record).
   */
  batch?: boolean;
}

/** The pattern a Kafka handler is registered under: one per (consumer, topic), so no two handlers share one. */
interface KafkaPattern {
  kafka: string;
  topic: TopicName;
}

const OPTIONS = 'mlc:kafka-handler';

/**
 * Nest's RPC exception handling turns an unknown error into `{ status: 'error' }`: the consumer needs the error
 * itself (retryable or not, a HoldPartition) to retry, park or hold, so our handlers' errors pass through unchanged.
 */
@Catch()
class PassHandlerErrorsThrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a controller method as the handler of `topics` in a Kafka consumer (an `@EventPattern` of the Kafka
 * transport). It is called with the decoded record and its HandlerContext and returns the records to publish; what it
 * throws is retried, parked or holds the partition exactly as EventConsumer decides (consumer.decisions.ts).
 */
export function KafkaHandler<T extends TopicName>(topics: T | readonly T[], options: KafkaHandlerOptions<T>): MethodDecorator {
  const patterns: KafkaPattern[] = ([] as T[]).concat(topics as T[]).map((topic) => ({ kafka: options.consumer, topic }));
  // Nest passes an event handler only its payload by default: (record, context) as @Payload() and @Ctx().
  const recordAndContext: MethodDecorator = (target, key) => {
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
  return applyDecorators(EventPattern(patterns, { [OPTIONS]: options }), UseFilters(new PassHandlerErrorsThrough()), recordAndContext);
}

/** The signature of a Kafka handler method. */
export type KafkaHandlerMethod<T extends TopicName> = (value: TopicRecords[T], ctx: HandlerContext) => Promise<OutgoingRecord[] | void>;

/** The signature of a `batch: true` Kafka handler method. */
export type KafkaBatchHandlerMethod<T extends TopicName> = (records: ConsumedRecord<T>[]) => Promise<void>;

interface Route {
  topic: TopicName;
  handler: MessageHandler;
  options: KafkaHandlerOptions;
}

/**
 * Our Kafka consumers as a Nest custom transport: on `listen` it collects the app's `@KafkaHandler` methods, groups
 * them by consumer, and registers one EventConsumer per consumer with the ConsumerHost, which starts them once the
 * application has bootstrapped (so after every module's migrations) and keeps today's semantics: per-record commit,
 * retry with backoff, parking, DLQ, hold partition, operator stop/start, rebuild after a crash.
 *
 * Used in a hybrid application (bootService): `app.connectMicroservice({ strategy })`, `app.startAllMicroservices()`.
 */
export class KafkaTransport extends Server implements CustomTransportStrategy {
  private registered = false;

  constructor(
    private readonly host: ConsumerHost,
    private readonly get: Resolve,
  ) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    try {
      if (!this.registered) this.registerConsumers();
      this.registered = true;
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** The consumers this transport registered, by consumer name, with their topics (for tests and diagnostics). */
  readonly consumers = new Map<string, TopicName[]>();

  private registerConsumers(): void {
    const byConsumer = new Map<string, Route[]>();
    for (const [key, handler] of this.messageHandlers) {
      const options = handler.extras?.[OPTIONS] as KafkaHandlerOptions | undefined;
      if (!options) continue;
      if (handler.next) throw new Error(`two Kafka handlers for ${key}: a topic has one handler per consumer`);
      const { topic } = JSON.parse(key) as KafkaPattern;
      const routes = byConsumer.get(options.consumer) ?? [];
      routes.push({ topic, handler, options });
      byConsumer.set(options.consumer, routes);
    }
    for (const [name, routes] of byConsumer) this.registerConsumer(name, routes);
  }

  private registerConsumer(name: string, routes: Route[]): void {
    const settings: KafkaConsumerSettings = {};
    let processedEventsToken: KafkaHandlerOptions['processedEvents'];
    for (const { options } of routes) {
      const { consumer: _c, settings: dynamic, processedEvents, describe: _d, batch: _b, ...fixed } = options;
      for (const [key, value] of Object.entries({ ...fixed, ...dynamic?.(this.get) })) {
        const held = (settings as Record<string, unknown>)[key];
        // Two handlers of one consumer that disagree on its settings: refuse to start rather than pick one.
        if (held !== undefined && held !== value && !sameJson(held, value))
          throw new Error(`Kafka consumer ${name}: its handlers disagree on ${key} (${JSON.stringify(held)} vs ${JSON.stringify(value)})`);
        (settings as Record<string, unknown>)[key] = value;
      }
      if (processedEventsToken && processedEvents && processedEventsToken !== processedEvents)
        throw new Error(`Kafka consumer ${name}: its handlers disagree on processedEvents`);
      processedEventsToken ??= processedEvents;
    }
    const byTopic = new Map(routes.map((r) => [r.topic, r]));
    const topics = [...byTopic.keys()];
    const batchRoutes = routes.filter((r) => r.options.batch).length;
    if (batchRoutes && batchRoutes !== routes.length) throw new Error(`Kafka consumer ${name}: its handlers are all batch handlers or none`);
    const { wholeBatches, ...consumerSettings } = settings;
    if (wholeBatches && !batchRoutes) throw new Error(`Kafka consumer ${name}: wholeBatches needs batch handlers`);
    // The handler's Nest proxy (pipes, interceptors, our error filter) answers with a value, a promise or an
    // observable; an error it throws reaches the consumer as it was thrown.
    const call = (route: Route, data: unknown, ctx?: HandlerContext) =>
      lastValueFrom(this.transformToObservable(route.handler(data, ctx)), { defaultValue: undefined }) as Promise<OutgoingRecord[] | void>;
    this.consumers.set(name, topics);
    this.host.register<TopicName>({
      ...consumerSettings,
      groupId: settings.groupId ?? name,
      topics,
      processedEvents: settings.processedEvents ?? (processedEventsToken ? this.get<ProcessedEventStore>(processedEventsToken) : undefined),
      handler: async (value, ctx) => {
        const route = byTopic.get(ctx.topic);
        if (!route) return [];
        if (!route.options.batch) return call(route, value, ctx);
        await call(route, [{ topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, key: ctx.key, value }]);
        return [];
      },
      batchHandler: wholeBatches
        ? async (records) => {
            const route = byTopic.get(records[0]!.topic);
            if (route) await call(route, records);
          }
        : undefined,
      describe: (value, topic) => byTopic.get(topic)?.options.describe?.(value as never),
    });
  }

  /** Consumers are stopped by the ConsumerHost before shutdown (after the record in hand): nothing to close here. */
  close(): void {}

  on(): never {
    throw new Error('KafkaTransport has no events to listen to');
  }

  unwrap<T>(): T {
    throw new Error('KafkaTransport wraps no single client');
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false; // e.g. two different store instances
  }
}
