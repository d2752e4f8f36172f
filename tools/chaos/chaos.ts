// The chaos run (`npm run chaos`, and a small preset in test/chaos/chaos.e2e.spec.ts): the whole product on its own
// three-broker cluster and its own PostgreSQL, two replicas of every service, three tenants set up through the admin
// API; PO lines and webhooks fed in while replicas are SIGKILLed, a broker restarts, a partner is down and PostgreSQL
// restarts. Then it waits for the drain and counts: every input must end in a partner write or an open exception
// (lost = 0), and no partner document may be created twice (duplicates = 0).
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { FusionSandbox, type PurchaseOrder } from '@mlc/partners-fusion-simulator';
import { generateWebhookSecret, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox, type SimOrder } from '@mlc/partners-shopify-simulator';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';
import { migrateTestDatabase, REPO_ROOT, startService, type RunningService } from '@mlc/platform-testing';
import { DEMO_ACCOUNTING } from '@mlc/tenants';
import { checkAudit, explainLosses, stageCounts, webhooksRetrying, type AuditCheck, type LossExplanation, type MissingInput } from './evidence';
import { CLUSTER_TOPICS, LocalCluster, LocalPostgres } from './infra';
import { formatReport } from './report';
import { ReplicaProxy } from './proxy';

export const SERVICES = ['audit-projector', 'mapper', 'shipbob-writer', 'fusion-writer', 'oracle-poller', 'webhook-gateway'] as const;
type ServiceName = (typeof SERVICES)[number];

export interface ChaosOptions {
  poLines: number;
  webhooks: number;
  killEveryMs: number;
  /** Multiplies the partner outage (2 minutes at 1) and the fault schedule. */
  timeScale: number;
  /** How long the run waits without progress before it counts what is still missing as lost. */
  drainIdleMs: number;
  /** How long the count waits for audit-projector to catch up before it compares audit entries with events. */
  auditWaitMs: number;
  replicas: number;
  tenants: number;
  /** Where the run keeps its cluster and PostgreSQL (fresh each run). */
  dir: string;
  kafkaPortBase: number;
  pgPort: number;
  log: (msg: string) => void;
}

