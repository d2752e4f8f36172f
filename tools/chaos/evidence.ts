// The chaos run's evidence: why each lost input is lost (the first stage of the pipeline that never saw it, read from
// the sandboxes' own records and the services' tables), what is still outstanding during the drain, and whether the
// audit trail holds an entry for every event once audit-projector has caught up.
import type { Client } from 'pg';
import type { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import type { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { TOPICS } from '@mlc/contracts';
import { headerString, type createKafka } from '@mlc/platform-kafka';

type Kafka = ReturnType<typeof createKafka>;

/** One input with no partner write, and the ids its evidence is looked up by. */
export type MissingInput =
  | { tenant: string; kind: 'po-line'; poHeaderId: string; lineId: string }
  | { tenant: string; kind: 'shipbob-delivery'; referenceId: string; poHeaderId: string }
  | { tenant: string; kind: 'shopify-order'; orderId: string };

/** What the evidence needs of one tenant's partner systems. */
export interface EvidenceWorld {
  id: string;
  shipbob: ShipbobSandbox;
  shopify: ShopifySandbox;
}

export interface LossExplanation {
  /** Stage (the first one that never saw the input) → inputs, most first. */
  byStage: Array<{ stage: string; count: number }>;
  /** Up to `samples` inputs with their one-line reason. */
  samples: string[];
}

interface WebhookTrail {
  /** Deliveries recorded by the sandbox (one per subscription and event). */
  deliveries: number;
  dropped: number;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  accepted: boolean;
  /** A delivery that used every attempt of the partner's retry schedule and never got a 2xx. */
  gaveUp: boolean;
}

function trail(
  ids: Array<{ id: string; dropped?: boolean }>,
  attemptsById: Map<string, Array<{ attempt: number; status: number; error?: string }>>,
  maxAttempts: number,
): WebhookTrail {
  const t: WebhookTrail = { deliveries: ids.length, dropped: 0, attempts: 0, accepted: false, gaveUp: false };
  for (const d of ids) {
    if (d.dropped) t.dropped++;
    const tries = attemptsById.get(d.id) ?? [];
    t.attempts += tries.length;
    const last = tries[tries.length - 1];
    if (last) {
      t.lastStatus = last.status;
      t.lastError = last.error;
    }
    if (tries.some((a) => a.status >= 200 && a.status < 300)) t.accepted = true;
    else if (last && last.attempt >= maxAttempts) t.gaveUp = true;
  }
  return t;
}

function describeTrail(what: string, t: WebhookTrail): string {
  if (!t.deliveries) return `no ${what} webhook sent by the sandbox`;
  const status = t.lastStatus === undefined ? '' : `, last HTTP ${t.lastStatus || (t.lastError ?? 'no answer').slice(0, 60)}`;
  const end = t.accepted ? 'accepted (2xx)' : t.gaveUp ? 'gave up after all retries' : t.dropped === t.deliveries ? 'dropped by the sandbox' : 'still retrying';
  return `${what} webhook ${t.attempts} attempts${status}, ${end}`;
}

const tally = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const key = (tenant: string, id: string) => `${tenant}|${id}`;

async function rows<T>(db: Client, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, params)).rows as T[];
}

/** The `tenant|id` keys of one query's rows: `sql` selects `tenant_id` and `id`, for the tenants in `$1`. */
async function keySet(db: Client, sql: string, tenants: string[]): Promise<Set<string>> {
  return new Set((await rows<{ tenant_id: string; id: string }>(db, sql, [tenants])).map((r) => key(r.tenant_id, r.id)));
}

/**
 * For every missing input, the first stage that never saw it, from the run's evidence: the partner sandbox's
 * deliveries and dispatcher attempts (and whether it deleted the subscription after 8 failed deliveries), the
 * gateway's ledger (gateway_deliveries), the poller's memory (poller_emitted), the mapper's tables and fusion-writer's.
 */
