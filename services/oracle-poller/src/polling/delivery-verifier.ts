import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { AppError } from '@mlc/platform-errors';
import { headerString, ulid } from '@mlc/platform-kafka';
import { KAFKA } from '@mlc/platform-service';
import type { TopicOffsets } from './poll-state.repository';

const VERIFY_TIMEOUT_MS = 30_000;

/**
 * Tells which of a batch's events reached Kafka, for a batch whose acknowledgement was never recorded (the process
 * died between Kafka's ack and the Postgres commit). Before sending, the runner records each topic's high watermarks;
 * here we read from those offsets to the current end and collect the event ids found (header `mlc-event-id`).
 */
@Injectable()
export class DeliveryVerifier implements OnApplicationShutdown {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  private async adminClient(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
      return admin;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** The current end offset of every partition of each topic. */
  async highWatermarks(topics: string[]): Promise<TopicOffsets> {
    const admin = await this.adminClient();
    const out: TopicOffsets = {};
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      out[topic] = Object.fromEntries(offsets.map((o) => [String(o.partition), o.high]));
    }
    return out;
  }

  /** Which of `eventIds` were written to the topics after `from` (the watermarks taken before the batch was sent). */
  async findDelivered(from: TopicOffsets, eventIds: Set<string>): Promise<Set<string>> {
    const found = new Set<string>();
    const now = await this.highWatermarks(Object.keys(from));
    const ranges: { topic: string; partition: number; from: bigint; to: bigint }[] = [];
    for (const [topic, parts] of Object.entries(from)) {
      for (const [p, start] of Object.entries(parts)) {
        const end = BigInt(now[topic]?.[p] ?? start);
        if (end > BigInt(start)) ranges.push({ topic, partition: Number(p), from: BigInt(start), to: end });
      }
    }
    if (!ranges.length || !eventIds.size) return found;

    const groupId = `oracle-poller.verify.${ulid()}`;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const pending = new Map(ranges.map((r) => [`${r.topic}/${r.partition}`, r]));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...new Set(ranges.map((r) => r.topic))], fromBeginning: false });
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const r = pending.get(`${topic}/${partition}`);
          if (!r) return;
          const id = headerString(message.headers, 'mlc-event-id');
          if (id && eventIds.has(id)) found.add(id);
          if (BigInt(message.offset) + 1n >= r.to) {
            pending.delete(`${topic}/${partition}`);
            if (!pending.size) done();
          }
        },
      });
      for (const r of ranges) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.from.toString() });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new AppError('POLLER.VERIFY_TIMEOUT', 'could not read back the in-flight batch from Kafka in time', { retryable: true })),
          VERIFY_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([finished, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await this.adminClient()
        .then((a) => a.deleteGroups([groupId]))
        .catch(() => undefined);
    }
    return found;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
