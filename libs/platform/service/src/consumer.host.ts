import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type TopicName } from '@mlc/contracts';
import { retryUntilDone } from '@mlc/platform-errors';
import { EventConsumer, type ConsumerOptions, type ConsumerStatus } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import { CODEC, KAFKA, LOGGER, SERVICE_OPTIONS } from './service.tokens';
import type { ServiceOptions } from './service.options';

/**
 * Runs the service's Kafka consumers inside Nest (kafkajs consumers directly, not the Nest Kafka transport, whose
 * one-at-a-time handling and commit model do not fit): started after bootstrap, stopped on SIGTERM after the record
 * in hand is finished and committed.
 */
@Injectable()
export class ConsumerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: EventConsumer<TopicName>[] = [];
  private started = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CODEC) private readonly codec: AvroCodec,
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  register<T extends TopicName>(opts: Omit<ConsumerOptions<T>, 'service' | 'topicSuffix' | 'log'>): EventConsumer<T> {
    const consumer = new EventConsumer<T>(
      this.kafka,
      {
        ...opts,
        groupId: `${opts.groupId}${this.options.config.groupIdSuffix}`,
        service: this.options.name,
        topicSuffix: this.options.config.topicSuffix,
        sessionTimeoutMs: opts.sessionTimeoutMs ?? this.options.config.kafkaSessionTimeoutMs,
        log: (level, msg, fields) => this.log[level](msg, fields),
      },
      this.codec,
    );
    this.consumers.push(consumer as unknown as EventConsumer<TopicName>);
    if (this.started) void this.startWithRetry(consumer as unknown as EventConsumer<TopicName>);
    return consumer;
  }

  status(): ConsumerStatus[] {
    return this.consumers.map((c) => c.status());
  }

  async onApplicationBootstrap(): Promise<void> {
    this.started = true;
    // Start in the background: a broker that is down at start must not keep the HTTP server (health) from coming up.
    for (const c of this.consumers) void this.startWithRetry(c);
  }

  private async startWithRetry(c: EventConsumer<TopicName>): Promise<void> {
    await retryUntilDone(() => c.start(), {
      policy: { baseMs: 500, maxMs: 15_000 },
      keepGoing: () => this.started,
      onError: async (err, attempt) => {
        this.log.error('consumer failed to start; retrying', { error: (err as Error).message, attempt });
        await c.stop();
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}
