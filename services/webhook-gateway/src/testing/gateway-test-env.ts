import type { Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { AvroCodec, type WebhookReceived } from '@mlc/contracts';
import { topicName } from '@mlc/platform-kafka';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

type WebhookTopic = 'shipbob.webhook.received.v1' | 'shopify.webhook.received.v1';

/** What this helper uses from @mlc/platform-testing (passed in by the specs: app code may not import testing libs). */
export interface TestingKit<R extends RunningService = RunningService> {
  testDatabase(prefix: string): Promise<TestDatabase>;
  testKafka(label: string): Promise<{ kafka: Kafka; suffix: string }>;
  collect(kafka: Kafka, topic: string): Promise<{ messages: KafkaMessage[]; stop: () => Promise<void> }>;
  startService(name: string, env: Record<string, string>): Promise<R>;
  TEST_ENCRYPTION_KEYS: string;
}
interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}
interface RunningService {
  url: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Postgres, Kafka (per-run suffix) and tenant configuration for webhook-gateway integration specs. */
export interface GatewayTestEnv<R extends RunningService = RunningService> {
  db: TestDatabase;
  kafka: Kafka;
  suffix: string;
  tenants: TenantConfigService;
  /** Starts the gateway as a real process on this database and topic suffix. */
  startGateway(env?: Record<string, string>): Promise<R>;
  /** Every record of the topic from the beginning, decoded. */
  watch(topic: WebhookTopic): Promise<Watched>;
  close(): Promise<void>;
}

export interface Watched {
  records(): Array<{ key: string; value: WebhookReceived; message: KafkaMessage }>;
  stop(): Promise<void>;
}

export async function gatewayTestEnv<R extends RunningService>(label: string, kit: TestingKit<R>): Promise<GatewayTestEnv<R>> {
  const { collect, startService, testDatabase, testKafka, TEST_ENCRYPTION_KEYS } = kit;
  const db = await testDatabase(label);
  const { kafka, suffix } = await testKafka(label);
  const ds: DataSource = createTenantsDataSource(db.url);
  await ds.initialize();
  const tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
  const codec = new AvroCodec();
  const services: R[] = [];
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
        records: () => c.messages.map((m) => ({ key: m.key?.toString() ?? '', value: codec.decodeFor(topic, m.value!).value, message: m })),
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
