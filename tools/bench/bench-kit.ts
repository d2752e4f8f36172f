// Shared pieces of `npm run bench`: a throw-away world (real Kafka topics with a run suffix, a fresh Postgres
// database, tenant `bench` configured against in-process sandboxes), services as real processes with a memory probe,
// a topic counter, percentiles and a plain-text table.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { TopicName } from '@mlc/contracts';
import { topicName } from '@mlc/platform-kafka';
import { startService, testDatabase, testKafka, TEST_ENCRYPTION_KEYS, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import type { HeapFigures } from './heap-probe';
import { openTestTenantConfig, type TenantConfigService } from '@mlc/tenants';

export const TENANT = 'bench';

/** BENCH_SCALE multiplies every default size (0.1 for a quick smoke run, 2 for a longer one). */
export function scaled(n: number): number {
  const raw = process.env['BENCH_SCALE'];
  const scale = raw === undefined || raw === '' ? 1 : Number(raw);
  if (!(scale > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${raw}`);
  return Math.max(1, Math.round(n * scale));
}

// ---- a world per benchmark ---------------------------------------------------------------------------------------

export interface World {
  kafka: Kafka;
  suffix: string;
  db: TestDatabase;
  ds: DataSource;
  tenants: TenantConfigService;
  /** Environment every service of this world is started with. */
  env: Record<string, string>;
  topic(name: TopicName): string;
  /** Starts dist/services/<name> as a real process on this world's database and topics, with a memory probe. */
  start(name: string, env?: Record<string, string>): Promise<BenchService>;
  /** The last lines each service printed (shown when a benchmark fails). */
  logs(lines?: number): string;
  close(): Promise<void>;
}

export async function openWorld(label: string): Promise<World> {
  const { kafka, suffix } = await testKafka(`bench-${label}`);
  const db = await testDatabase(`bench_${label.replace(/[^a-z0-9]/gi, '_')}`);
  const { ds, tenants } = await openTestTenantConfig(db.url, TEST_ENCRYPTION_KEYS, { snapshotCacheTtlMs: 0 });
  await tenants.createTenant(
    {
      id: TENANT,
      name: 'Benchmark tenant',
      settings: { pollingIntervalsMs: { purchaseOrdersMs: 1_000, receiptsMs: 60_000, shipbobOrdersMs: 60_000, shopifyOrdersMs: 60_000 } },
    },
    'bench',
  );
  // Own consumer groups too: a group shared with another run (or a running `npm start`) may be handed our partitions.
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_SUFFIX: suffix,
    KAFKA_GROUP_ID_SUFFIX: suffix,
    TENANT_CACHE_TTL_MS: '5000',
    LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
    // Batch consumption with records of different keys side by side (mapper's and shipbob-writer's default is 16 too;
    // each record's consumer span stays the child of its producer's in batch mode: see the settings' docs).
    MAPPER_PO_CONCURRENCY_PER_PARTITION: process.env['MAPPER_PO_CONCURRENCY_PER_PARTITION'] ?? '16',
    SHIPBOB_WRITER_CONCURRENCY_PER_PARTITION: process.env['SHIPBOB_WRITER_CONCURRENCY_PER_PARTITION'] ?? '16',
    AUDIT_CONCURRENCY_PER_PARTITION: process.env['AUDIT_CONCURRENCY_PER_PARTITION'] ?? '256',
  };
  const services: BenchService[] = [];
  const probeDir = mkdtempSync(join(tmpdir(), 'mlc-bench-'));
  const logs = (lines = 30): string => services.map((s) => `--- ${s.proc.name}\n${s.proc.output().split('\n').slice(-lines).join('\n')}`).join('\n');
  return {
    kafka,
    suffix,
    db,
    ds,
    tenants,
    env,
    topic: (name) => topicName(name, suffix),
    async start(name, extra = {}) {
      const heapFile = join(probeDir, `${name}-${services.length}.json`);
      const probe = { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${join(__dirname, 'heap-probe.js')}`.trim(), BENCH_HEAP_FILE: heapFile };
      const s = new BenchService(await startService(name, { ...env, ...probe, ...extra }), heapFile);
      services.push(s);
      return s;
    },
    logs,
    async close() {
      if (process.env['BENCH_LOGS'] === '1') process.stderr.write(`${logs()}\n`);
      await Promise.allSettled(services.map((s) => s.stop()));
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
      rmSync(probeDir, { recursive: true, force: true });
    },
  };
}

// ---- memory of a service process -----------------------------------------------------------------------------------

export interface MemoryFigures {
  /** Resident set size when the measured work started (after boot). */
  baselineRssMb: number;
  /** Largest resident set size sampled while the work ran. */
  peakRssMb: number;
  /** The kernel's high-water mark of the process (VmHWM: boot included). */
  hwmMb: number;
  /** V8 heap in use when the work started, the largest sampled (every 100 ms), and the largest left after a major GC. */
  baselineHeapMb: number;
  peakHeapMb: number;
  liveHeapMb: number;
}

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const mb = (kb: number | undefined): number => Math.round(((kb ?? 0) / 1024) * 10) / 10;

/** A service process plus an RSS sampler reading /proc/<pid>/status (the child is node itself, no wrapper). */
export class BenchService {
  private timer: NodeJS.Timeout | undefined;
  private baselineKb = 0;
  private peakKb = 0;

  private baselineHeap = 0;