/** Sizes of `npm run chaos` (CHAOS_PRESET=short for the one in `npm test`); every figure can be set through env. */
export function chaosOptions(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  const short = env['CHAOS_PRESET'] === 'short';
  const num = (key: string, dflt: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`${key} must be a positive number, got ${raw}`);
    return n;
  };
  return {
    poLines: num('CHAOS_PO_LINES', short ? 300 : 10_000),
    webhooks: num('CHAOS_WEBHOOKS', short ? 300 : 10_000),
    killEveryMs: num('CHAOS_KILL_EVERY_MS', short ? 3_000 : 10_000),
    timeScale: num('CHAOS_TIME_SCALE', short ? 10_000 / 120_000 : 1),
    drainIdleMs: num('CHAOS_DRAIN_IDLE_MS', short ? 60_000 : 180_000),
    auditWaitMs: num('CHAOS_AUDIT_WAIT_MS', 120_000),
    replicas: num('CHAOS_REPLICAS', 2),
    tenants: num('CHAOS_TENANTS', 3),
    dir: env['CHAOS_DIR'] ?? join(REPO_ROOT, '.local/chaos'),
    kafkaPortBase: num('CHAOS_KAFKA_PORT_BASE', 29092),
    pgPort: num('CHAOS_PG_PORT', 25432),
    log: (msg) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`),
  };
}

export interface ChaosReport {
  inputs: { poLines: number; shipbobWebhooks: number; shopifyOrders: number; total: number };
  outcomes: { partnerWrites: number; openExceptions: number };
  lost: number;
  /** Up to 20 lost inputs, each with the reason the run's evidence gives. */
  lostSamples: string[];
  /** Lost inputs by the first stage that never saw them. */
  lostByStage: LossExplanation['byStage'];
  duplicateSamples: string[];
  duplicates: { shipbobOrders: number; fusionReceipts: number; fusionInvoices: number; fusionCreditMemos: number; total: number };
  /** Counted once audit-projector caught up (lag 0, or the wait ran out: `lag` > 0). */
  audit: AuditCheck;
  /** `crashes`: replicas that exited by themselves (and were started again). */
  faults: { kills: number; crashes: number; brokerRestarts: number; partnerOutageMs: number; postgresRestarts: number };
  drainMs: number;
  totalMs: number;
}

const ITEMS = [
  { item: 'SKU-TSHIRT-M', sku: 'SB-TSHIRT-M' },
  { item: 'SKU-HOODIE-L', sku: 'SB-HOODIE-L' },
  { item: 'SKU-MUG', sku: 'SB-MUG' },
];
const LOCATIONS = [
  { code: 'SHIPBOB-RENO', fc: 8, town: 'Reno', region: 'NV', zip: '89501' },
  { code: 'SHIPBOB-DALLAS', fc: 10, town: 'Dallas', region: 'TX', zip: '75201' },
];
const SHOP_PRODUCTS = [
  { sku: 'MLC-TSHIRT-M', title: 'Logo T-Shirt - M', price: '25.00' },
  { sku: 'MLC-MUG', title: 'Enamel Mug', price: '18.00' },
];
const OPERATOR_KEY = 'chaos-operator-key-0123456789abcdef';
const ENCRYPTION_KEYS = 'chaos1:bWwtY29ubmVjdG9yLWNoYW9zLWtleS0zMi1ieXRlcyE=';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One tenant's partner systems and what was fed into them. */
interface TenantWorld {
  id: string;
  fusion: FusionSandbox;
  shipbob: ShipbobSandbox;
  shopify: ShopifySandbox;
  shipbobPat: string;
  channelId: number;
  shipbobSecret: string;
  pos: PurchaseOrder[];
  shopifyOrders: SimOrder[];
  /** reference ids whose shipment ran shipped → delivered (one ShipBob webhook input each: shipped and delivered). */
  delivered: Set<string>;
}

interface Replica {
  id: string;
  name: ServiceName;
  proc?: RunningService;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  // Everything the run leaves to read afterwards: each replica's output, the run's own lines, the report.
  const logs = join(options.dir, 'logs');
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const o: ChaosOptions = {
    ...options,
    log: (msg) => {
      options.log(msg);
      appendFileSync(join(logs, 'chaos.log'), `[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
    },
  };
  /** Writes a replica process's output once (when it exits, or at the end of the run for those still running). */
  const saved = new WeakSet<RunningService>();
  const saveLog = (id: string, proc: RunningService): void => {
    if (saved.has(proc)) return;
    saved.add(proc);
    appendFileSync(join(logs, `${id}.log`), proc.output());
  };
  const cluster = new LocalCluster(join(o.dir, 'cluster'), o.kafkaPortBase);
  const pg = new LocalPostgres(join(o.dir, 'pg'), o.pgPort);
  const worlds: TenantWorld[] = [];
  const replicas: Replica[] = [];
  const proxies = new Map<ServiceName, ReplicaProxy>(SERVICES.map((s) => [s, new ReplicaProxy(s)]));
  const faults = { kills: 0, crashes: 0, brokerRestarts: 0, partnerOutageMs: 0, postgresRestarts: 0 };
  let stopping = false;
  try {
    o.log(`infrastructure: three brokers on ${o.kafkaPortBase}-${o.kafkaPortBase + 2}, PostgreSQL on ${o.pgPort} (${o.dir})`);
    await Promise.all([cluster.upFresh(), pg.upFresh('chaos')]);
    const kafka = createKafka({ brokers: cluster.brokers, clientId: 'chaos' });
    await ensureTopics(kafka, { partitions: CLUSTER_TOPICS.partitions, replicationFactor: CLUSTER_TOPICS.replicationFactor });
    const dbUrl = pg.url('chaos');
    await migrateTestDatabase(dbUrl);
    for (const p of proxies.values()) await p.listen();

    const env: Record<string, string> = {
      KAFKA_BROKERS: cluster.brokers.join(','),
      DATABASE_URL: dbUrl,
      MLC_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
      MLC_OPERATOR_API_KEYS: `${OPERATOR_KEY}:*`,
      TENANT_CACHE_TTL_MS: '2000',
      LOG_LEVEL: process.env['CHAOS_LOG_LEVEL'] ?? 'warn',
      POLLER_OVERLAP_MS: '900000',
      // A killed replica's partitions move to the other one after this, not after the default 30 s.
      KAFKA_SESSION_TIMEOUT_MS: process.env['KAFKA_SESSION_TIMEOUT_MS'] ?? '10000',
    };
    const restarts: Promise<void>[] = [];
    // At most two processes boot at a time: a dozen Nest services booting at once on two cores all miss their deadline.
    let booting = 0;
    const waiting: Array<() => void> = [];
    const startSlot = async <T>(fn: () => Promise<T>): Promise<T> => {
      if (booting >= 2) await new Promise<void>((r) => waiting.push(r));
      booting++;
      try {
        return await fn();
      } finally {
        booting--;
        waiting.shift()?.();
      }
    };
    /** Starts a replica (again on a port race) and, like Kubernetes, starts it again when it exits by itself. */
    const startReplica = async (r: Replica): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          r.proc = await startSlot(() => startService(r.name, env));
          break;
        } catch (err) {
          if (attempt >= 3 || stopping) throw err;
          o.log(`start of ${r.id} failed (attempt ${attempt}), again: ${(err as Error).message.split('\n').slice(0, 2).join(' ').slice(0, 300)}`);
        }
      }
      const proc = r.proc;
      proxies.get(r.name)!.set(r.id, Number(new URL(proc.url).port));
      proc.child.once('exit', (code, signal) => {
        saveLog(r.id, proc);
        if (stopping || r.proc !== proc) return;
        faults.crashes++;
        const last = proc.output().trimEnd().split('\n').slice(-6).join('\n    ');
        o.log(`${r.id} exited by itself (${code ?? signal}); its last lines (all in ${join(logs, `${r.id}.log`)}):\n    ${last}`);
        proxies.get(r.name)!.set(r.id, undefined);
        r.proc = undefined;
        restarts.push(startReplica(r).catch((err: Error) => o.log(`restart of ${r.id} failed: ${err.message.slice(0, 500)}`)));
      });
    };
    for (const name of SERVICES) for (let i = 1; i <= o.replicas; i++) replicas.push({ id: `${name}#${i}`, name });
    o.log(`starting ${replicas.length} service processes (${o.replicas} replicas of each service)`);
    await Promise.all(replicas.map(startReplica));

    // ---- tenants, set up as a customer would: sandboxes are their partner systems, the admin API configures them
    const admin = proxies.get('audit-projector')!.url;
    const gateway = proxies.get('webhook-gateway')!.url;
    for (let t = 0; t < o.tenants; t++) worlds.push(await openTenant(`chaos${t + 1}`, t, admin, gateway));
    o.log(`${worlds.length} tenants configured through the admin API`);

    // ---- load and faults
    const perTenantLines = Math.ceil(o.poLines / o.tenants);
    const shopifyOrders = Math.ceil(o.webhooks / 2 / o.tenants);
    const deliveries = Math.min(Math.ceil(o.webhooks / 4 / o.tenants), perTenantLines);
    const feedMs = Math.max(20_000, 60_000 * o.timeScale);
    const outageMs = Math.round(120_000 * o.timeScale);
    const loadStart = Date.now();
    let stopRequested = false;
    const faultLoop = (async () => {
      const at = (ms: number) => loadStart + ms;
      const schedule = [
        { at: at(feedMs * 0.25), what: 'broker', done: false },
        { at: at(feedMs * 0.4), what: 'outage', done: false },
        { at: at(feedMs * 0.7), what: 'postgres', done: false },
      ];
      let nextKill = Date.now() + o.killEveryMs;
      while (!stopping) {
        const now = Date.now();
        for (const f of schedule.filter((s) => !s.done && s.at <= now)) {
          f.done = true;
          if (f.what === 'broker') {
            o.log('fault: restarting broker 2');
            faults.brokerRestarts++;
            restarts.push(
              cluster.restartBroker(2).then(
                () => o.log('broker 2 is back'),
                (err: Error) => o.log(`broker 2 restart failed: ${err.message.slice(0, 500)}`),
              ),
            );
          } else if (f.what === 'outage') {
            o.log(`fault: ShipBob down (503) for ${Math.round(outageMs / 1000)} s at every tenant`);
            for (const w of worlds) w.shipbob.faults = { ...w.shipbob.faults, outageFrom: Date.now(), outageUntil: Date.now() + outageMs };
            faults.partnerOutageMs = outageMs;
          } else {
            o.log('fault: restarting PostgreSQL');
            pg.restart();
            faults.postgresRestarts++;
          }
        }
        if (Date.now() >= nextKill) {
          nextKill = Date.now() + o.killEveryMs;
          const up = (r: Replica) => !!r.proc && r.proc.child.exitCode === null;
          // Like a PodDisruptionBudget of minAvailable 1: the victim's service keeps another replica running.
          const live = replicas.filter((r) => up(r) && replicas.some((x) => x !== r && x.name === r.name && up(x)));
          const victim = live[Math.floor(Math.random() * live.length)];
          if (victim) {
            o.log(`fault: SIGKILL ${victim.id}`);
            proxies.get(victim.name)!.set(victim.id, undefined);
            const proc = victim.proc!;
            victim.proc = undefined;
            faults.kills++;
            restarts.push(
              proc
                .stop('SIGKILL')
                .then(() => startReplica(victim))
                .catch((err: Error) => o.log(`restart of ${victim.id} failed: ${err.message.slice(0, 500)}`)),
            );
          }
        }
        if (schedule.every((s) => s.done) && Date.now() > loadStart + feedMs + outageMs * 0.5 && stopRequested) break;
        await sleep(200);
      }
      // Replicas still booting are not waited for: the count needs the partners and PostgreSQL, not the services.
    })();

    // PO lines (one line per PO) and Shopify orders: fed in slices over the feed time, so they flow while the faults
    // happen, and in small steps: the sandboxes answer the services from this process's event loop.
    const slices = 30;
    const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
    for (let s = 0; s < slices; s++) {
      const sliceStart = Date.now();
      for (const w of worlds) {
        const count = Math.round((perTenantLines * (s + 1)) / slices) - Math.round((perTenantLines * s) / slices);
        for (let done = 0; done < count; done += 25) {
          w.pos.push(
            ...w.fusion.seedPurchaseOrders({
              count: Math.min(25, count - done),
              linesPerPo: 1,
              seed: 1000 + s * 1000 + done,
              historySpacingMs: 10,
              suppliers: ['Acme Components'],
              locations: LOCATIONS.map((l) => ({
                LocationCode: l.code,
                AddressLine1: '100 Warehouse Way',
                TownOrCity: l.town,
                Region2: l.region,
                PostalCode: l.zip,
                Country: 'US',
              })),
              items: ITEMS.map((i) => ({ Item: i.item, UOM: 'Each' })),
            }),
          );
          await yieldLoop();
        }
        // Shopify orders: each one orders/create (and customers/create for its customer).
        const target = Math.round((shopifyOrders * (s + 1)) / slices);
        while (w.shopifyOrders.length < target) {
          w.shopifyOrders.push(newShopifyOrder(w));
          if (w.shopifyOrders.length % 10 === 0) await yieldLoop();
        }
      }
      // ShipBob deliveries for orders that exist by now (shipped + delivered webhooks).
      for (const w of worlds) {
        deliver(w, Math.ceil((deliveries * (s + 1)) / slices));
        await yieldLoop();
      }
      await sleep(Math.max(0, feedMs / slices - (Date.now() - sliceStart)));
    }
    o.log(
      `fed: ${worlds.reduce((n, w) => n + w.pos.reduce((m, p) => m + p.lines.length, 0), 0)} PO lines, ${worlds.reduce((n, w) => n + w.shopifyOrders.length, 0)} Shopify orders`,
    );
    // The remaining deliveries as the orders appear (they need the ShipBob order first).
    const drainStart = Date.now();
    let last = -1;
    let lastProgress = Date.now();
    let lastLine = 0;
    let report = count(worlds);
    /** What is outstanding per stage (in memory, and one count per stage table), every 30 s of the drain. */
    const progressLine = async (outstanding: number): Promise<string> => {
      const by = { 'po-line': 0, 'shipbob-delivery': 0, 'shopify-order': 0 };
      for (const m of report.missing) by[m.input.kind]++;
      const notStarted = worlds.reduce((n, w) => n + Math.max(0, deliveries - w.delivered.size), 0);
      const hooks = webhooksRetrying(worlds);
      const c = new Client({ connectionString: dbUrl });
      let tables: string;
      try {
        await c.connect();
        tables = await stageCounts(c);
      } catch (err) {
        tables = `stage tables unreadable now (${(err as Error).message.slice(0, 100)})`;
      } finally {
        await c.end().catch(() => undefined);
      }
      return [
        `progress: ${report.done} inputs with a partner write, ${outstanding} outstanding:`,
        `PO lines without a ShipBob order ${by['po-line']}, deliveries without a Fusion receipt ${by['shipbob-delivery']} (not started yet ${notStarted}),`,
        `Shopify orders without an invoice ${by['shopify-order']}; webhooks being retried: Shopify ${hooks.shopify}, ShipBob ${hooks.shipbob};`,
        `Shopify subscriptions deleted ${hooks.shopifySubscriptionsDeleted}; ${tables}`,
      ].join(' ');
    };
    for (;;) {
      for (const w of worlds) deliver(w, deliveries);
      report = count(worlds);
      const outstanding = report.missing.length + worlds.reduce((n, w) => n + Math.max(0, deliveries - w.delivered.size), 0);
      const doneCount = report.done;
      if (doneCount !== last) {
        last = doneCount;
        lastProgress = Date.now();
      }
      if (Date.now() - lastLine >= 30_000) {
        lastLine = Date.now();
        o.log(await progressLine(outstanding));
      }
      if (outstanding === 0 && Date.now() > loadStart + feedMs + outageMs) break;
      if (Date.now() - lastProgress > o.drainIdleMs) {
        o.log(`no progress for ${o.drainIdleMs / 1000} s: counting what is missing`);
        break;
      }
      await sleep(2_000);
    }
    stopRequested = true;
    await faultLoop;
    stopping = true;
    // Open exceptions answer for the inputs with no partner write.
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    const drainMs = Date.now() - drainStart;
    const lost: Missing[] = [];
    let excused = 0;
    let explained: LossExplanation;
    let audit: AuditCheck;
    try {
      const exceptions: Array<{ tenant_id: string; business_id: string; reason: string; code: string }> = (
        await db.query(`SELECT tenant_id, business_id, reason, code FROM audit_exceptions WHERE status = 'open'`)
      ).rows;
      for (const m of report.missing) {
        const hit = exceptions.some((e) => e.tenant_id === m.tenant && m.keys.some((k) => e.business_id.includes(k) || e.reason.includes(k)));
        if (hit) excused++;
        else lost.push(m);
      }
      explained = await explainLosses(
        db,
        worlds,
        lost.map((m) => m.input),
      ).catch((err: Error) => {
        o.log(`the evidence of the lost inputs could not be read: ${err.message}`);
        return { byStage: [], samples: lost.slice(0, 20).map((m) => `${m.tenant} ${m.what}`) };
      });
      // Replicas are still running: audit-projector gets up to AUDIT_WAIT_MS to project what is on the topics.
      audit = await checkAudit(kafka, db, o.auditWaitMs, o.log);
    } finally {
      await db.end();
    }
    const result: ChaosReport = {
      inputs: {
        poLines: report.inputs.poLines,
        shipbobWebhooks: report.inputs.shipbobWebhooks,
        shopifyOrders: report.inputs.shopifyOrders,
        total: report.inputs.total,
      },
      outcomes: { partnerWrites: report.done, openExceptions: excused },
      lost: lost.length,
      lostSamples: explained.samples,
      lostByStage: explained.byStage,
      duplicateSamples: report.duplicateSamples,
      duplicates: report.duplicates,
      audit,
      faults,
      drainMs,
      totalMs: Date.now() - t0,
    };
    writeFileSync(join(logs, 'report.txt'), `${formatReport(result)}\n`);
    return result;
  } catch (err) {
    o.log(`the run failed: ${(err as Error).stack ?? String(err)}`);
    throw err;
  } finally {
    stopping = true;
    await Promise.allSettled(
      replicas.map(async (r) => {
        const proc = r.proc;
        if (!proc) return;
        await proc.stop('SIGKILL');
        saveLog(r.id, proc);
      }),
    );
    await Promise.allSettled([...proxies.values()].map((p) => p.close()));
    await Promise.allSettled(worlds.flatMap((w) => [w.fusion.close(), w.shipbob.close(), w.shopify.close()]));
    if (process.env['CHAOS_KEEP'] !== '1') {
      // Its data is purged by the next run's start: the brokers are killed at once rather than stopped one by one (~55 s).
      await cluster.kill().catch((err: Error) => o.log(err.message));
      try {
        pg.stop();
      } catch (err) {
        o.log((err as Error).message);
      }
    }
  }

  async function openTenant(id: string, run: number, admin: string, gateway: string): Promise<TenantWorld> {
    const fusion = new FusionSandbox({ seed: 7 + run, run });
    await fusion.listen();
    const shipbob = new ShipbobSandbox({
      seed: 3 + run,
      run,
      webhookTimeScale: 1000,
      webhookMinTimeoutMs: 5_000,
      rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
    });
    const seeded = shipbob.seedData({
      products: ITEMS.map((i) => ({ sku: i.sku, name: i.item, on_hand_qty: 10_000_000 })),
      fulfillmentCenters: LOCATIONS.map((l) => ({ id: l.fc, name: l.code })),
    });
    await shipbob.listen();
    const shopify = new ShopifySandbox({ seed: 5 + run, run, webhookMinTimeoutMs: 5_000 });
    await shopify.listen();
    const w: TenantWorld = {
      id,
      fusion,
      shipbob,
      shopify,
      shipbobPat: seeded.pat,
      channelId: seeded.channel.id,
      shipbobSecret: generateWebhookSecret(),
      pos: [],
      shopifyOrders: [],
      delivered: new Set(),
    };
    const call = async (method: string, path: string, body: unknown): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${admin}${path}`, {
          method,
          headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).catch((err: Error) => err);
        if (!(res instanceof Error) && res.ok) return;
        const why = res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
        if (attempt >= 5 || (!(res instanceof Error) && res.status < 500)) throw new Error(`admin API ${method} ${path}: ${why}`);
        await sleep(1_000);
      }
    };
    await call('POST', '/admin/tenants', {
      id,
      name: `Chaos tenant ${run + 1}`,
      settings: {
        pollingIntervalsMs: { purchaseOrdersMs: 1_000, receiptsMs: 5_000, shipbobOrdersMs: 5_000, shopifyOrdersMs: 5_000 },
        accounting: DEMO_ACCOUNTING,
      },
    });
    await call('PUT', `/admin/tenants/${id}/connections/fusion`, {
      baseUrl: fusion.url,
      auth: { type: 'basic', username: fusion.options.basicUser, password: fusion.options.basicPassword },
    });
    await call('PUT', `/admin/tenants/${id}/connections/shipbob`, {
      baseUrl: shipbob.url,
      channelId: String(w.channelId),
      webhookSecrets: [w.shipbobSecret],
      auth: { type: 'pat', token: w.shipbobPat },
    });
    await call('PUT', `/admin/tenants/${id}/connections/shopify`, {
      baseUrl: shopify.url,
      shopDomain: shopify.shopDomain,
      apiVersion: '2026-10',
      webhookSecrets: [shopify.clientSecret],
      auth: { type: 'client-credentials', clientId: shopify.clientId, clientSecret: shopify.clientSecret },
    });
    for (const i of ITEMS) await call('PUT', `/admin/tenants/${id}/mappings/item-product/${i.item}`, { shipbobSku: i.sku });
    for (const l of LOCATIONS) await call('PUT', `/admin/tenants/${id}/mappings/ship-to-fc/${l.code}`, { fulfillmentCenterId: l.fc });
    // Webhooks at the partners, pointed at the gateway's one address (its replicas come and go behind it).
    const res = await fetch(`${shipbob.url}/2026-01/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.shipbobPat}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topics: ['order.shipped', 'order.shipment.delivered'], url: `${gateway}/webhooks/shipbob/${id}`, secret: w.shipbobSecret }),
    });
    if (!res.ok) throw new Error(`ShipBob webhook subscription failed: ${res.status} ${await res.text()}`);
    shopify.subscribe({ topic: 'orders/create', uri: `${gateway}/webhooks/shopify/${id}` });
    return w;
  }
}

