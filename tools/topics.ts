// Creates every registered topic (and its .dlq) idempotently: `node dist/tools/topics.js`. Run by `npm start`,
// and as a Helm hook Job in Kubernetes. Settings: KAFKA_BROKERS, KAFKA_REPLICATION_FACTOR, KAFKA_TOPIC_PARTITIONS,
// KAFKA_MIN_INSYNC_REPLICAS, KAFKA_TOPIC_SUFFIX.
import { kafkaSettings, loadConfig } from '@mlc/platform-config';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';

async function main(): Promise<void> {
  const c = loadConfig(kafkaSettings);
  const kafka = createKafka({
    brokers: c.kafkaBrokers,
    clientId: `${c.kafkaClientId}-topics`,
    ssl: c.kafkaSsl,
    sslCa: c.kafkaSslCa || undefined,
    sasl: c.kafkaSaslMechanism ? { mechanism: c.kafkaSaslMechanism, username: c.kafkaSaslUsername, password: c.kafkaSaslPassword } : undefined,
  });
  const created = await ensureTopics(kafka, {
    suffix: c.topicSuffix,
    replicationFactor: c.replicationFactor,
    minPartitions: c.topicPartitions,
    minInsyncReplicas: c.minInsyncReplicas,
    report: (r) => {
      if (r.altered.length) process.stdout.write(`min.insync.replicas set on existing topics: ${r.altered.join(', ')}\n`);
      if (r.underPartitioned.length)
        process.stdout.write(
          `note: ${r.underPartitioned.length} existing topic(s) have fewer partitions than KAFKA_TOPIC_PARTITIONS (e.g. ${r.underPartitioned[0]!.topic}: ${r.underPartitioned[0]!.partitions} of ${r.underPartitioned[0]!.wanted}); not raised: that would move keys between partitions\n`,
        );
    },
  });
  process.stdout.write(created.length ? `created topics: ${created.join(', ')}\n` : 'all topics exist\n');
}

main().catch((err: Error) => {
  process.stderr.write(`topics: ${err.message}\n`);
  process.exit(1);
});
