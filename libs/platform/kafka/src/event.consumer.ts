import type { Consumer, EachBatchPayload, EachMessagePayload, IHeaders, Kafka, KafkaMessage, Message, Producer, TopicMessages } from 'kafkajs';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import { AvroCodec, type EventMeta, type TopicName, type TopicRecords } from '@mlc/contracts';
import { AppError, errorCategory, retryUntilDone, sleep, type BackoffPolicy } from '@mlc/platform-errors';
import { dlqName, topicName } from './kafka.options';
import { newMeta } from './event-meta';
import { toMessage, type OutgoingRecord } from './event.publisher';
import { CoalescingSender } from './coalescing.sender';
import { recordingPartitioner } from './complete-send';
import type { ProcessedEventStore } from './processed-events.store';
import { consumerMetrics } from './consumer.metrics';
import { withTenant } from '@mlc/platform-telemetry';
import { isHoldPartition, type HoldPartition } from './hold-partition';
import { decideHandlerFailure, decideUndecodable, emptyValueError } from './consumer.decisions';

export interface HandlerContext {
  topic: TopicName;
  partition: number;
  offset: string;
  key: string | null;
  attempt: number;
  /** Keeps the group membership alive during a long handler. */
  heartbeat(): Promise<void>;
  /** The record's value exactly as read (what a parked exception carries for replay). */
  raw: Buffer;
  /**
   * Builds an ops.exception.raised.v1 record for a part of this record that cannot be handled (e.g. one unmappable
   * line of a purchase order) while the rest goes on: return it among the handler's outputs. It carries this
   * record's bytes, so replaying it re-runs the whole record (the handler must be idempotent).
   */
  exception(e: RecordException): OutgoingRecord<'ops.exception.raised.v1'>;
}

export interface RecordException {
  code: string;
  /** missing-mapping | invalid-value | partner-rejected | auth | rate-limit | connection | parse | duplicate | unexpected | fulfilment (a shipment problem ShipBob reports) */
  category: string;
  message: string;
  entityType: string;
  businessId: string;
  details?: Record<string, unknown>;
}

/** A handler returns the records it wants published (before its offset is committed). */
export type Handler<T extends TopicName> = (value: TopicRecords[T], ctx: HandlerContext) => Promise<OutgoingRecord[] | void>;

/** One decoded record of a batch handed to a BatchHandler. */
export interface ConsumedRecord<T extends TopicName = TopicName> {
  topic: T;
  partition: number;
  offset: string;
  key: string | null;
  value: TopicRecords[T];
}

/**
 * Handles a whole fetched batch of one partition at once (records in offset order, all of one topic). It publishes
 * nothing and must be idempotent (a batch can be delivered again after a crash or a rebalance); when it throws, the
 * batch is handled again record by record through the consumer's `handler` (retries, parking, holds as usual).
 */
export type BatchHandler<T extends TopicName> = (records: ConsumedRecord<T>[]) => Promise<void>;