let customerSeq = 0;
function newShopifyOrder(w: TenantWorld): SimOrder {
  customerSeq++;
  const customer = w.shopify.createCustomer({
    firstName: 'Ada',
    lastName: `Chaos ${customerSeq}`,
    email: `ada.chaos.${customerSeq}@example.com`,
    address: { address1: '150 Elgin St', city: 'Ottawa', province: 'Ontario', provinceCode: 'ON', country: 'Canada', countryCode: 'CA', zip: 'K1P 1J1' },
  });
  const p = SHOP_PRODUCTS[customerSeq % SHOP_PRODUCTS.length]!;
  return w.shopify.createOrder({ customerId: customer.id, lines: [{ sku: p.sku, title: p.title, price: p.price, quantity: 1 + (customerSeq % 3) }] });
}

/** Runs shipped → delivered on the first ShipBob orders of this tenant until `target` deliveries were started. */
function deliver(w: TenantWorld, target: number): void {
  for (const o of w.shipbob.orders) {
    if (w.delivered.size >= target) return;
    if (w.delivered.has(o.reference_id) || o.status === 'Cancelled') continue;
    const s = o.shipments[0];
    if (!s) continue;
    try {
      w.shipbob.runLifecycle(s.id);
      w.delivered.add(o.reference_id);
    } catch {
      // Not in a state the happy path can start from yet; tried again on the next pass.
    }
  }
}

