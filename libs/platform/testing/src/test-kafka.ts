import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';

export const TEST_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

/** A Kafka client on the local broker plus a per-run topic suffix, with every registered topic created. */
export async function testKafka(label = 'test'): Promise<{ kafka: Kafka; suffix: string }> {
  const suffix = `.t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const kafka = createKafka({ brokers: TEST_BROKERS, clientId: `${label}${suffix}` });
  await ensureTopics(kafka, { suffix, partitions: 1 });
  return { kafka, suffix };
}

/** Collects every message of a topic (from the beginning) until stopped. */
export async function collect(kafka: Kafka, topic: string): Promise<{ messages: KafkaMessage[]; stop: () => Promise<void> }> {
  const messages: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: `collector-${randomBytes(4).toString('hex')}`, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  return { messages, stop: () => consumer.disconnect() };
}
