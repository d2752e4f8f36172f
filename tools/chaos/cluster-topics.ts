// Creates every registered topic on the local three-broker cluster (deploy/local/cluster.sh topics): replication
// factor KAFKA_REPLICATION_FACTOR (3), CLUSTER_PARTITIONS partitions (6); min.insync.replicas=2 is the brokers' default.
import { kafkaSettings, loadConfig } from '@mlc/platform-config';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';
import { CLUSTER_TOPICS } from './infra';

async function main(): Promise<void> {
  const c = loadConfig(kafkaSettings);
  const kafka = createKafka({ brokers: c.kafkaBrokers, clientId: `${c.kafkaClientId}-cluster-topics` });
  const partitions = Number(process.env['CLUSTER_PARTITIONS'] ?? CLUSTER_TOPICS.partitions);
  const created = await ensureTopics(kafka, { suffix: c.topicSuffix, replicationFactor: c.replicationFactor, partitions });
  process.stdout.write(created.length ? `created ${created.length} topics (RF ${c.replicationFactor}, ${partitions} partitions)\n` : 'all topics exist\n');
}

main().catch((err: Error) => {
  process.stderr.write(`cluster topics: ${err.message}\n`);
  process.exit(1);
});
