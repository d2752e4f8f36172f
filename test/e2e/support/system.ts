import type { Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { AvroCodec, type TopicName, type TopicRecords } from '@mlc/contracts';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { generateWebhookSecret, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { topicName } from '@mlc/platform-kafka';
import {
  collect,
  startService,
  testDatabase,
  testKafka,
  TEST_ENCRYPTION_KEYS,
  waitFor,
  waitForLagZero,
  waitForRequests,
  type RunningService,
  type TestDatabase,
} from '@mlc/platform-testing';
import { DEMO_ACCOUNTING, DEMO_WEBHOOK_TOPICS, openTestTenantConfig, type TenantConfigService } from '@mlc/tenants';

export const SERVICE_NAMES = ['audit-projector', 'mapper', 'shipbob-writer', 'fusion-writer', 'oracle-poller', 'webhook-gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const TENANT = 'acme';
export const OPERATOR_KEY = 'e2e-operator-key-0123456789abcdef';
export const SHIPBOB_WEBHOOK_SECRET = generateWebhookSecret();

/** The items, SKUs and fulfillment centers of the e2e world. */
export const WORLD = {
  items: [
    { item: 'SKU-TSHIRT-M', sku: 'SB-TSHIRT-M' },
    { item: 'SKU-HOODIE-L', sku: 'SB-HOODIE-L' },
    { item: 'SKU-MUG', sku: 'SB-MUG' },
  ],
  unmappedItem: 'SKU-UNMAPPED-1',
  locations: [
    { code: 'SHIPBOB-RENO', fc: 8 },
    { code: 'SHIPBOB-DALLAS', fc: 10 },
  ],
} as const;

/** The world's ship-to locations as Fusion holds them, with full addresses (ShipBob needs a recipient address). */
export const SHIP_TO_LOCATIONS = WORLD.locations.map((l, i) => ({
  LocationCode: l.code,
  OrganizationCode: l.code.slice(-3),
  AddressLine1: `${100 + i} Warehouse Way`,
  TownOrCity: i === 0 ? 'Reno' : 'Dallas',
  Region2: i === 0 ? 'NV' : 'TX',
  PostalCode: i === 0 ? '89501' : '75201',
  Country: 'US',
}));

export interface Watch<T extends TopicName> {
  values(): TopicRecords[T][];
  messages(): KafkaMessage[];
  /** Resolves once every record now on the topic is in values() (a barrier before "nothing else came"). */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/** Consumer groups (as the services name them, before the run's suffix) and the topics they read. */
export type Groups = Record<string, readonly TopicName[]>;
/** Fusion POs → mapper → shipbob-writer. */
export const PO_PIPELINE: Groups = {
  'mapper.purchase-orders': ['erp.purchase-order.changed.v1'],
  'shipbob-writer.orders': ['fulfilment.shipbob-order.requested.v1'],
};
/** Shopify webhooks (and the sweep's) → mapper → fusion-writer (receivables, then the Shopify write-back). */
export const SHOPIFY_PIPELINE: Groups = {
  'mapper.shopify': ['shopify.webhook.received.v1'],
  'fusion-writer.receivables': ['accounting.fusion-receivables.requested.v1'],
  'fusion-writer.shopify-write-back': ['accounting.fusion-receivables.synced.v1'],
};
/** ShipBob webhooks and writer outcomes → mapper's shipments → fusion-writer (ASNs, receipts, closes). */
export const SHIPMENTS_PIPELINE: Groups = {
  'mapper.shipments': [
    'shipbob.webhook.received.v1',
    'fulfilment.shipbob-order.requested.v1',
    'fulfilment.shipbob-order.synced.v1',
    'fulfilment.fusion-po.updated.v1',
  ],
  'fusion-writer.purchase-orders': ['fulfilment.fusion-po-update.requested.v1'],
};

/**
 * The whole product on one machine for end-to-end tests: real Kafka (per-run topic suffix), a fresh Postgres
 * database, the three partner sandboxes in-process on free ports, tenant `acme` configured against them, and the
 * six services as real processes.
 */
export class System {
  readonly codec = new AvroCodec();
  readonly services = new Map<ServiceName, RunningService>();
  private readonly watches: Watch<TopicName>[] = [];

  private constructor(
    readonly kafka: Kafka,
    readonly suffix: string,
    readonly db: TestDatabase,
    readonly ds: DataSource,
    readonly tenants: TenantConfigService,
    readonly fusion: FusionSandbox,
    readonly shipbob: ShipbobSandbox,
    readonly shopify: ShopifySandbox,
    readonly shipbobPat: string,
    readonly channelId: number,
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async start(label: string, opts: { services?: readonly ServiceName[]; env?: Record<string, string> } = {}): Promise<System> {
    const { kafka, suffix } = await testKafka(label);
    const db = await testDatabase(label.replace(/[^a-z0-9]/gi, '_'));
    const { ds, tenants } = await openTestTenantConfig(db.url, TEST_ENCRYPTION_KEYS, { snapshotCacheTtlMs: 0 });

    // Receipts and ASNs stay PENDING for 1.5 s (sandbox clock) like a pod's receiving processor: the writer reads them back.
    const fusion = new FusionSandbox({ seed: 7, receiptProcessingDelayMs: 1_500 });
    await fusion.listen();
    const shipbob = new ShipbobSandbox({ webhookTimeScale: 1000, webhookMinTimeoutMs: 3_000 });
    const seeded = shipbob.seedData({
      products: WORLD.items.map((i) => ({ sku: i.sku, name: i.item, on_hand_qty: 10_000 })),
      fulfillmentCenters: WORLD.locations.map((l) => ({ id: l.fc, name: l.code })),
    });
    await shipbob.listen();
    const shopify = new ShopifySandbox({ webhookMinTimeoutMs: 3_000 });
    await shopify.listen();

    const system = new System(kafka, suffix, db, ds, tenants, fusion, shipbob, shopify, seeded.pat, seeded.channel.id, opts.env ?? {});
    try {
      await system.seedTenant();
      for (const name of opts.services ?? SERVICE_NAMES) await system.startService(name);
      if (system.services.has('webhook-gateway')) await system.subscribeWebhooks();
    } catch (err) {
      await system.close().catch(() => undefined);
      throw err;
    }
    return system;
  }

  private async seedTenant(): Promise<void> {
    const t = this.tenants;
    await t.createTenant(
      {
        id: TENANT,
        name: 'Acme Outdoor',
        settings: {
          pollingIntervalsMs: { purchaseOrdersMs: 1_000, receiptsMs: 2_000, shipbobOrdersMs: 2_000, shopifyOrdersMs: 2_000 },
          accounting: DEMO_ACCOUNTING,
        },
      },
      'e2e',
    );
    await t.setConnection(
      TENANT,
      {
        partner: 'fusion',
        baseUrl: this.fusion.url,
        auth: { type: 'basic', username: this.fusion.options.basicUser, password: this.fusion.options.basicPassword },
      },
      'e2e',
    );
    await t.setConnection(
      TENANT,
      {
        partner: 'shipbob',
        baseUrl: this.shipbob.url,
        channelId: String(this.channelId),
        webhookSecrets: [SHIPBOB_WEBHOOK_SECRET],
        auth: { type: 'pat', token: this.shipbobPat },
      },
      'e2e',
    );
    await t.setConnection(
      TENANT,
      {
        partner: 'shopify',
        baseUrl: this.shopify.url,
        shopDomain: this.shopify.shopDomain,
        apiVersion: '2026-10',
        webhookSecrets: [this.shopify.clientSecret],
        auth: { type: 'client-credentials', clientId: this.shopify.clientId, clientSecret: this.shopify.clientSecret },
      },
      'e2e',
    );
    for (const i of WORLD.items) await t.setMapping(TENANT, 'item-product', i.item, { shipbobSku: i.sku }, 'e2e');
    for (const l of WORLD.locations) await t.setMapping(TENANT, 'ship-to-fc', l.code, { fulfillmentCenterId: l.fc }, 'e2e');
  }

  env(): Record<string, string> {
    return {
      DATABASE_URL: this.db.url,
      KAFKA_TOPIC_SUFFIX: this.suffix,
      // Consumer groups of this run only: a group shared with another run (or the `npm start` stack) on the same
      // broker gets partitions of our topics assigned to members that never read them.
      KAFKA_GROUP_ID_SUFFIX: this.suffix,
      TENANT_CACHE_TTL_MS: '500',
      MLC_OPERATOR_API_KEYS: `${OPERATOR_KEY}:*`,
      LOG_LEVEL: 'warn',
      // The sandbox seeds POs with "history" stamps up to a few minutes in the past (late commits): re-read far enough.
      POLLER_OVERLAP_MS: '900000',
      ...this.extraEnv,
    };
  }

  async startService(name: ServiceName, env: Record<string, string> = {}): Promise<RunningService> {
    const s = await startService(name, { ...this.env(), ...env });
    this.services.set(name, s);
    return s;
  }

  service(name: ServiceName): RunningService {
    const s = this.services.get(name);
    if (!s) throw new Error(`${name} is not running`);
    return s;
  }

  /** Kills a service (SIGKILL by default: no graceful anything) and starts it again on the same database/topics. */
  async restart(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<RunningService> {
    await this.services.get(name)?.stop(signal);
    return this.startService(name);
  }

  async subscribeWebhooks(): Promise<void> {
    const gateway = this.service('webhook-gateway').url;
    const res = await fetch(`${this.shipbob.url}/2026-01/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.shipbobPat}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        topics: DEMO_WEBHOOK_TOPICS.shipbob,
        url: `${gateway}/webhooks/shipbob/${TENANT}`,
        secret: SHIPBOB_WEBHOOK_SECRET,
      }),
    });
    if (!res.ok) throw new Error(`ShipBob webhook subscription failed: ${res.status} ${await res.text()}`);
    for (const topic of ['orders/create', 'orders/updated', 'orders/paid', 'refunds/create', 'customers/create', 'customers/update']) {
      this.shopify.subscribe({ topic, uri: `${gateway}/webhooks/shopify/${TENANT}` });
    }
  }

  /** Every record of a topic from the beginning, decoded (for assertions). */
  async watch<T extends TopicName>(topic: T): Promise<Watch<T>> {
    const c = await collect(this.kafka, topicName(topic, this.suffix));
    const w: Watch<T> = {
      values: () => c.messages.map((m) => this.codec.decodeFor(topic, m.value!).value),
      messages: () => c.messages,
      caughtUp: () => c.caughtUp({ timeoutMs: 60_000 }),
      stop: () => c.stop(),
    };
    this.watches.push(w as unknown as Watch<TopicName>);
    return w;
  }

  /**
   * Barrier for "and nothing else happens": each group has handled (committed) every record now on its topics, in the
   * order given (a pipeline: each stage publishes before it commits, so the next stage's records are there by then).
   */
  async handled(...pipelines: Groups[]): Promise<void> {
    for (const groups of pipelines)
      for (const [group, topics] of Object.entries(groups))
        await waitForLagZero(
          this.kafka,
          `${group}${this.suffix}`,
          topics.map((t) => topicName(t, this.suffix)),
          { timeoutMs: 90_000 },
        );
  }

  /** Barrier: `count` more polls of a Fusion collection began after this call (so one whole poll cycle ran after it). */
  async fusionPolled(resource = 'purchaseOrders', count = 2): Promise<void> {
    await waitForRequests(
      this.fusion,
      (r) => r.method === 'GET' && r.path.endsWith(`/${resource}`) && r.status === 200 && /[?&]offset=0(&|$)/.test(r.query),
      count,
      { timeoutMs: 60_000, what: `${count} more polls of ${resource}` },
    );
  }

  /** Barrier: `count` more Shopify sweeps (first pages of OrderVersionsUpdatedSince) began after this call. */
  async shopifySwept(count = 2): Promise<void> {
    const firstPages = () => this.shopify.graphqlLog.filter((e) => e.operation === 'OrderVersionsUpdatedSince' && !e.variables['after']).length;
    const from = firstPages();
    await waitFor(() => firstPages() >= from + count, { timeoutMs: 60_000, what: `${count} more Shopify sweeps` });
  }

  /** Barrier: `count` more ShipBob sweeps (first pages of `GET /order` by update window) were answered after this call. */
  async shipbobSwept(count = 2): Promise<void> {
    await waitForRequests(
      this.shipbob,
      (r) => r.method === 'GET' && r.path.endsWith('/order') && r.status === 200 && /[?&]Page=1(&|$)/.test(r.query) && /LastUpdateStartDate=/.test(r.query),
      count,
      { timeoutMs: 120_000, what: `${count} more ShipBob sweeps` },
    );
  }

  /** The partitions a service's consumers hold right now (a paused flow), from its readiness details. */
  async held(name: ServiceName): Promise<string[]> {
    const body = (await (await fetch(`${this.service(name).url}/health/ready`)).json()) as { details?: { consumers?: { held?: string[] } } };
    return body.details?.consumers?.held ?? [];
  }

  async operator(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.service('audit-projector').url}${path}`, {
      method,
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** ShipBob orders created in the sandbox for this channel. */
  shipbobOrders(): ShipbobSandbox['orders'] {
    return this.shipbob.orders;
  }

  /** The last lines each service logged (printed by close() when E2E_LOGS=1, for debugging a failed run). */
  logs(lines = 40): string {
    return [...this.services.values()].map((s) => `--- ${s.name}\n${s.output().split('\n').slice(-lines).join('\n')}`).join('\n');
  }

  async close(): Promise<void> {
    if (process.env['E2E_LOGS'] === '1') process.stderr.write(this.logs() + '\n');
    await Promise.allSettled(this.watches.map((w) => w.stop()));
    await Promise.allSettled([...this.services.values()].map((s) => s.stop()));
    await Promise.allSettled([this.fusion.close(), this.shipbob.close(), this.shopify.close()]);
    if (this.ds.isInitialized) await this.ds.destroy();
    await this.db.drop();
  }
}

export { waitFor };