  constructor(
    readonly proc: RunningService,
    private readonly heapFile: string,
  ) {}

  /** What the preloaded heap probe last wrote (see heap-probe.ts). */
  heap(): HeapFigures | undefined {
    try {
      return JSON.parse(readFileSync(this.heapFile, 'utf8')) as HeapFigures;
    } catch {
      return undefined;
    }
  }

  get url(): string {
    return this.proc.url;
  }

  /** Resident set size now (MB). */
  rssMb(): number {
    return mb(procStatusKb(this.proc.child.pid!, 'VmRSS'));
  }

  /** Starts sampling RSS every `intervalMs` from now (call when the measured work starts). */
  watchMemory(intervalMs = 100): void {
    const pid = this.proc.child.pid!;
    this.baselineKb = procStatusKb(pid, 'VmRSS') ?? 0;
    this.peakKb = this.baselineKb;
    this.baselineHeap = this.heap()?.heapUsed ?? 0;
    this.timer = setInterval(() => (this.peakKb = Math.max(this.peakKb, procStatusKb(pid, 'VmRSS') ?? 0)), intervalMs);
    this.timer.unref();
  }

  /** Stops sampling and returns the figures (call before the process is stopped). */
  memory(): MemoryFigures {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const pid = this.proc.child.pid!;
    this.peakKb = Math.max(this.peakKb, procStatusKb(pid, 'VmRSS') ?? 0);
    const heap = this.heap();
    return {
      baselineRssMb: mb(this.baselineKb),
      peakRssMb: mb(this.peakKb),
      hwmMb: mb(procStatusKb(pid, 'VmHWM')),
      baselineHeapMb: mb(this.baselineHeap / 1024),
      peakHeapMb: mb((heap?.maxHeapUsed ?? 0) / 1024),
      liveHeapMb: mb((heap?.maxHeapAfterMajorGc ?? 0) / 1024),
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.proc.stop();
  }
}

// ---- counting a topic ------------------------------------------------------------------------------------------------

export interface TopicCounter {
  count(): number;
  /** Kafka timestamps (producer create time, ms) of the first and last record counted. */
  firstTs(): number | undefined;
  lastTs(): number | undefined;
  /** Resolves once `n` records were counted; rejects after `timeoutMs`. */
  reach(n: number, timeoutMs: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

/** Counts the records of a topic from the beginning without keeping them. Start it before the producer. */
export async function countTopic(kafka: Kafka, topic: string): Promise<TopicCounter> {
  let count = 0;
  let first: number | undefined;
  let last: number | undefined;
  const consumer = kafka.consumer({
    groupId: `bench-counter-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let joined!: () => void;
  const joinedP = new Promise<void>((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const ts = Number(m.timestamp);
        first ??= ts;
        last = ts;
        count++;
      }
    },
  });
  await joinedP;
  return {
    count: () => count,
    firstTs: () => first,
    lastTs: () => last,
    async reach(n, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (count < n) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${count}/${n} after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    stop: () => consumer.disconnect(),
  };
}

// ---- numbers -----------------------------------------------------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of unsorted samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

export type Row = Record<string, string | number>;

/** Prints rows as an aligned plain-text table under a title. */
export function printTable(title: string, rows: readonly Row[]): void {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined): string =>
    v === undefined ? '' : typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 1 }) : v;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]): string => vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const out = [`\n== ${title}`, line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Progress on stderr so stdout keeps only the tables. */
export function note(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/**
 * One figure of the product beside the ceiling measured in the same run, as the row every benchmark prints:
 * `figure | product | ceiling | ratio | target | verdict`. `ratio` is product/ceiling when higher is better
 * (throughput) and ceiling/product when lower is better (latency, memory), so 100 % always means "as good as the
 * ceiling". `target` is the target for this figure (a ratio such as 0.8, or an absolute bound), and
 * `verdict` says whether the figure met it.
 */
export interface Comparison {
  figure: string;
  unit: string;
  product: number;
  /** What the same work costs without the product (a bare implementation on the same broker/database), measured now. */
  ceiling: number;
  ceilingLabel: string;
  better: 'higher' | 'lower';
  /** Met when the ratio is at least this (0..1). */
  minRatio?: number;
  /** Met when the product figure is at most (better: lower) / at least (better: higher) this absolute bound. */
  bound?: number;
}

export function compareRow(c: Comparison): Row {
  const ratio = c.better === 'higher' ? c.product / c.ceiling : c.ceiling / c.product;
  const checks: boolean[] = [];
  const targets: string[] = [];
  if (c.minRatio !== undefined) {
    checks.push(ratio >= c.minRatio);
    targets.push(`ratio >= ${Math.round(c.minRatio * 100)} %`);
  }
  if (c.bound !== undefined) {
    checks.push(c.better === 'higher' ? c.product >= c.bound : c.product <= c.bound);
    targets.push(`${c.better === 'higher' ? '>=' : '<='} ${c.bound} ${c.unit}`);
  }
  return {
    figure: c.figure,
    product: `${round(c.product)} ${c.unit}`,
    ceiling: `${round(c.ceiling)} ${c.unit} (${c.ceilingLabel})`,
    ratio: Number.isFinite(ratio) ? `${Math.round(ratio * 100)} %` : 'n/a',
    target: targets.join(', ') || '-',
    verdict: checks.length === 0 ? '-' : checks.every(Boolean) ? 'met' : 'MISSED',
  };
}
