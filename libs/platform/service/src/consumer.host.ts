import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { AvroCodec, type TopicName, type TopicRecords } from '@mlc/contracts';
import { retryUntilDone } from '@mlc/platform-errors';
import { deleteEphemeralGroup, EventConsumer, topicName, ulid, type ConsumerOptions, type ConsumerStatus } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import { CODEC, KAFKA, LOGGER, SERVICE_OPTIONS } from './service.tokens';
import type { ServiceOptions } from './service.options';

/** A consumer's status, plus whether an operator stopped it (ops.consumer-control.requested.v1): not a failure. */
export interface HostedConsumerStatus extends ConsumerStatus {
  stoppedByOperator: boolean;
}

export type ConsumerControlRequest = TopicRecords['ops.consumer-control.requested.v1'];

/**
 * Runs the service's Kafka consumers inside Nest (our EventConsumers, not Nest's built-in Kafka transport, whose
 * one-at-a-time handling and commit model do not fit): registered by the KafkaTransport from the app's
 * `@KafkaHandler` methods, started after bootstrap, stopped on SIGTERM after the record in hand is finished and
 * committed.
 *
 * It also listens to ops.consumer-control.requested.v1 (a broadcast: one private group per instance, from the end
 * of the topic): `stop` for one of its consumers' group ids (as Kafka knows it, with KAFKA_GROUP_ID_SUFFIX) stops
 * that consumer gracefully (after the record in hand; the group is left) and keeps it stopped, also across broker
 * trouble, until `start` for the same group. Used by the ops API around an offset reset.
 */
@Injectable()
export class ConsumerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: EventConsumer<TopicName>[] = [];
  private readonly stoppedByOperator = new Set<EventConsumer<TopicName>>();
  private readonly ephemeral = new Set<EventConsumer<TopicName>>();
  private controlConsumer: Consumer | undefined;
  private controlGroupId: string | undefined;
  private controlQueue: Promise<void> = Promise.resolve();
  private started = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CODEC) private readonly codec: AvroCodec,
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Called by the KafkaTransport (services declare `@KafkaHandler` methods instead of registering by hand).
   * `ephemeral`: the group belongs to this instance alone (a broadcast listener with a unique group id); it is deleted
   * when the service shuts down.
   */
  register<T extends TopicName>(opts: Omit<ConsumerOptions<T>, 'service' | 'topicSuffix' | 'log'> & { ephemeral?: boolean }): EventConsumer<T> {
    const { ephemeral, ...consumerOpts } = opts;
    const consumer = new EventConsumer<T>(
      this.kafka,
      {
        ...consumerOpts,
        groupId: `${opts.groupId}${this.options.config.groupIdSuffix}`,
        service: this.options.name,
        topicSuffix: this.options.config.topicSuffix,
        sessionTimeoutMs: opts.sessionTimeoutMs ?? this.options.config.kafkaSessionTimeoutMs,
        log: (level, msg, fields) => this.log[level](msg, fields),
      },
      this.codec,
    );
    this.consumers.push(consumer as unknown as EventConsumer<TopicName>);
    if (ephemeral) this.ephemeral.add(consumer as unknown as EventConsumer<TopicName>);
    if (this.started) void this.startWithRetry(consumer as unknown as EventConsumer<TopicName>);
    return consumer;
  }

  status(): HostedConsumerStatus[] {
    return this.consumers.map((c) => ({ ...c.status(), stoppedByOperator: this.stoppedByOperator.has(c) }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.started = true;
    // Start in the background: a broker that is down at start must not keep the HTTP server (health) from coming up.
    for (const c of this.consumers) void this.startWithRetry(c);
    if (this.consumers.length) void this.listenForControl();
  }

  /**
   * Applies one consumer-control request to this instance's consumers of that group (exposed for in-process use and
   * tests); returns how many consumers it stopped or started.
   */
  async applyControl(req: Pick<ConsumerControlRequest, 'groupId' | 'action' | 'requestId' | 'actor'>): Promise<number> {
    const matching = this.consumers.filter((c) => c.status().groupId === req.groupId);
    for (const c of matching) {
      if (req.action === 'stop') {
        if (this.stoppedByOperator.has(c)) continue;
        this.stoppedByOperator.add(c);
        this.log.info('consumer stopped by operator', { group: req.groupId, requestId: req.requestId, actor: req.actor });
        await c.stop();
      } else {
        if (!this.stoppedByOperator.delete(c)) continue;
        this.log.info('consumer started by operator', { group: req.groupId, requestId: req.requestId, actor: req.actor });
        if (this.started) void this.startWithRetry(c);
      }
    }
    return matching.length;
  }

  /** The broadcast listener (see the class comment); retried in the background while the topic or broker is missing. */
  private async listenForControl(): Promise<void> {
    const topic = topicName('ops.consumer-control.requested.v1', this.options.config.topicSuffix);
    await retryUntilDone(
      async () => {
        this.controlGroupId = `${this.options.name}.consumer-control.${ulid().toLowerCase()}${this.options.config.groupIdSuffix}`;
        const consumer = this.kafka.consumer({ groupId: this.controlGroupId, allowAutoTopicCreation: false });
        this.controlConsumer = consumer;
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: false });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (!message.value) return;
            let req: ConsumerControlRequest;
            try {
              req = this.codec.decodeFor('ops.consumer-control.requested.v1', message.value).value;
            } catch {
              return; // an undecodable request cannot name a consumer; the projector dead-letters it
            }
            if (!this.consumers.some((c) => c.status().groupId === req.groupId)) return;
            // Not awaited in eachMessage: a stop waits for the record in hand, which must not hold this listener.
            this.controlQueue = this.controlQueue
              .then(() => this.applyControl(req).then(() => undefined))
              .catch((err: unknown) => this.log.error('consumer control failed', { group: req.groupId, error: (err as Error).message }));
          },
        });
      },
      {
        policy: { baseMs: 1_000, maxMs: 30_000 },
        keepGoing: () => this.started,
        onError: async (err, attempt) => {
          this.log.warn('consumer-control listener failed to start; retrying', { error: (err as Error).message, attempt });
          await this.controlConsumer?.disconnect().catch(() => undefined);
        },
      },
    );
  }

  private async startWithRetry(c: EventConsumer<TopicName>): Promise<void> {
    await retryUntilDone(() => c.start(), {
      policy: { baseMs: 500, maxMs: 15_000 },
      keepGoing: () => this.started && !this.stoppedByOperator.has(c),
      onError: async (err, attempt) => {
        this.log.error('consumer failed to start; retrying', { error: (err as Error).message, attempt });
        await c.stop();
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    await this.controlConsumer?.disconnect().catch(() => undefined);
    // The listener's group and the ephemeral consumers' groups are this instance's alone: remove them rather than
    // leave empty groups behind on every start.
    if (this.controlGroupId) await deleteEphemeralGroup(this.kafka, this.controlGroupId);
    await Promise.all(this.consumers.map((c) => c.stop()));
    await Promise.all(this.consumers.filter((c) => this.ephemeral.has(c)).map((c) => deleteEphemeralGroup(this.kafka, c.status().groupId)));
  }
}
