import type { Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { AvroCodec, type WebhookReceived } from '@mlc/contracts';
import { topicName } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, TEST_ENCRYPTION_KEYS, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { createTenantsDataSource, InMemoryTenantChangePublisher, runMigrations, SecretBox, TenantConfigService } from '@mlc/tenants';

type WebhookTopic = 'shipbob.webhook.received.v1' | 'shopify.webhook.received.v1';

/** Postgres, Kafka (per-run suffix) and tenant configuration for webhook-gateway integration specs. */
export interface GatewayTestEnv {
  db: TestDatabase;
  kafka: Kafka;
  suffix: string;
  tenants: TenantConfigService;
  /** Starts the gateway as a real process on this database and topic suffix. */
  startGateway(env?: Record<string, string>): Promise<RunningService>;
  /** Every record of the topic from the beginning, decoded. */
  watch(topic: WebhookTopic): Promise<Watched>;
  close(): Promise<void>;
}

export interface Watched {
  records(): Array<{ key: string; value: WebhookReceived; message: KafkaMessage }>;
  stop(): Promise<void>;
}

export async function gatewayTestEnv(label: string): Promise<GatewayTestEnv> {
  const db = await testDatabase(label);
  const { kafka, suffix } = await testKafka(label);
  const ds: DataSource = createTenantsDataSource(db.url);
  await runMigrations(ds);
  const tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
  const codec = new AvroCodec();
  const services: RunningService[] = [];
  const watchers: Watched[] = [];
  return {
    db,
    kafka,
    suffix,
    tenants,
    async startGateway(env = {}) {
      const s = await startService('webhook-gateway', { DATABASE_URL: db.url, KAFKA_TOPIC_SUFFIX: suffix, TENANT_CACHE_TTL_MS: '0', ...env });
      services.push(s);
      return s;
    },
    async watch(topic) {
      const c = await collect(kafka, topicName(topic, suffix));
      const w: Watched = {
        records: () =>
          c.messages.map((m) => ({ key: m.key?.toString() ?? '', value: codec.decodeFor(topic, m.value!).value, message: m })),
        stop: () => c.stop(),
      };
      watchers.push(w);
      return w;
    },
    async close() {
      await Promise.allSettled(watchers.map((w) => w.stop()));
      await Promise.allSettled(services.map((s) => s.stop()));
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    },
  };
}