export async function explainLosses(db: Client, worlds: EvidenceWorld[], missing: MissingInput[], samples = 20): Promise<LossExplanation> {
  const stages = new Map<string, number>();
  const lines: string[] = [];
  const note = (stage: string, line: string) => {
    tally(stages, stage);
    if (lines.length < samples) lines.push(`${line}  [${stage}]`);
  };
  if (!missing.length) return { byStage: [], samples: [] };
  const byWorld = new Map(worlds.map((w) => [w.id, w]));
  const tenants = worlds.map((w) => w.id);

  // ---- Shopify orders: sandbox deliveries → gateway ledger → mapper_shopify_orders → fusion-writer waiting
  const shopMissing = missing.filter((m) => m.kind === 'shopify-order');
  if (shopMissing.length) {
    const ledger = await keySet(
      db,
      `SELECT DISTINCT tenant_id, split_part(record_key, '|', 3) AS id FROM gateway_deliveries
        WHERE partner = 'shopify' AND tenant_id = ANY($1) AND split_part(record_key, '|', 2) = 'order'`,
      tenants,
    );
    const mapped = await keySet(db, 'SELECT tenant_id, order_id AS id FROM mapper_shopify_orders WHERE tenant_id = ANY($1)', tenants);
    const waiting = new Map<string, { waits_for: string; kind: string; releases: number; deadline: Date }>();
    for (const r of await rows<{ tenant_id: string; shopify_order_id: string; waits_for: string; kind: string; releases: number; deadline: Date }>(
      db,
      `SELECT tenant_id, shopify_order_id, waits_for, kind, releases, deadline FROM fusion_writer_receivables_waiting
        WHERE released_at IS NULL AND tenant_id = ANY($1) AND shopify_order_id IS NOT NULL`,
      [tenants],
    ))
      waiting.set(key(r.tenant_id, r.shopify_order_id), r);
    const trails = new Map<string, { deleted: boolean; deliveries: Map<string, Array<{ id: string; dropped?: boolean }>> }>();
    for (const w of worlds) {
      const deliveries = new Map<string, Array<{ id: string; dropped?: boolean }>>();
      for (const d of w.shopify.deliveries) {
        if (d.topic !== 'orders/create') continue;
        const id = /^\{"id":(\d+)/.exec(d.body)?.[1];
        if (!id) continue;
        const list = deliveries.get(id) ?? [];
        list.push({ id: d.webhookId, dropped: d.dropped });
        deliveries.set(id, list);
      }
      const deleted = w.shopify.subscriptions.some((s) => s.topic === 'orders/create' && s.deleted);
      trails.set(w.id, { deleted, deliveries });
    }
    const attemptsByWorld = new Map(worlds.map((w) => [w.id, groupAttempts(w.shopify.dispatcher.attempts)]));
    for (const m of shopMissing) {
      const t = trails.get(m.tenant)!;
      const hook = trail(
        t.deliveries.get(m.orderId) ?? [],
        attemptsByWorld.get(m.tenant)!,
        byWorld.get(m.tenant)!.shopify.dispatcher.options.retryScheduleSec.length + 1,
      );
      const sub = t.deleted ? 'subscription deleted by the sandbox (8 failed deliveries)' : 'subscription live';
      const evidence = `${describeTrail('orders/create', hook)}; ${sub}`;
      const k = key(m.tenant, m.orderId);
      const head = `${m.tenant} Shopify order ${m.orderId}:`;
      if (!ledger.has(k)) {
        const why = hook.accepted ? 'webhook accepted' : hook.gaveUp ? 'webhook gave up' : hook.deliveries ? 'webhook still retrying' : 'no webhook';
        note(
          `shopify order: not in the gateway ledger (${why}${t.deleted ? ', subscription deleted' : ''}, no sweep)`,
          `${head} ${evidence}; not in gateway_deliveries`,
        );
      } else if (!mapped.has(k))
        note('shopify order: in the gateway ledger, not in mapper_shopify_orders', `${head} ${evidence}; in gateway_deliveries, not in mapper_shopify_orders`);
      else if (waiting.has(k)) {
        const wt = waiting.get(k)!;
        note(
          `shopify order: fusion-writer waiting (${wt.kind} waits for ${wt.waits_for.replace(/[:|].*$/, '')})`,
          `${head} in mapper_shopify_orders; fusion-writer waiting: ${wt.kind} waits for ${wt.waits_for} (released ${wt.releases}x, deadline ${wt.deadline.toISOString()})`,
        );
      } else
        note(
          'shopify order: in mapper_shopify_orders, not waiting, no Fusion invoice',
          `${head} ${evidence}; in mapper_shopify_orders, not waiting in fusion-writer, no invoice`,
        );
    }
  }

  // ---- PO lines: poller_emitted → mapper_po_orders → ShipBob create requests
  const poMissing = missing.filter((m) => m.kind === 'po-line');
  if (poMissing.length) {
    const emitted = await keySet(db, `SELECT tenant_id, entity_id AS id FROM poller_emitted WHERE feed = 'purchase-orders' AND tenant_id = ANY($1)`, tenants);
    const mapped = new Map<string, { reference_id: string; state: string }>();
    for (const r of await rows<{ tenant_id: string; po_header_id: string; reference_id: string; state: string; line_ids: string[] }>(
      db,
      'SELECT tenant_id, po_header_id, reference_id, state, line_ids FROM mapper_po_orders WHERE tenant_id = ANY($1)',
      [tenants],
    ))
      for (const l of r.line_ids) mapped.set(key(r.tenant_id, `${r.po_header_id}/${l}`), r);
    const creates = new Map<string, Map<string, number[]>>();
    for (const w of worlds) {
      const byRef = new Map<string, number[]>();
      for (const r of w.shipbob.requests()) {
        if (r.method !== 'POST' || !/\/order$/.test(r.path)) continue;
        const ref = /"reference_id":"(po\d+-l\d+)/.exec(r.body)?.[1];
        if (ref) byRef.set(ref, [...(byRef.get(ref) ?? []), r.status]);
      }
      creates.set(w.id, byRef);
    }
    for (const m of poMissing) {
      const head = `${m.tenant} PO ${m.poHeaderId} line ${m.lineId}:`;
      const row = mapped.get(key(m.tenant, `${m.poHeaderId}/${m.lineId}`));
      const tries = creates.get(m.tenant)?.get(`po${m.poHeaderId}-l${m.lineId}`) ?? [];
      const shipbob = tries.length ? `ShipBob create ${tries.length} requests, last HTTP ${tries[tries.length - 1]}` : 'no ShipBob create request in its log';
      if (!emitted.has(key(m.tenant, m.poHeaderId)))
        note('po line: not emitted by oracle-poller (poller_emitted)', `${head} not in poller_emitted; ${shipbob}`);
      else if (!row) note('po line: emitted by oracle-poller, not in mapper_po_orders', `${head} in poller_emitted, not in mapper_po_orders; ${shipbob}`);
      else if (row.state !== 'active')
        note(`po line: mapper_po_orders state ${row.state}`, `${head} mapper_po_orders ${row.reference_id} is ${row.state}; ${shipbob}`);
      else
        note(
          tries.length ? 'po line: in mapper_po_orders, ShipBob refused the create' : 'po line: in mapper_po_orders, no ShipBob create request',
          `${head} mapper_po_orders ${row.reference_id}; ${shipbob}`,
        );
    }
  }

  // ---- ShipBob deliveries: sandbox webhooks → gateway ledger → mapper_shipment_deliveries → fusion_writer_po_writes
  const dlvMissing = missing.filter((m) => m.kind === 'shipbob-delivery');
  if (dlvMissing.length) {
    const ledger = await keySet(db, `SELECT tenant_id, dedupe_key AS id FROM gateway_deliveries WHERE partner = 'shipbob' AND tenant_id = ANY($1)`, tenants);
    const seen = await keySet(db, 'SELECT tenant_id, delivery_id AS id FROM mapper_shipment_deliveries WHERE tenant_id = ANY($1)', tenants);
    const writes = new Map<string, Array<{ kind: string; state: string; attempts: number; last_error: string | null }>>();
    for (const r of await rows<{ tenant_id: string; po_header_id: string; kind: string; state: string; attempts: number; last_error: string | null }>(
      db,
      'SELECT tenant_id, po_header_id, kind, state, attempts, last_error FROM fusion_writer_po_writes WHERE tenant_id = ANY($1)',
      [tenants],
    )) {
      const k = key(r.tenant_id, r.po_header_id);
      writes.set(k, [...(writes.get(k) ?? []), r]);
    }
    const hooks = new Map<string, Map<string, Array<{ id: string; dropped?: boolean }>>>();
    for (const w of worlds) {
      const byRef = new Map<string, Array<{ id: string; dropped?: boolean }>>();
      for (const s of w.shipbob.sentWebhooks) {
        if (s.topic !== 'order.shipped' && s.topic !== 'order.shipment.delivered') continue;
        const body = JSON.parse(s.body) as { id?: number; reference_id?: string };
        const ref = s.topic === 'order.shipped' ? body.reference_id : w.shipbob.findShipment(Number(body.id))?.order.reference_id;
        if (ref) byRef.set(ref, [...(byRef.get(ref) ?? []), s]);
      }
      hooks.set(w.id, byRef);
    }
    const attemptsByWorld = new Map(worlds.map((w) => [w.id, groupAttempts(w.shipbob.dispatcher.attempts)]));
    for (const m of dlvMissing) {
      const w = byWorld.get(m.tenant)!;
      const sent = hooks.get(m.tenant)?.get(m.referenceId) ?? [];
      const hook = trail(sent, attemptsByWorld.get(m.tenant)!, w.shipbob.dispatcher.options.retryScheduleSec.length + 1);
      const head = `${m.tenant} ShipBob delivery of ${m.referenceId}: ${describeTrail('shipped/delivered', hook)};`;
      const inLedger = sent.filter((s) => ledger.has(key(m.tenant, s.id))).length;
      const inMapper = sent.filter((s) => seen.has(key(m.tenant, s.id))).length;
      const pw = writes.get(key(m.tenant, m.poHeaderId)) ?? [];
      const fw = pw.length
        ? pw.map((x) => `${x.kind} ${x.state} after ${x.attempts} attempts${x.last_error ? ` (${x.last_error.slice(0, 80)})` : ''}`).join(', ')
        : 'none';
      if (inLedger < sent.length || !sent.length)
        note(
          `shipbob delivery: webhook not in the gateway ledger (${hook.accepted ? 'accepted' : hook.gaveUp ? 'gave up' : 'retrying'})`,
          `${head} ${inLedger}/${sent.length} in gateway_deliveries`,
        );
      else if (inMapper < sent.length)
        note('shipbob delivery: in the gateway ledger, not in mapper_shipment_deliveries', `${head} ${inMapper}/${sent.length} in mapper_shipment_deliveries`);
      else if (!pw.length) note('shipbob delivery: seen by the mapper, no fusion-writer PO write', `${head} seen by the mapper; fusion_writer_po_writes: none`);
      else
        note(
          `shipbob delivery: fusion-writer PO write not done (${pw.map((x) => x.state).join('/')})`,
          `${head} seen by the mapper; fusion_writer_po_writes: ${fw}`,
        );
    }
  }

  return { byStage: [...stages].map(([stage, count]) => ({ stage, count })).sort((a, b) => b.count - a.count), samples: lines };
}

function groupAttempts<T extends { webhookId: string }>(attempts: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const a of attempts) {
    const list = m.get(a.webhookId);
    if (list) list.push(a);
    else m.set(a.webhookId, [a]);
  }
  return m;
}

