// Ceilings: what the same work costs on this machine, broker and database WITHOUT the product, measured in the same
// run as the product figure it is compared with (compareRow in bench-kit.ts). Every benchmark imports from here:
//
//   bareGatewayCeiling({ coalesce, concurrency, requests })  bare node:http + HMAC + kafkajs (acks all), req/s + p99
//   rawProduceCeiling(n, { bytes, batch, partitions })        kafkajs produce of n records of one size, records/s
//   rawConsumeCeiling(n, { bytes, partitions })               kafkajs consume of n such records, records/s
//   rawPgInsertCeiling(n, { batch, databaseUrl })             raw `pg` multi-row inserts into a copy of audit_entries, rows/s
//
// Each makes its own fresh topic (named with a test-run suffix, so `pruneTestKafka` removes it later) or table, on the
// broker of KAFKA_BROKERS (default 127.0.0.1:9092) and the PostgreSQL server the benchmarks use.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CompressionTypes, type Kafka } from 'kafkajs';
import { Client } from 'pg';
import type { TopicSpec } from '@mlc/contracts';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';
import { generateWebhookSecret, ShipbobWebhookSigner } from '@mlc/partners-shipbob-simulator';
import { testDatabase, TEST_BROKERS } from '@mlc/platform-testing';
import { note } from './bench-kit';
import { cpuMs, measureLoad, type LoadFigures } from './webhook-load';
import { AUDIT_COLUMNS } from '../../services/audit-projector/src/audit/projection.writer';

/** A throughput ceiling: `count` units in `seconds`, `perSec` of them per second. */
export interface Throughput {
  label: string;
  count: number;
  seconds: number;
  perSec: number;
}

function kafkaClient(label: string): Kafka {
  return createKafka({ brokers: TEST_BROKERS, clientId: `bench-ceiling-${label}` });
}

/** Creates `bench.ceiling.<label>.t<time><random>` (suffix as testKafka's, so the test-topic pruning removes it). */
export async function freshTopic(kafka: Kafka, label: string, partitions = 1): Promise<string> {
  const suffix = `.t${Date.now().toString(36).padStart(8, '0')}${randomBytes(3).toString('hex')}`;
  const name = `bench.ceiling.${label}`;
  const spec = { name, partitions, retentionMs: 3_600_000, cleanupPolicy: 'delete' } as unknown as TopicSpec;
  await ensureTopics(kafka, { suffix, specs: [spec] });
  return `${name}${suffix}`;
}

/** Records on a topic (sum of the partitions' high watermarks; the topic is fresh and never compacted). */
export async function recordsOnTopic(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

// ---- the bare gateway ---------------------------------------------------------------------------------------------------

export interface GatewayCeilingOptions {
  /** true: requests arriving during a send share the next send; false: one send per request. */
  coalesce: boolean;
  concurrency: number;
  /** Measured requests (a warm-up of `warmup`, default 50, comes first and is not measured). */
  requests: number;
  warmup?: number;
}

export interface GatewayCeiling extends LoadFigures {
  label: string;
  /** Kafka sends (produce requests) the bare gateway made for warm-up + measured requests. */
  sends: number;
  /** Records on its topic afterwards (warm-up included): equals warm-up + `ok` when nothing was lost or doubled. */
  onTopic: number;
  /** CPU time the bare gateway process used per measured request, ms (load-independent, unlike req/s). */
  cpuMsPerRequest: number;
}

/**
 * The bare gateway (tools/bench/bare-gateway.ts, its own process like the product) loaded by the product's load
 * generator (webhook-load.ts: signed ShipBob deliveries over keep-alive) at `concurrency`. Throws when the bare
 * gateway did not answer every request 200.
 */
export async function bareGatewayCeiling(opts: GatewayCeilingOptions): Promise<GatewayCeiling> {
  const warmup = opts.warmup ?? 50;
  const label = opts.coalesce ? 'bare gateway, coalesced sends' : 'bare gateway, one send per request';
  const kafka = kafkaClient('gateway');
  const topic = await freshTopic(kafka, opts.coalesce ? 'gateway-coalesced' : 'gateway-single');
  const secret = generateWebhookSecret();
  const child = fork(join(__dirname, 'bare-gateway.js'), [], {
    env: { ...process.env, KAFKA_BROKERS: TEST_BROKERS.join(','), BARE_TOPIC: topic, BARE_SECRET: secret, BARE_COALESCE: opts.coalesce ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`bare gateway exited with ${code} before listening`)));
    });
    const url = `http://127.0.0.1:${port}/webhooks/shipbob/bench`;
    const signer = new ShipbobWebhookSigner(secret);
    await measureLoad(url, signer, 0, warmup, Math.min(opts.concurrency, 10));
    note(`ceiling: ${label}, ${opts.requests} requests, concurrency ${opts.concurrency}`);
    const cpu0 = cpuMs(child.pid!);
    const load = await measureLoad(url, signer, warmup, opts.requests, opts.concurrency);
    const cpuMsPerRequest = (cpuMs(child.pid!) - cpu0) / opts.requests;
    if (load.failed)
      throw new Error(`${label}: ${load.failed} of ${load.requests} requests not answered 200 (${[...load.statuses, ...load.errors].join(', ')})`);
    const sends = await new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { sends: number }).sends));
      child.send('stats');
    });
    return { ...load, label, sends, onTopic: await recordsOnTopic(kafka, topic), cpuMsPerRequest };
  } finally {
    if (child.connected) child.send('stop');
    await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  }
}

// ---- raw kafkajs -------------------------------------------------------------------------------------------------------

