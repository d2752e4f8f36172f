import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';
import { needsIntegrationTier } from './test-tier';
import { waitFor } from './wait-for';

export const TEST_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

/** A test run's topic suffix: `.t` + creation time (8 base-36 digits) + 6 random hex digits. */
const SUFFIX = /\.t([0-9a-z]{8})[0-9a-f]{6}(?=$|\.dlq$)/;

/** When the test run that owns a topic or consumer group name began (epoch ms), or undefined for other names. */
export function testSuffixTime(name: string): number | undefined {
  const m = SUFFIX.exec(name);
  return m ? parseInt(m[1]!, 36) : undefined;
}

/** A Kafka client on the local broker plus a per-run topic suffix, with every registered topic created. */
export async function testKafka(label = 'test'): Promise<{ kafka: Kafka; suffix: string }> {
  needsIntegrationTier('Kafka');
  const suffix = `.t${Date.now().toString(36).padStart(8, '0')}${randomBytes(3).toString('hex')}`;
  const kafka = createKafka({ brokers: TEST_BROKERS, clientId: `${label}${suffix}` });
  await ensureTopics(kafka, { suffix, partitions: 1 });
  return { kafka, suffix };
}

/** What `collect` gathers, with a barrier: `caughtUp()` waits until every record now on the topic is in `messages`. */
export interface Collected {
  messages: KafkaMessage[];
  /** Resolves once the collector has read up to the topic's current end (what is on the topic now is in `messages`). */
  caughtUp: (opts?: { timeoutMs?: number }) => Promise<void>;
  stop: () => Promise<void>;
}

/** Collects every message of a topic (from the beginning) until stopped. */
export async function collect(kafka: Kafka, topic: string): Promise<Collected> {
  const messages: KafkaMessage[] = [];
  /** The next offset the collector expects, per partition. */
  const next = new Map<number, number>();
  // Named after the topic's test suffix, so pruneTestKafka removes it with the run's topics.
  const suffix = SUFFIX.exec(topic)?.[0] ?? '';
  const consumer = kafka.consumer({ groupId: `collector-${randomBytes(4).toString('hex')}${suffix}`, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      messages.push(message);
      next.set(partition, Number(message.offset) + 1);
    },
  });
  const caughtUp = async (opts: { timeoutMs?: number } = {}) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      await waitFor(() => ends.every((p) => Number(p.high) <= Math.max(Number(p.low), next.get(p.partition) ?? 0)), {
        timeoutMs: opts.timeoutMs ?? 20_000,
        what: `the collector of ${topic} to read up to ${ends.map((p) => `${p.partition}:${p.high}`).join(',')}`,
      });
    } finally {
      await admin.disconnect();
    }
  };
  return { messages, caughtUp, stop: () => consumer.disconnect() };
}

/**
 * Deletes the topics and (empty) consumer groups of test runs that began more than `olderThanMs` ago. Every test run
 * makes its own suffixed topics (about a hundred per spec file); without this a developer's broker collects tens of
 * thousands of partitions and slows down until tests time out. Runs before the suite (tools/prune-test-kafka).
 */
export async function pruneTestKafka(kafka: Kafka, olderThanMs: number, now = Date.now()): Promise<{ topics: number; groups: number }> {
  const stale = (name: string) => {
    const t = testSuffixTime(name);
    return t !== undefined && now - t > olderThanMs;
  };
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter(stale);
    for (let i = 0; i < topics.length; i += 200) await admin.deleteTopics({ topics: topics.slice(i, i + 200), timeout: 60_000 });
    const candidates = (await admin.listGroups()).groups.map((g) => g.groupId).filter(stale);
    let groups = 0;
    for (let i = 0; i < candidates.length; i += 100) {
      const batch = candidates.slice(i, i + 100);
      const described = await admin.describeGroups(batch);
      const empty = described.groups.filter((g) => g.state === 'Empty' || g.state === 'Dead').map((g) => g.groupId);
      if (empty.length) {
        const results = await admin.deleteGroups(empty).catch((err: { groups?: Array<{ errorCode: number }> }) => err.groups ?? []);
        groups += results.filter((r) => !r.errorCode).length;
      }
    }
    return { topics: topics.length, groups };
  } finally {
    await admin.disconnect();
  }
}