/** Webhooks whose sandbox is still retrying them (no 2xx yet, attempts left): cheap, in memory. */
export function webhooksRetrying(worlds: EvidenceWorld[]): { shopify: number; shipbob: number; shopifySubscriptionsDeleted: number } {
  const retrying = (attempts: ReadonlyArray<{ webhookId: string; attempt: number; status: number }>, max: number) => {
    let n = 0;
    for (const tries of groupAttempts(attempts).values()) {
      const last = tries[tries.length - 1]!;
      if (!tries.some((a) => a.status >= 200 && a.status < 300) && last.attempt < max) n++;
    }
    return n;
  };
  let shopify = 0;
  let shipbob = 0;
  let deleted = 0;
  for (const w of worlds) {
    shopify += retrying(w.shopify.dispatcher.attempts, w.shopify.dispatcher.options.retryScheduleSec.length + 1);
    shipbob += retrying(w.shipbob.dispatcher.attempts, w.shipbob.dispatcher.options.retryScheduleSec.length + 1);
    deleted += w.shopify.subscriptions.filter((s) => s.deleted).length;
  }
  return { shopify, shipbob, shopifySubscriptionsDeleted: deleted };
}

/** Counts of the stage tables the drain progress line names (cheap: one count per table). */
export async function stageCounts(db: Client): Promise<string> {
  const r = (
    await db.query(`SELECT
      (SELECT count(*) FROM poller_emitted WHERE feed = 'purchase-orders')::int AS emitted,
      (SELECT count(*) FROM mapper_po_orders)::int AS po_orders,
      (SELECT count(DISTINCT split_part(record_key, '|', 3)) FROM gateway_deliveries WHERE partner = 'shopify' AND record_key LIKE '%|order|%')::int AS ledger_orders,
      (SELECT count(*) FROM mapper_shopify_orders)::int AS shop_orders,
      (SELECT count(*) FROM fusion_writer_receivables_waiting WHERE released_at IS NULL)::int AS waiting,
      (SELECT count(*) FROM fusion_writer_po_writes WHERE state <> 'done')::int AS po_writes_open`)
  ).rows[0] as Record<string, number>;
  return `poller_emitted POs ${r['emitted']}, mapper_po_orders ${r['po_orders']}, gateway ledger Shopify orders ${r['ledger_orders']}, mapper_shopify_orders ${r['shop_orders']}, fusion-writer waiting ${r['waiting']}, PO writes not done ${r['po_writes_open']}`;
}

