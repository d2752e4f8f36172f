import type { Kafka } from 'kafkajs';

export interface KafkaHealth {
  up: boolean;
  brokers?: number;
  error?: string;
}

/** Asks the cluster for its metadata with a short timeout: the readiness probe's Kafka check. */
export async function kafkaHealth(kafka: Kafka, timeoutMs = 2_500): Promise<KafkaHealth> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref());
  try {
    const cluster = await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
    return { up: true, brokers: cluster.brokers.length };
  } catch (err) {
    return { up: false, error: (err as Error).message };
  } finally {
    void admin.disconnect().catch(() => undefined);
  }
}
