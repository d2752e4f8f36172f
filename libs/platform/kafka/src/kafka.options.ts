import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Appended to every topic name; tests isolate runs with it. */
  topicSuffix?: string;
}

/** Builds a kafkajs client with bounded retries and kafkajs' own logs at WARN (they are noisy). */
export function createKafka(opts: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: opts.clientId,
    brokers: opts.brokers,
    ssl: opts.ssl ?? false,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logLevel: logLevel.ERROR,
  };
  if (opts.sasl) config.sasl = opts.sasl as SASLOptions;
  return new Kafka(config);
}

export const topicName = (base: string, suffix = ''): string => `${base}${suffix}`;
export const dlqName = (topic: string): string => `${topic}.dlq`;
