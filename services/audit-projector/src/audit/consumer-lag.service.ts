import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA } from '@mlc/platform-service';

export interface GroupLag {
  groupId: string;
  /** Records written to the group's topics that it has not committed yet. */
  records: number;
  partitions: Array<{ topic: string; partition: number; committed: string; end: string; lag: number }>;
}

/** Measures how far consumer groups are behind the end of their topics (committed offset vs high watermark). */
@Injectable()
export class ConsumerLagService implements OnApplicationShutdown {
  private admin: Promise<Admin> | undefined;

  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  private connect(): Promise<Admin> {
    this.admin ??= (async () => {
      const a = this.kafka.admin();
      await a.connect();
      return a;
    })().catch((err: unknown) => {
      this.admin = undefined;
      throw err;
    });
    return this.admin;
  }

  /** Lag of a group over `topics` (full names), or over every topic it has committed offsets for. */
  async lag(groupId: string, topics?: string[]): Promise<GroupLag> {
    const admin = await this.connect();
    const committed = topics ? await admin.fetchOffsets({ groupId, topics }) : await admin.fetchOffsets({ groupId });
    const partitions: GroupLag['partitions'] = [];
    for (const t of committed) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      for (const p of t.partitions) {
        const end = ends.find((e) => e.partition === p.partition);
        if (!end) continue;
        const from = BigInt(p.offset) >= 0n ? BigInt(p.offset) : BigInt(end.low);
        const lag = Number(BigInt(end.high) - from);
        partitions.push({ topic: t.topic, partition: p.partition, committed: p.offset, end: end.high, lag: Math.max(0, lag) });
      }
    }
    return { groupId, records: partitions.reduce((s, p) => s + p.lag, 0), partitions };
  }

  async onApplicationShutdown(): Promise<void> {
    const a = await this.admin?.catch(() => undefined);
    await a?.disconnect().catch(() => undefined);
  }
}