interface Missing {
  tenant: string;
  what: string;
  /** Ids an open exception for this input would name (business id or message). */
  keys: string[];
  /** The ids its evidence is looked up by (evidence.ts). */
  input: MissingInput;
}

/** Inputs, their partner writes, and partner documents created more than once, across every tenant. */
function count(worlds: TenantWorld[]) {
  const missing: Missing[] = [];
  let done = 0;
  const inputs = { poLines: 0, shipbobWebhooks: 0, shopifyOrders: 0, total: 0 };
  const duplicates = { shipbobOrders: 0, fusionReceipts: 0, fusionInvoices: 0, fusionCreditMemos: 0, total: 0 };
  const duplicateSamples: string[] = [];
  const dupes = (keys: string[], what = ''): number => {
    const seen = new Set<string>();
    for (const k of keys)
      if (seen.has(k) && duplicateSamples.length < 20) duplicateSamples.push(`${what} ${k}`);
      else seen.add(k);
    return keys.length - new Set(keys).size;
  };
  for (const w of worlds) {
    const refs = w.shipbob.orders.map((o) => o.reference_id);
    duplicates.shipbobOrders += dupes(refs, `${w.id} ShipBob reference_id`);
    const byLine = new Set(refs.map((r) => r.replace(/-r\d+$/, '')));
    for (const po of w.pos)
      for (const l of po.lines) {
        inputs.poLines++;
        if (byLine.has(`po${po.POHeaderId}-l${l.POLineId}`)) done++;
        else
          missing.push({
            tenant: w.id,
            what: `PO ${po.POHeaderId} line ${l.POLineId}: no ShipBob order`,
            keys: [String(po.POHeaderId), String(po.OrderNumber)],
            input: { tenant: w.id, kind: 'po-line', poHeaderId: String(po.POHeaderId), lineId: String(l.POLineId) },
          });
      }
    const receipts = w.fusion.written.receipts.map((r) => `${String(r['OrderNumber'])}/${String(r['LineNumber'])}`);
    duplicates.fusionReceipts += dupes(receipts, `${w.id} Fusion receipt of PO line`);
    const received = new Set(receipts);
    const lines = new Map<string, string>(
      w.pos.flatMap((p) => p.lines.map((l) => [`po${p.POHeaderId}-l${l.POLineId}`, `${p.OrderNumber}/${l.LineNumber}`] as const)),
    );
    for (const ref of w.delivered) {
      inputs.shipbobWebhooks += 2;
      const line = lines.get(ref.replace(/-r\d+$/, ''));
      if (line && received.has(line)) done += 2;
      else
        missing.push({
          tenant: w.id,
          what: `ShipBob delivery of ${ref}: no Fusion receipt`,
          keys: [ref, ref.replace(/^po(\d+)-.*$/, '$1')],
          input: { tenant: w.id, kind: 'shipbob-delivery', referenceId: ref, poHeaderId: ref.replace(/^po(\d+)-.*$/, '$1') },
        });
    }
    const invoices = w.fusion.receivables.invoices.map((i) => String(i.fields['CrossReference']));
    duplicates.fusionInvoices += dupes(invoices, `${w.id} Fusion invoice CrossReference`);
    duplicates.fusionCreditMemos += dupes(
      w.fusion.receivables.creditMemos.map((c) => `${String(c.fields['PreviousCustomerTrxId'])}/${String(c.fields['CreditMemoComments'])}`),
    );
    const invoiced = new Set(invoices);
    for (const o of w.shopifyOrders) {
      inputs.shopifyOrders++;
      if (invoiced.has(String(o.id))) done++;
      else
        missing.push({
          tenant: w.id,
          what: `Shopify order ${o.id}: no Fusion invoice`,
          keys: [String(o.id)],
          input: { tenant: w.id, kind: 'shopify-order', orderId: String(o.id) },
        });
    }
  }
  inputs.total = inputs.poLines + inputs.shipbobWebhooks + inputs.shopifyOrders;
  duplicates.total = duplicates.shipbobOrders + duplicates.fusionReceipts + duplicates.fusionInvoices + duplicates.fusionCreditMemos;
  return { inputs, done, missing, duplicates, duplicateSamples };
}