export interface KafkaCeilingOptions {
  /** Size of each record value in bytes (default 1,000). */
  bytes?: number;
  /** Partitions of the fresh topic (default 1). */
  partitions?: number;
  /** Records per sendBatch (default 1,000). */
  batch?: number;
}

function values(n: number, bytes: number): { key: string; value: Buffer }[] {
  const filler = 'x'.repeat(Math.max(0, bytes - 12));
  return Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`${String(i).padStart(12, '0')}${filler}`.slice(0, bytes)) }));
}

async function produceAll(kafka: Kafka, topic: string, n: number, bytes: number, batch: number): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const messages = values(n, bytes);
    const t0 = performance.now();
    for (let i = 0; i < n; i += batch) {
      await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic, messages: messages.slice(i, i + batch) }] });
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await producer.disconnect();
  }
}

/** kafkajs produce of `n` records of `bytes` bytes (idempotent producer, acks all, `batch` per sendBatch, one after the other). */
export async function rawProduceCeiling(n: number, opts: KafkaCeilingOptions = {}): Promise<Throughput> {
  const bytes = opts.bytes ?? 1_000;
  const batch = opts.batch ?? 1_000;
  const kafka = kafkaClient('produce');
  const topic = await freshTopic(kafka, 'produce', opts.partitions ?? 1);
  const seconds = await produceAll(kafka, topic, n, bytes, batch);
  return { label: `raw kafkajs produce, ${bytes} B records, ${batch}/batch`, count: n, seconds, perSec: n / seconds };
}

/**
 * kafkajs consume (eachBatch, a fresh group from the beginning) of `n` records of `bytes` bytes produced beforehand
 * (not timed). Timed from the first batch handed to the consumer to the n-th record: the group join is left out.
 */
export async function rawConsumeCeiling(n: number, opts: KafkaCeilingOptions = {}): Promise<Throughput> {
  const bytes = opts.bytes ?? 1_000;
  const kafka = kafkaClient('consume');
  const topic = await freshTopic(kafka, 'consume', opts.partitions ?? 1);
  await produceAll(kafka, topic, n, bytes, opts.batch ?? 1_000);
  const consumer = kafka.consumer({ groupId: `bench-ceiling-consume-${topic.slice(topic.lastIndexOf('.t'))}`, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let count = 0;
    let t0 = 0;
    let done!: (seconds: number) => void;
    const finished = new Promise<number>((resolve) => (done = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        if (!t0) t0 = performance.now();
        count += batch.messages.length;
        if (count >= n) done((performance.now() - t0) / 1000);
      },
    });
    const seconds = await finished;
    return { label: `raw kafkajs consume (eachBatch), ${bytes} B records`, count: n, seconds, perSec: n / seconds };
  } finally {
    await consumer.disconnect();
  }
}

// ---- raw pg -----------------------------------------------------------------------------------------------------------

export interface PgCeilingOptions {
  /** Rows per INSERT statement (default 500; at most 2,978 with 22 columns). */
  batch?: number;
  /** A database that has the audit tables (default: a fresh migrated one, dropped afterwards). */
  databaseUrl?: string;
}

function auditRow(i: number, run: string): unknown[] {
  return [
    `${run}${String(i).padStart(10, '0')}`,
    'bench',
    'erp.purchase-order.changed.v1',
    'PurchaseOrderChanged',
    'oracle-poller',
    'fusion',
    'connector',
    'inbound',
    'purchase-order',
    `PO-${300100000000000 + i}`,
    `corr-${i}`,
    null,
    new Date(1_765_000_000_000 + i).toISOString(),
    'ok',
    null,
    null,
    null,
    randomBytes(16).toString('hex'),
    [`po:${300100000000000 + i}`, `supplier:${i % 50}`],
    JSON.stringify({ lines: 3, status: 'OPEN' }),
    0,
    i,
  ];
}

/**
 * Raw `pg` (one client, no ORM) multi-row INSERTs of `n` rows shaped like the audit projection's audit_entries rows
 * (same columns, indexes included: the table is `LIKE audit_entries INCLUDING ALL`), `batch` rows per statement, each
 * statement its own transaction.
 */
export async function rawPgInsertCeiling(n: number, opts: PgCeilingOptions = {}): Promise<Throughput> {
  const batch = Math.min(opts.batch ?? 500, Math.floor(65_535 / AUDIT_COLUMNS.length));
  const own = opts.databaseUrl ? undefined : await testDatabase('bench_ceiling_pg');
  const client = new Client({ connectionString: opts.databaseUrl ?? own!.url });
  await client.connect();
  const table = `ceiling_audit_entries_${randomBytes(4).toString('hex')}`;
  try {
    await client.query(`CREATE TABLE ${table} (LIKE audit_entries INCLUDING ALL)`);
    const run = `ev_${randomBytes(4).toString('hex')}_`;
    const t0 = performance.now();
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      const params: unknown[] = [];
      const tuples: string[] = [];
      for (let r = 0; r < count; r++) {
        const b = params.length;
        params.push(...auditRow(start + r, run));
        tuples.push(`(${AUDIT_COLUMNS.map((_, c) => `$${b + c + 1}`).join(',')})`);
      }
      await client.query(`INSERT INTO ${table} (${AUDIT_COLUMNS.join(',')}) VALUES ${tuples.join(',')} ON CONFLICT (event_id) DO NOTHING`, params);
    }
    const seconds = (performance.now() - t0) / 1000;
    return { label: `raw pg multi-row INSERT, ${batch} rows/statement`, count: n, seconds, perSec: n / seconds };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await client.end();
    await own?.drop();
  }
}
