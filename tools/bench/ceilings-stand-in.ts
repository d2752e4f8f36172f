// Stand-in for part M's tools/bench/ceilings.ts (branch gateway) until it is merged: the same names, signatures and
// code for the ceilings the poller, pipeline and projection benchmarks use. At merge: delete this file and import
// these from './ceilings' instead.
//
//   rawProduceCeiling(n, { bytes, batch, partitions })   kafkajs produce of n records of one size, records/s
//   rawConsumeCeiling(n, { bytes, partitions })          kafkajs consume of n such records, records/s
//   rawPgInsertCeiling(n, { batch, databaseUrl })        raw `pg` multi-row inserts into a copy of audit_entries, rows/s
import { randomBytes } from 'node:crypto';
import { CompressionTypes, type Kafka } from 'kafkajs';
import { Client } from 'pg';
import type { TopicSpec } from '@mlc/contracts';
import { createKafka, ensureTopics } from '@mlc/platform-kafka';
import { testDatabase, TEST_BROKERS } from '@mlc/platform-testing';

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

const AUDIT_COLUMNS = [
  'event_id',
  'tenant_id',
  'topic',
  'record',
  'source',
  'source_system',
  'target_system',
  'direction',
  'entity_type',
  'business_id',
  'correlation_id',
  'causation_id',
  'occurred_at',
  'result',
  'error_code',
  'error_message',
  'mapping_version',
  'trace_id',
  'refs',
  'attrs',
  'kafka_partition',
  'kafka_offset',
];

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
