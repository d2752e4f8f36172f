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
        await admin.createTopics({ topics: missing, waitForLeaders: true });
      } catch (err) {
        // Another process may have created some meanwhile: only fail if something is still missing.
        const now = new Set(await admin.listTopics());
        const still = missing.filter((t) => !now.has(t.topic));
        if (still.length) throw err;
      }
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
