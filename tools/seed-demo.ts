// Seeds tenant `demo` against the local sandboxes and subscribes it to their webhooks at the webhook-gateway (the
// product path of `mlc webhooks subscribe`):
// `node dist/tools/seed-demo.js` (run by `npm start` after the sandboxes are up). Idempotent: a second run changes
// nothing. Settings: DATABASE_URL, MLC_ENCRYPTION_KEYS, KAFKA_*, DEMO_FUSION_URL / DEMO_SHIPBOB_URL / DEMO_SHOPIFY_URL
// (default 127.0.0.1:4010/4020/4030), DEMO_WEBHOOK_GATEWAY_URL (default http://127.0.0.1:3006),
// DEMO_POLLING_INTERVAL_MS (default 30000).
import { AvroCodec } from '@mlc/contracts';
import { as, kafkaSettings, loadConfig, postgresSettings, type Setting } from '@mlc/platform-config';
import { createKafka, EventPublisher } from '@mlc/platform-kafka';
import { KafkaTenantChangePublisher, newShipbobClient, newShopifyClient } from '@mlc/tenancy';
import {
  createTenantsDataSource,
  DEFAULT_DEMO_URLS,
  DEMO_TENANT_ID,
  SecretBox,
  seedDemoTenant,
  TenantConfigService,
  type ShipbobConnection,
  type ShopifyConnection,
} from '@mlc/tenants';
import { WebhookSubscriptionsService } from '../services/audit-projector/src/webhooks/webhook-subscriptions.service';

const settings = {
  ...postgresSettings,
  ...kafkaSettings,
  encryptionKeys: { env: 'MLC_ENCRYPTION_KEYS', doc: 'credential encryption keys', parse: as.string, secret: true } as Setting<string>,
  fusionUrl: { env: 'DEMO_FUSION_URL', doc: 'Fusion sandbox', parse: as.url, default: DEFAULT_DEMO_URLS.fusion } as Setting<string>,
  shipbobUrl: { env: 'DEMO_SHIPBOB_URL', doc: 'ShipBob sandbox', parse: as.url, default: DEFAULT_DEMO_URLS.shipbob } as Setting<string>,
  shopifyUrl: { env: 'DEMO_SHOPIFY_URL', doc: 'Shopify sandbox', parse: as.url, default: DEFAULT_DEMO_URLS.shopify } as Setting<string>,
  gatewayUrl: {
    env: 'DEMO_WEBHOOK_GATEWAY_URL',
    doc: 'webhook-gateway as the sandboxes reach it',
    parse: as.url,
    default: 'http://127.0.0.1:3006',
  } as Setting<string>,
  pollingIntervalMs: { env: 'DEMO_POLLING_INTERVAL_MS', doc: 'polling intervals of the demo tenant', parse: as.int(1000), default: 30_000 } as Setting<number>,
};

/** A product for the Fusion sandbox's SKU-MUG (the ShipBob demo data has three); the sandbox skips a known SKU. */
const EXTRA_SHIPBOB_PRODUCTS = [{ sku: 'ML-3001', name: 'Coffee mug', on_hand_qty: 60 }];

const say = (line: string) => process.stdout.write(`${line}\n`);

async function http<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function waitForSandbox(name: string, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answered = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`the ${name} sandbox does not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The demo tenant's webhook subscriptions, made the way `mlc webhooks subscribe demo <partner>` makes them (the same
 * WebhookSubscriptionsService over the tenant's ShipBob / Shopify clients): only what is missing is created; ShipBob
 * signs with the demo connection's stored secret, Shopify with the app's client secret (the demo webhook secret).
 */
async function subscribeWebhooks(config: TenantConfigService, gateway: string, partner: 'shipbob' | 'shopify'): Promise<string> {
  const service = new WebhookSubscriptionsService({
    config,
    baseUrl: gateway,
    clients: {
      shipbob: async (t) => newShipbobClient((await config.getConnection(t, 'shipbob')) as ShipbobConnection),
      shopify: async (t) => newShopifyClient((await config.getConnection(t, 'shopify')) as ShopifyConnection),
    },
  });
  const r = await service.subscribe(DEMO_TENANT_ID, partner, 'seed-demo');
  const topics = r.created.reduce((n, c) => n + c.topics.length, 0);
  return `${r.expectedUrl} (${topics ? `subscribed ${topics} topics` : 'already subscribed'})`;
}

async function main(): Promise<void> {
  const c = loadConfig(settings);
  const ds = createTenantsDataSource(c.databaseUrl, { poolSize: 2 });
  const kafka = createKafka({
    brokers: c.kafkaBrokers,
    clientId: `${c.kafkaClientId}-seed-demo`,
    ssl: c.kafkaSsl,
    sslCa: c.kafkaSslCa || undefined,
    sasl: c.kafkaSaslMechanism ? { mechanism: c.kafkaSaslMechanism, username: c.kafkaSaslUsername, password: c.kafkaSaslPassword } : undefined,
  });
  const publisher = new EventPublisher(kafka, new AvroCodec(), c.topicSuffix);
  try {
    await ds.initialize();
    // Without Kafka the changes still commit: they wait in the outbox for audit-projector's relay.
    const connected = await Promise.race([
      publisher.connect().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
    ]);
    if (!connected) say('  (Kafka not reachable: the change events wait in the outbox for audit-projector)');
    const config = new TenantConfigService({
      dataSource: ds,
      secretBox: new SecretBox(c.encryptionKeys),
      publisher: new KafkaTenantChangePublisher(publisher, 'seed-demo'),
      relayWaitMs: connected ? 5000 : 0,
    });
    const urls = { fusion: c.fusionUrl, shipbob: c.shipbobUrl, shopify: c.shopifyUrl };
    await Promise.all([waitForSandbox('Fusion', urls.fusion), waitForSandbox('ShipBob', urls.shipbob), waitForSandbox('Shopify', urls.shopify)]);
    const before = (await config.listTenants()).find((t) => t.id === DEMO_TENANT_ID)?.configVersion;
    const demo = await seedDemoTenant(config, { urls, pollingIntervalMs: c.pollingIntervalMs });
    say(
      `  tenant ${DEMO_TENANT_ID}: config version ${demo.configVersion}${before === demo.configVersion ? ' (unchanged)' : ''}; mappings ${JSON.stringify(demo.mappingCounts)}`,
    );
    await http('POST', `${urls.shipbob}/__admin/seed`, { products: EXTRA_SHIPBOB_PRODUCTS });
    say(`  ShipBob webhooks -> ${await subscribeWebhooks(config, c.gatewayUrl, 'shipbob')}`);
    say(`  Shopify webhooks -> ${await subscribeWebhooks(config, c.gatewayUrl, 'shopify')}`);
    if (connected) await config.outbox.relayPending().catch(() => undefined);
  } finally {
    await publisher.disconnect().catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`seed-demo: ${err.message}\n`);
  process.exit(1);
});
