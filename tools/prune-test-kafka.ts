// Deletes the Kafka topics and empty consumer groups of test runs older than TEST_KAFKA_PRUNE_AGE_MS (default 1 h) from
// the local broker: `node dist/tools/prune-test-kafka.js`, run by `npm test` before the suite. Never fails the run.
import { createKafka } from '@mlc/platform-kafka';
import { pruneTestKafka, TEST_BROKERS } from '@mlc/platform-testing';

async function main(): Promise<void> {
  const age = Number(process.env['TEST_KAFKA_PRUNE_AGE_MS'] ?? 3_600_000);
  const kafka = createKafka({ brokers: TEST_BROKERS, clientId: 'prune-test-kafka' });
  const r = await pruneTestKafka(kafka, age);
  if (r.topics || r.groups) process.stdout.write(`[dev] pruned ${r.topics} topics and ${r.groups} consumer groups of earlier test runs\n`);
}

main().catch((err: Error) => process.stdout.write(`[dev] could not prune earlier test runs' topics (${err.message}); going on\n`));