export const AUDIT_GROUP = 'audit-projector.audit';
/** The topics audit-projector consumes (services/audit-projector: ALL_TOPICS, every registered topic). */
export const AUDITED_TOPICS: readonly string[] = Object.keys(TOPICS);

export interface AuditCheck {
  entries: number;
  events: number;
  /** Records audit-projector had not committed when the count was taken (0 once it caught up). */
  lag: number;
  waitedMs: number;
  /** Topics with records and no audit by design (not consumed by audit-projector): dead-letter topics and others. */
  notAudited: Array<{ topic: string; records: number }>;
  /**
   * Audited topics whose entries differ from their records, with the distinct event ids (header mlc-event-id) read
   * back from the topic: the audit keeps one entry per event id, so records sharing one (an event written again after
   * a kill or a retry) explain entries below records; `eventIds` is undefined when the topic could not be read back.
   */
  differences: Array<{ topic: string; records: number; entries: number; eventIds?: number }>;
}

/** The end offset of every partition of `topics` at one moment: what the audit is compared on (the services keep writing). */
type Snapshot = Map<string, Array<{ partition: number; low: bigint; high: bigint }>>;

async function snapshot(admin: ReturnType<Kafka['admin']>, topics: string[]): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  for (const t of topics)
    snap.set(
      t,
      (await admin.fetchTopicOffsets(t)).map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) })),
    );
  return snap;
}