export interface ConsumerOptions<T extends TopicName> {
  groupId: string;
  topics: T[];
  handler: Handler<T>;
  /** The service's name: the `service` of parked exceptions and the source of the events it emits. */
  service: string;
  /** Attempts for retryable errors before the record is parked. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  processedEvents?: ProcessedEventStore;
  partitionsConsumedConcurrently?: number;
  /**
   * Records of one partition handled at the same time (default 1: one after another). Above 1 the partition's
   * records are split into lanes by Kafka key: one key's records are handled in order, one after another (a PO's
   * events, its commands), different keys side by side, at most this many at once. Offsets are committed up to the
   * first record not yet finished, so a crash redelivers every unfinished record and never skips one.
   */
  concurrencyPerPartition?: number;
  /**
   * Whole fetched batches go to this handler: decoded once, one call per batch of a partition, one offset commit
   * after it resolved. A batch that fails, or holds an undecodable record, falls back to the record-by-record path
   * (`handler`, with concurrencyPerPartition). Read with eachBatch, so the kafkajs instrumentation links each
   * record's consumer span to its producer's instead of parenting it. Not combined with processedEvents.
   */
  batchHandler?: BatchHandler<T>;
  /** Fetch size bounds of the consumer (kafkajs maxBytesPerPartition / maxBytes); kafkajs' defaults when unset. */
  fetchMaxBytesPerPartition?: number;
  fetchMaxBytes?: number;
  fromBeginning?: boolean;
  /**
   * How long the group waits for a silent member (one that crashed) before giving its partitions to others. Short
   * enough that a killed replica's work resumes within seconds; handlers heartbeat while they work.
   */
  sessionTimeoutMs?: number;
  topicSuffix?: string;
  /** Describes the business entity of a record for parked exceptions (type, id). */
  describe?: (value: TopicRecords[T], topic: T) => { entityType: string; businessId: string } | undefined;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface ConsumerStatus {
  groupId: string;
  /** Topic names as subscribed (with the suffix). */
  topics: string[];
  running: boolean;
  restarts: number;
  handled: number;
  parked: number;
  deadLettered: number;
  /** Partitions held right now by a handler's HoldPartition (`<topic>:<partition>`). */
  held: string[];
  lastError?: string;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 30_000 };
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Consumes typed records: decode (undecodable -> <topic>.dlq raw, never blocking the partition), skip already-handled
 * event ids, run the handler with bounded jittered retries for retryable errors (heartbeating meanwhile), park what
 * still fails on ops.exception.raised.v1 with the original bytes, and only then commit the offset. A consumer that
 * crashes for good (e.g. after a broker restart) is rebuilt and rejoins by itself.
 */
export class EventConsumer<T extends TopicName> {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private sender: CoalescingSender | undefined;
  private readonly stats: Omit<ConsumerStatus, 'groupId' | 'topics' | 'held'> = { running: false, restarts: 0, handled: 0, parked: 0, deadLettered: 0 };
  /** Held partitions and what releases them (aborted on stop / rebuild: the new consumer reads the record again). */
  private readonly holds = new Map<string, AbortController>();
  private stopping = false;
  private readonly suffix: string;
  private readonly log: NonNullable<ConsumerOptions<T>['log']>;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: ConsumerOptions<T>,
    private readonly codec: AvroCodec = new AvroCodec(),
  ) {
    this.suffix = opts.topicSuffix ?? '';
    this.log = opts.log ?? ((level, msg, fields) => console[level === 'info' ? 'log' : level](JSON.stringify({ level, msg, ...fields })));
    if (opts.batchHandler && opts.processedEvents) throw new Error(`consumer ${opts.groupId}: a batch handler is idempotent itself (no processedEvents)`);
  }

