import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { TOPICS, type TopicSpec } from '@mlc/contracts';
import { dlqName, topicName } from './kafka.options';

export interface TopicBootstrapOptions {
  suffix?: string;
  replicationFactor?: number;
  /** Override partitions (e.g. 1 in a test). */
  partitions?: number;
  /** Partitions of each registry topic at least (KAFKA_TOPIC_PARTITIONS); the registry's own count wins when larger. */
  minPartitions?: number;
  /** min.insync.replicas on every topic (KAFKA_MIN_INSYNC_REPLICAS); default 2 when the replication factor is >= 3. */
  minInsyncReplicas?: number;
  specs?: readonly TopicSpec[];
  /** Told what was changed on existing topics, and which have fewer partitions than wanted (never raised here). */
  report?: (r: TopicAlignment) => void;
}

export interface TopicAlignment {
  /** Existing topics whose configuration (min.insync.replicas) was brought to the wanted one. */
  altered: string[];
  /** Existing topics with fewer partitions than wanted: adding partitions moves keys (breaks per-key order), so it is left to an operator. */
  underPartitioned: Array<{ topic: string; partitions: number; wanted: number }>;
}

export interface PlannedTopic {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: Array<{ name: string; value: string }>;
}

/** min.insync.replicas for a replication factor: 2 from 3 replicas up (acks=all then survives one broker down), else unset. */
export function defaultMinInsyncReplicas(replicationFactor: number): number | undefined {
  return replicationFactor >= 3 ? 2 : undefined;
}

/** Every registry topic and its .dlq as the bootstrap creates them: partitions, replication and topic configuration. */
export function plannedTopics(opts: TopicBootstrapOptions = {}): PlannedTopic[] {
  const rf = opts.replicationFactor ?? 1;
  const minInsync = opts.minInsyncReplicas ?? defaultMinInsyncReplicas(rf);
  if (minInsync !== undefined && minInsync > rf)
    throw new Error(`min.insync.replicas ${minInsync} is above the replication factor ${rf}: no write could succeed`);
  const specs = opts.specs ?? Object.values(TOPICS);
  return specs.flatMap((spec) => {
    const name = topicName(spec.name, opts.suffix);
    const configEntries = [
      { name: 'retention.ms', value: String(spec.retentionMs) },
      { name: 'cleanup.policy', value: spec.cleanupPolicy },
      ...(minInsync === undefined ? [] : [{ name: 'min.insync.replicas', value: String(minInsync) }]),
    ];
    const partitions = opts.partitions ?? Math.max(spec.partitions, opts.minPartitions ?? 0);
    return [
      { topic: name, numPartitions: partitions, replicationFactor: rf, configEntries },
      { topic: dlqName(name), numPartitions: 1, replicationFactor: rf, configEntries },
    ];
  });
}

/**
 * Creates every registered topic and its dead-letter topic, idempotently, with explicit partitions, replication and
 * retention (the event log is kept: retention.ms=-1), and min.insync.replicas (see plannedTopics). Existing topics
 * get the wanted min.insync.replicas through alterConfigs (with the rest of their wanted configuration). Never relies
 * on broker auto-creation. Returns names created.
 */
export async function ensureTopics(kafka: Kafka, opts: TopicBootstrapOptions = {}): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = plannedTopics(opts);
    const present = wanted.filter((t) => existing.has(t.topic));
    if (present.length) {
      const alignment = await alignExisting(admin, present);
      opts.report?.(alignment);
    }
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

/** Brings existing topics' min.insync.replicas to the planned one; lists those with fewer partitions than planned. */
async function alignExisting(admin: Admin, present: PlannedTopic[]): Promise<TopicAlignment> {
  const out: TopicAlignment = { altered: [], underPartitioned: [] };
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
  const partitions = new Map(meta.map((t) => [t.name, t.partitions.length]));
  for (const t of present) {
    const n = partitions.get(t.topic) ?? 0;
    if (n < t.numPartitions && !t.topic.endsWith('.dlq')) out.underPartitioned.push({ topic: t.topic, partitions: n, wanted: t.numPartitions });
  }
  const withMinInsync = present.filter((t) => t.configEntries.some((e) => e.name === 'min.insync.replicas'));
  if (!withMinInsync.length) return out;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: withMinInsync.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.topic, configNames: ['min.insync.replicas'] })),
  });
  // Stale unless set on the topic itself (configSource 1 = TOPIC_CONFIG) to the wanted value: a broker default is not enough.
  const current = new Map(
    described.resources.map((r) => {
      const e = r.configEntries.find((c) => c.configName === 'min.insync.replicas');
      return [r.resourceName, e?.configSource === 1 ? e.configValue : undefined];
    }),
  );
  const stale = withMinInsync.filter((t) => current.get(t.topic) !== t.configEntries.find((e) => e.name === 'min.insync.replicas')!.value);
  if (stale.length) {
    // AlterConfigs replaces a topic's whole dynamic configuration: send every entry we own, not only the changed one.
    await admin.alterConfigs({
      validateOnly: false,
      resources: stale.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.topic, configEntries: t.configEntries })),
    });
    out.altered.push(...stale.map((t) => t.topic));
  }
  return out;
}
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
