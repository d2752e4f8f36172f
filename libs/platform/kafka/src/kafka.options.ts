import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  /**
   * PEM file of the CA(s) that signed the brokers' certificates (KAFKA_SSL_CA), trusted instead of the system CAs
   * for this client only; implies TLS. Empty: the system CAs (and NODE_EXTRA_CA_CERTS).
   */
  sslCa?: string;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Retries of a failed connection or request (default 8, up to 10 s apart); a check that must fail fast sets fewer. */
  retries?: number;
  /** Appended to every topic name; tests isolate runs with it. */
  topicSuffix?: string;
}

/** Builds a kafkajs client with bounded retries and kafkajs' own logs at WARN (they are noisy). */
export function createKafka(opts: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: opts.clientId,
    brokers: opts.brokers,
    ssl: opts.sslCa ? { ca: [readCa(opts.sslCa)] } : (opts.ssl ?? false),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: opts.retries ?? 8, maxRetryTime: 10_000 },
    logLevel: logLevel.ERROR,
  };
  if (opts.sasl) config.sasl = opts.sasl as SASLOptions;
  return new Kafka(config);
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`KAFKA_SSL_CA: cannot read the CA file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export const topicName = (base: string, suffix = ''): string => `${base}${suffix}`;
export const dlqName = (topic: string): string => `${topic}.dlq`;