  status(): ConsumerStatus {
    return { ...this.stats, held: [...this.holds.keys()], groupId: this.opts.groupId, topics: this.opts.topics.map((t) => topicName(t, this.suffix)) };
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.producer ??= this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: recordingPartitioner });
    this.sender ??= new CoalescingSender(this.producer);
    await this.producer.connect();
    await this.run();
  }

  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.opts.sessionTimeoutMs ?? 10_000) / 3)),
      allowAutoTopicCreation: false,
      readUncommitted: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
      ...(this.opts.fetchMaxBytesPerPartition ? { maxBytesPerPartition: this.opts.fetchMaxBytesPerPartition } : {}),
      ...(this.opts.fetchMaxBytes ? { maxBytes: this.opts.fetchMaxBytes } : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      this.stats.running = false;
      this.stats.lastError = String(e.payload.error?.message ?? e.payload.error);
      this.log('error', 'consumer crashed', { group: this.opts.groupId, error: this.stats.lastError, willRestart: e.payload.restart });
      if (!e.payload.restart && !this.stopping) void this.rebuild();
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.stats.running = true;
      this.stats.lastError = undefined;
    });
    consumer.on(consumer.events.STOP, () => (this.stats.running = false));
    await consumer.connect();
    await consumer.subscribe({ topics: this.opts.topics.map((t) => topicName(t, this.suffix)), fromBeginning: this.opts.fromBeginning ?? true });
    const concurrency = this.opts.concurrencyPerPartition ?? 1;
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      ...(this.opts.batchHandler
        ? { eachBatchAutoResolve: false, eachBatch: (payload: EachBatchPayload) => this.onWholeBatch(payload, this.opts.batchHandler!, concurrency) }
        : concurrency > 1
          ? { eachBatchAutoResolve: false, eachBatch: (payload: EachBatchPayload) => this.onBatch(payload, concurrency) }
          : { eachMessage: (payload: EachMessagePayload) => this.onMessage(payload) }),
    });
  }

  /** Rebuilds the consumer after a fatal crash, with backoff, until it runs again or we stop. */
  private async rebuild(): Promise<void> {
    await retryUntilDone(
      async (attempt) => {
        this.releaseHolds();
        await this.consumer?.disconnect().catch(() => undefined);
        this.stats.restarts += 1;
        await this.run();
        this.log('info', 'consumer rebuilt', { group: this.opts.groupId, attempt });
      },
      {
        policy: { baseMs: 500, maxMs: 15_000 },
        delayFirst: true,
        keepGoing: () => !this.stopping,
        onError: (err) => this.log('warn', 'consumer rebuild failed, retrying', { group: this.opts.groupId, error: (err as Error).message }),
      },
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.releaseHolds();
    // kafkajs' disconnect waits for the message in hand, then leaves the group; offsets are committed per message.
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.stats.running = false;
  }

  private baseTopic(topic: string): TopicName {
    return (this.suffix && topic.endsWith(this.suffix) ? topic.slice(0, -this.suffix.length) : topic) as TopicName;
  }

  private async onMessage({ topic, partition, message, heartbeat, pause }: EachMessagePayload): Promise<void> {
    const held = await this.handleOne(topic, partition, message, heartbeat);
    if (held) return this.hold(topic, partition, message.offset, pause, held); // uncommitted; read again from this offset once the hold ends
    await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }

  /**
   * One record, everything but its commit: process it, publish its outputs, mark its event id. Resolves to the
   * handler's HoldPartition when the record holds its partition (the caller holds it), else undefined.
   */
  private async handleOne(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<HoldPartition | undefined> {
    const base = this.baseTopic(topic) as T;
    let processed: Awaited<ReturnType<EventConsumer<T>['process']>>;
    try {
      processed = await this.process(base, topic, partition, message, heartbeat);
    } catch (err) {
      if (!isHoldPartition(err)) throw err;
      return err;
    }
    const { outputs, handledEventId } = processed;
    if (outputs.length) await this.sendAll(outputs);
    // Marked only once its outputs are on Kafka: a crash before this point redelivers the record (downstream is
    // idempotent), never loses what it should have published.
    if (handledEventId && this.opts.processedEvents) await this.opts.processedEvents.mark(this.opts.groupId, handledEventId);
    return undefined;
  }

  /**
   * A fetched batch of one partition through the batch handler: decoded once, handled in one call, committed with one
   * offset commit after the handler resolved. An undecodable record or a failing batch sends the whole batch down the
   * record-by-record path (onBatch), which dead-letters, retries, parks or holds each record as usual.
   */
  private async onWholeBatch(payload: EachBatchPayload, handle: BatchHandler<T>, concurrency: number): Promise<void> {
    const { batch, heartbeat, resolveOffset, isRunning, isStale } = payload;
    const { topic, partition, messages } = batch;
    if (!messages.length) return;
    const base = this.baseTopic(topic) as T;
    const records: ConsumedRecord<T>[] = [];
    for (const m of messages) {
      if (!m.value) break;
      try {
        records.push({ topic: base, partition, offset: m.offset, key: m.key?.toString() ?? null, value: this.codec.decodeFor(base, m.value).value });
      } catch {
        break;
      }
    }
    if (records.length === messages.length && !this.stopping && isRunning() && !isStale()) {
      const startedAt = performance.now();
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
      let done = false;
      try {
        await handle(records);
        done = true;
      } catch (err) {
        this.log('warn', 'batch handler failed, handling the batch record by record', {
          group: this.opts.groupId,
          topic,
          partition,
          firstOffset: messages[0]!.offset,
          records: messages.length,
          error: (err as Error).message,
        });
      } finally {
        clearInterval(beat);
      }
      if (done) {
        this.stats.handled += records.length;
        consumerMetrics.handledBatch(base, this.opts.groupId, records, (performance.now() - startedAt) / 1000);
        const last = messages[messages.length - 1]!.offset;
        resolveOffset(last);
        await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
        return;
      }
    }
    if (this.stopping || !isRunning() || isStale()) return;
    await this.onBatch(payload, concurrency);
  }

  /**
   * A fetched batch of one partition with bounded in-order concurrency: lanes by key (one key's records in order),
   * at most `concurrency` records in hand. Each record is retried, parked, dead-lettered or holds the partition
   * exactly as in onMessage; the committed offset only ever moves past records that are finished (the lowest
   * unfinished record bounds it), so a crash, a hold or a rebalance redelivers what was not finished — records of
   * other keys finished after it are handled again (handlers are idempotent; processed event ids are skipped).
   */
  private async onBatch({ batch, heartbeat, pause, resolveOffset, isRunning, isStale }: EachBatchPayload, concurrency: number): Promise<void> {
    const { topic, partition, messages } = batch;
    const finished = new Array<boolean>(messages.length).fill(false);
    const lanes = new Map<string, number[]>();
    for (let i = 0; i < messages.length; i++) {
      const key = messages[i]!.key?.toString('latin1') ?? '\u0000null';
      const lane = lanes.get(key);
      if (lane) lane.push(i);
      else lanes.set(key, [i]);
    }
    const queue = [...lanes.values()];
    let watermark = 0; // index of the first record not finished
    let stopAt = messages.length; // a hold or a failure: no record from here on starts
    let failure: Error | undefined;
    const fail = (err: unknown, i: number): void => {
      failure ??= err instanceof Error ? err : new Error(String(err));
      stopAt = Math.min(stopAt, i);
    };
    // Commits run one after another, each for the newest watermark (several finished records share one commit).
    let commits = Promise.resolve();
    let committed = -1;
    const advance = (): void => {
      const before = watermark;
      while (watermark < messages.length && finished[watermark]) watermark++;
      if (watermark === before) return;
      commits = commits.then(async () => {
        const upTo = watermark - 1;
        if (upTo <= committed || failure) return;
        committed = upTo;
        const offset = messages[upTo]!.offset;
        resolveOffset(offset);
        await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(offset) + 1n).toString() }]).catch((err: unknown) => fail(err, upTo + 1));
      });
    };
    const worker = async (): Promise<void> => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const i of lane) {
          if (i >= stopAt || this.stopping || !isRunning() || isStale()) break;
          try {
            const held = await this.inRecordSpan(topic, partition, messages[i]!, () => this.handleOne(topic, partition, messages[i]!, heartbeat));
            if (!held) {
              finished[i] = true;
              advance();
              continue;
            }
            // Held: the partition goes back to the earliest held record; it and everything after it are read again.
            if (i < stopAt) this.hold(topic, partition, messages[i]!.offset, pause, held);
            stopAt = Math.min(stopAt, i);
            break;
          } catch (err) {
            fail(err, i);
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    await commits;
    if (failure) throw failure; // kafkajs reads the partition again from the last resolved offset
  }

  /**
   * Runs one record of a batch under its own `process <topic>` consumer span, the child of the span that sent the
   * record (the W3C trace context in its headers), as the kafkajs instrumentation does for eachMessage. (For eachBatch
   * the instrumentation parents every record's span on one `poll` span and only links it to its producer, so a record
   * handled in batch mode would have left its own trace; platform-telemetry turns that batch patch off.)
   */
  private async inRecordSpan<R>(topic: string, partition: number, message: KafkaMessage, fn: () => Promise<R>): Promise<R> {
    const parent = propagation.extract(ROOT_CONTEXT, message.headers ?? {}, HEADER_GETTER);
    const span = trace.getTracer('ml-connector').startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.offset': message.offset,
          ...(message.key ? { 'messaging.kafka.message.key': message.key.toString() } : {}),
        },
      },
      parent,
    );
    try {
      return await context.with(trace.setSpan(parent, span), fn);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * Holds a partition at a record: stop fetching it, go back to the record (kafkajs applies the seek at its next
   * fetch, after it marked the record resolved in memory), and fetch again from there once the hold ends.
   */
  private hold(topic: string, partition: number, offset: string, pause: () => () => void, err: HoldPartition): void {
    const consumer = this.consumer!;
    const key = `${topic}:${partition}`;
    const resume = pause();
    consumer.seek({ topic, partition, offset });
    this.holds.get(key)?.abort();
    const release = new AbortController();
    this.holds.set(key, release);
    this.log('info', 'partition held', { group: this.opts.groupId, topic, partition, offset, reason: err.reason });
    void err
      .until(release.signal)
      .catch(() => undefined)
      .then(() => {
        if (this.holds.get(key) === release) this.holds.delete(key);
        if (release.signal.aborted || consumer !== this.consumer) return;
        resume();
        this.log('info', 'partition released', { group: this.opts.groupId, topic, partition, offset });
      });
  }

  private releaseHolds(): void {
    for (const c of this.holds.values()) c.abort();
    this.holds.clear();
  }

  /** Returns what must be published for this message (handler output, or a parked exception / dead letter). */
  private async process(
    base: T,
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<{ outputs: Outgoing[]; handledEventId?: string }> {
    let value: TopicRecords[T];
    try {
      if (!message.value) throw emptyValueError();
      value = this.codec.decodeFor(base, message.value).value;
    } catch (err) {
      const { reason, message: why } = decideUndecodable(err);
      this.stats.deadLettered += 1;
      consumerMetrics.deadLettered(base, this.opts.groupId, reason);
      this.log('warn', 'undecodable record sent to dead-letter topic', { topic, partition, offset: message.offset, reason });
      return {
        outputs: [
          {
            raw: true,
            topic: dlqName(topic),
            key: message.key?.toString() ?? null,
            value: message.value,
            headers: {
              ...(message.headers as Record<string, Buffer | string>),
              'mlc-dlq-reason': reason,
              'mlc-dlq-error': why,
              'mlc-dlq-source-topic': topic,
              'mlc-dlq-source-partition': String(partition),
              'mlc-dlq-source-offset': message.offset,
              'mlc-dlq-service': this.opts.service,
            },
          },
        ],
      };
    }
    const meta = (value as { meta: EventMeta }).meta;
    const flow = { topic: base, group: this.opts.groupId, tenantId: meta.tenantId };
    consumerMetrics.started({
      group: this.opts.groupId,
      tenantId: meta.tenantId,
      eventId: meta.eventId,
      correlationId: meta.correlationId,
      entity: describeSafely(this.opts.describe, value, base),
    });
    const startedAt = performance.now();
    if (this.opts.processedEvents && (await this.opts.processedEvents.seen(this.opts.groupId, meta.eventId))) {
      consumerMetrics.skipped(flow);
      this.log('info', 'duplicate event skipped', { group: this.opts.groupId, eventId: meta.eventId });
      return { outputs: [] };
    }
    const maxAttempts = this.opts.maxAttempts ?? 5;
    let lastError: AppError | undefined;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopping; attempt++) {
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
      try {
        const out =
          (await withTenant(meta.tenantId, () =>
            this.opts.handler(value, {
              topic: base,
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              attempt,
              heartbeat,
              raw: message.value!,
              exception: (e) => this.exceptionRecord(meta, base, partition, message, { ...e, attempts: attempt, details: e.details ?? {} }),
            }),
          )) ?? [];
        this.stats.handled += 1;
        consumerMetrics.handled(flow, (performance.now() - startedAt) / 1000);
        return { outputs: out.map((r) => ({ raw: false as const, record: r })), handledEventId: meta.eventId };
      } catch (err) {
        const decision = decideHandlerFailure(err, {
          attempt,
          stopping: this.stopping,
          policy: { maxAttempts, backoff: this.opts.backoff ?? DEFAULT_BACKOFF },
        });
        if (decision.kind === 'hold') throw decision.hold;
        lastError = decision.error;
        consumerMetrics.failed(flow, lastError.code, attempt, decision.kind === 'retry');
        if (decision.kind === 'redeliver') throw lastError; // leave it uncommitted; the next owner retries it
        if (decision.kind === 'park') break;
        consumerMetrics.backingOff(flow, lastError.code, errorCategory(lastError), decision.waitMs);
        this.log('warn', 'handler failed, retrying', {
          group: this.opts.groupId,
          eventId: meta.eventId,
          code: lastError.code,
          attempt,
          waitMs: decision.waitMs,
        });
        await sleepWithHeartbeat(decision.waitMs, heartbeat);
      } finally {
        clearInterval(beat);
      }
    }
    if (this.stopping && !lastError) throw new Error('consumer stopping: record left uncommitted for redelivery');
    const error = lastError ?? new AppError('UNEXPECTED', 'handler did not run');
    if (this.stopping && error.retryable) throw error; // leave it uncommitted; the next owner retries it
    this.stats.parked += 1;
    consumerMetrics.parked(flow, error.code, error.message);
    const entity = this.opts.describe?.(value, base);
    this.log('error', 'record parked as exception', { group: this.opts.groupId, eventId: meta.eventId, code: error.code, message: error.message });
    return {
      outputs: [
        {
          raw: false,
          record: this.exceptionRecord(meta, base, partition, message, {
            code: error.code,
            category: errorCategory(error),
            message: error.message,
            attempts: maxAttempts,
            entityType: entity?.entityType,
            businessId: entity?.businessId,
            details: error.details ?? {},
          }),
        },
      ],
    };
  }

  private exceptionRecord(
    meta: EventMeta,
    base: T,
    partition: number,
    message: KafkaMessage,
    e: { code: string; category: string; message: string; attempts: number; entityType?: string; businessId?: string; details: Record<string, unknown> },
  ): OutgoingRecord<'ops.exception.raised.v1'> {
    return {
      topic: 'ops.exception.raised.v1',
      key: `${meta.tenantId}:${e.businessId ?? meta.eventId}`,
      value: {
        meta: newMeta({ tenantId: meta.tenantId, source: this.opts.service, causedBy: meta }),
        service: this.opts.service,
        code: e.code,
        category: e.category,
        message: e.message,
        attempts: e.attempts,
        sourceTopic: base,
        sourcePartition: partition,
        sourceOffset: message.offset,
        sourceKey: message.key?.toString() ?? null,
        sourceEventId: meta.eventId,
        entityType: e.entityType ?? null,
        businessId: e.businessId ?? null,
        details: JSON.stringify(e.details),
        payload: message.value!,
      },
    };
  }

  /** Where an output goes and what is sent: raw bytes as they are, typed records encoded. */
  private toKafka(o: Outgoing): { topic: string; messages: Message[] } {
    return o.raw
      ? { topic: o.topic, messages: [{ key: o.key, value: o.value, headers: o.headers }] }
      : { topic: topicName(o.record.topic, this.suffix), messages: [toMessage(this.codec, o.record)] };
  }

  /**
   * One request for all of a record's outputs (their order per topic and partition kept), shared with the outputs of
   * records handled side by side (CoalescingSender): resolves once the broker acknowledged them.
   */
  private async sendAll(outputs: Outgoing[]): Promise<void> {
    const topicMessages: TopicMessages[] = [];
    for (const o of outputs) {
      const { topic, messages } = this.toKafka(o);
      const last = topicMessages[topicMessages.length - 1];
      if (last?.topic === topic) last.messages.push(...messages);
      else topicMessages.push({ topic, messages });
    }
    await this.sender!.send(topicMessages);
  }
}

/** Reads W3C trace context from Kafka record headers (Buffers, strings or arrays of them). */
const HEADER_GETTER: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined ? undefined : one.toString();
  },
};

type Outgoing =
  { raw: true; topic: string; key: string | null; value: Buffer | null; headers: Record<string, Buffer | string> } | { raw: false; record: OutgoingRecord };

/** The record's business entity for span attributes; a describe() that throws must not fail the record here. */
function describeSafely<V, T>(describe: ((v: V, topic: T) => { entityType: string; businessId: string } | undefined) | undefined, value: V, topic: T) {
  try {
    return describe?.(value, topic);
  } catch {
    return undefined;
  }
}

async function sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(Math.min(HEARTBEAT_EVERY_MS, until - Date.now()));
    await heartbeat().catch(() => undefined);
  }
}
