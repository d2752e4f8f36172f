import type { Kafka } from 'kafkajs';
import { TOPICS, type TopicSpec } from '@mlc/contracts';
import { dlqName, topicName } from './kafka.options';

export interface TopicBootstrapOptions {
  suffix?: string;
  replicationFactor?: number;
  /** Override partitions (e.g. 1 in a test). */
  partitions?: number;
  specs?: readonly TopicSpec[];
}

/**
 * Creates every registered topic and its dead-letter topic, idempotently, with explicit partitions, replication and
 * retention (the event log is kept: retention.ms=-1). Never relies on broker auto-creation. Returns names created.
 */
export async function ensureTopics(kafka: Kafka, opts: TopicBootstrapOptions = {}): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const specs = opts.specs ?? Object.values(TOPICS);
    const wanted = specs.flatMap((spec) => {
      const name = topicName(spec.name, opts.suffix);
      const configEntries = [
        { name: 'retention.ms', value: String(spec.retentionMs) },
        { name: 'cleanup.policy', value: spec.cleanupPolicy },
      ];
      const partitions = opts.partitions ?? spec.partitions;
      return [
        { topic: name, numPartitions: partitions, replicationFactor: opts.replicationFactor ?? 1, configEntries },
        { topic: dlqName(name), numPartitions: 1, replicationFactor: opts.replicationFactor ?? 1, configEntries },
      ];
    });
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length) {
      try {
        // kafkajs's own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers for a moment
        // after creating a topic; waitForTopicLeaders below tolerates it.
        await admin.createTopics({ topics: missing, waitForLeaders: false });
      } catch (err) {
        // Another process may have created some meanwhile: only fail if something is still missing.
        const now = new Set(await admin.listTopics());
        const still = missing.filter((t) => !now.has(t.topic));
        if (still.length) throw err;
      }
      await waitForTopicLeaders(
        admin,
        missing.map((t) => t.topic),
      );
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

type Admin = ReturnType<Kafka['admin']>;
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Resolves once every partition of every named topic has a leader. A broker that has just created a topic may still
 * answer "unknown topic" or "no leader" for a moment; those answers mean "not yet", anything else is an error.
 */
export async function waitForTopicLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      const leaderless = meta.filter((t) => !t.partitions.length || t.partitions.some((p) => p.leader < 0));
      if (!leaderless.length) return;
      last = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (!type || !SETTLING.has(type)) throw err;
      last = type;
    }
    if (Date.now() > deadline) throw new Error(`Kafka topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