/** Records of the snapshot the group has not committed yet. */
async function auditLag(admin: ReturnType<Kafka['admin']>, groupId: string, snap: Snapshot): Promise<number> {
  let lag = 0n;
  for (const t of await admin.fetchOffsets({ groupId, topics: [...snap.keys()] })) {
    for (const end of snap.get(t.topic) ?? []) {
      const committed = t.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const from = BigInt(committed) >= 0n ? BigInt(committed) : end.low;
      if (end.high > from) lag += end.high - from;
    }
  }
  return Number(lag);
}

/**
 * Takes the end offset of every topic, waits (up to `timeoutMs`) until audit-projector's group has committed all of
 * it, then compares the records up to those ends with the audit entries of the same positions (audit_entries keeps
 * each entry's partition and offset), so records written meanwhile count on neither side.
 */
export async function checkAudit(
  kafka: Kafka,
  db: Client,
  timeoutMs: number,
  log: (msg: string) => void,
  opts: { suffix?: string; groupId?: string } = {},
): Promise<AuditCheck> {
  const suffix = opts.suffix ?? '';
  const groupId = opts.groupId ?? AUDIT_GROUP;
  const logical = (t: string) => (suffix && t.endsWith(suffix) ? t.slice(0, -suffix.length) : t);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const all = (await admin.listTopics()).filter((t) => !t.startsWith('__') && t.endsWith(suffix));
    const audited = all.filter((t) => AUDITED_TOPICS.includes(logical(t)));
    const snap = await snapshot(admin, all);
    const auditedSnap: Snapshot = new Map(audited.map((t) => [t, snap.get(t)!]));
    const started = Date.now();
    let lag = await auditLag(admin, groupId, auditedSnap);
    let lastLog = started;
    while (lag > 0 && Date.now() - started < timeoutMs) {
      if (Date.now() - lastLog >= 15_000) {
        log(`audit: waiting for ${groupId} to catch up, ${lag} records behind`);
        lastLog = Date.now();
      }
      await new Promise((r) => setTimeout(r, 1_000));
      lag = await auditLag(admin, groupId, auditedSnap);
    }
    const records = (t: string) => (snap.get(t) ?? []).reduce((n, p) => n + Number(p.high - p.low), 0);
    const ends = audited.flatMap((t) => auditedSnap.get(t)!.map((p) => ({ topic: logical(t), partition: p.partition, high: p.high.toString() })));
    const entries = new Map(
      (
        (
          await db.query(
            `SELECT a.topic, count(*)::int AS n FROM audit_entries a
               JOIN unnest($1::text[], $2::int[], $3::int8[]) AS e(topic, p, high) ON a.topic = e.topic AND a.kafka_partition = e.p AND a.kafka_offset < e.high
              GROUP BY a.topic`,
            [ends.map((e) => e.topic), ends.map((e) => e.partition), ends.map((e) => e.high)],
          )
        ).rows as Array<{ topic: string; n: number }>
      ).map((r) => [r.topic, r.n]),
    );
    const notAudited = all.filter((t) => !AUDITED_TOPICS.includes(logical(t)) && records(t) > 0).map((topic) => ({ topic, records: records(topic) }));
    const differences: AuditCheck['differences'] = audited
      .map((topic) => ({ topic, records: records(topic), entries: entries.get(logical(topic)) ?? 0 }))
      .filter((d) => d.records !== d.entries);
    if (differences.length) {
      const ids = await distinctEventIds(kafka, admin, new Map(differences.map((d) => [d.topic, auditedSnap.get(d.topic)!])), 60_000).catch((err: Error) => {
        log(`audit: the differing topics could not be read back: ${err.message}`);
        return new Map<string, number>();
      });
      for (const d of differences) d.eventIds = ids.get(d.topic);
    }
    return {
      entries: [...entries.values()].reduce((a, b) => a + b, 0),
      events: audited.reduce((n, t) => n + records(t), 0),
      lag,
      waitedMs: Date.now() - started,
      notAudited,
      differences,
    };
  } finally {
    await admin.disconnect();
  }
}

/** Distinct mlc-event-id headers per topic among the records below the snapshot's ends (bounded). */
async function distinctEventIds(kafka: Kafka, admin: ReturnType<Kafka['admin']>, snap: Snapshot, timeoutMs: number): Promise<Map<string, number>> {
  const topics = [...snap.keys()];
  const remaining = new Map<string, bigint>();
  for (const [t, parts] of snap) for (const p of parts) if (p.high > p.low) remaining.set(`${t}/${p.partition}`, p.high);
  const ends = new Map([...remaining]);
  const ids = new Map<string, Set<string>>(topics.map((t) => [t, new Set()]));
  const groupId = `chaos-audit-readback-${Date.now()}`;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not read to the end within ${timeoutMs / 1000} s`)), timeoutMs);
      if (!remaining.size) {
        clearTimeout(timer);
        resolve();
        return;
      }
      void consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const k = `${batch.topic}/${batch.partition}`;
            const end = ends.get(k) ?? 0n;
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= end) continue;
              const id = headerString(m.headers, 'mlc-event-id');
              if (id) ids.get(batch.topic)!.add(id);
            }
            if (remaining.has(k) && BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(k);
            if (!remaining.size) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return new Map([...ids].map(([t, set]) => [t, set.size]));
}
