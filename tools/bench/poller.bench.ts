// oracle-poller: N purchase orders in the Fusion sandbox -> N events on erp.purchase-order.changed.v1. Throughput and
// the poller's memory for a small and a fifty times larger N (streaming page by page keeps the peak RSS flat).
// Ceiling, measured in the same run: raw kafkajs produce of N records of the events' size (acks all, one after the
// other in batches of a page). The poller runs as `npm start` runs it (tools/node-flags.ts; SERVICE_NODE_OPTIONS=""
// for V8's defaults). Rows per N: POs/s (detail: the poller's CPU per PO), peak RSS, and one event per PO on the topic.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { startService } from '@mlc/platform-testing';
import { BenchService, compareRow, countTopic, note, openWorld, round, scaled, TENANT, type Row, type World } from './bench-kit';
import { rawProduceCeiling } from './ceilings';
import { serviceNodeFlags } from '../node-flags';

/** Mean value size (bytes) of the first records of a topic. */
async function sampleBytes(kafka: Kafka, topic: string, n = 50): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `bench-sample-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const sizes: number[] = [];
    let done!: () => void;
    const enough = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (sizes.length < n) sizes.push(m.value?.length ?? 0);
        if (sizes.length >= n) done();
      },
    });
    await Promise.race([enough, new Promise((r) => setTimeout(r, 10_000))]);
    return Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length));
  } finally {
    await consumer.disconnect();
  }
}

/**
 * oracle-poller as `npm start` runs it: the launchers' V8 flags as node's arguments (tools/node-flags.ts;
 * SERVICE_NODE_OPTIONS replaces them, "" for V8's defaults), the heap probe preloaded, this world's database and topics.
 */
async function startPoller(world: World, probeDir: string, extra: Record<string, string>): Promise<BenchService> {
  const heapFile = join(probeDir, 'oracle-poller.json');
  const env = {
    ...world.env,
    NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${join(__dirname, 'heap-probe.js')}`.trim(),
    BENCH_HEAP_FILE: heapFile,
    ...extra,
  };
  return new BenchService(await startService('oracle-poller', env, { execArgv: serviceNodeFlags() }), heapFile);
}

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The sandbox seeds at most 10 000 POs per call; larger N are seeded in chunks (in-process, no HTTP). */
const SEED_CHUNK = 10_000;

export interface PollerBenchResult {
  rows: Row[];
}

async function pollOnce(n: number, pageSize: number): Promise<Row[]> {
  const world = await openWorld('poller');
  const fusion = new FusionSandbox({ seed: 11 });
  const probeDir = mkdtempSync(join(tmpdir(), 'mlc-bench-poller-'));
  let poller: BenchService | undefined;
  try {
    await fusion.listen();
    const seedStarted = Date.now();
    for (let left = n; left > 0; left -= SEED_CHUNK) {
      fusion.seedPurchaseOrders({
        count: Math.min(SEED_CHUNK, left),
        locations: ['SHIPBOB-RENO', 'SHIPBOB-DALLAS'],
        items: ['SKU-TSHIRT-M', 'SKU-HOODIE-L', 'SKU-MUG'],
        linesPerPo: 3,
      });
    }
    const lines = fusion.procurement.pos.reduce((s, po) => s + po.lines.length, 0);
    note(`poller: seeded ${n} POs (${lines} lines) in ${Date.now() - seedStarted} ms`);
    await world.tenants.setConnection(
      TENANT,
      { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: fusion.options.basicUser, password: fusion.options.basicPassword } },
      'bench',
    );
    const events = await countTopic(world.kafka, world.topic('erp.purchase-order.changed.v1'));
    try {
      const started = Date.now();
      poller = await startPoller(world, probeDir, { POLLER_FEEDS: 'purchase-orders', POLLER_PAGE_SIZE: String(pageSize), POLLER_TICK_MS: '200' });
      poller.watchMemory();
      const pid = poller.proc.child.pid!;
      const cpuBefore = cpuMsOf(pid);
      const live = Date.now();
      await events.reach(Math.ceil(n / 2), 600_000, `${n} purchase-order events`);
      const halfwayRss = poller.rssMb();
      await events.reach(n, 600_000, `${n} purchase-order events`);
      const done = Date.now();
      const mem = poller.memory();
      const cpuMs = cpuMsOf(pid) - cpuBefore;
      // From the poller's first page request to the last event's Kafka timestamp: boot and the first tick excluded.
      const pageCalls = fusion.requests().filter((r) => r.path.endsWith('/purchaseOrders'));
      const firstCall = Date.parse(pageCalls[0]!.at);
      const streamSec = Math.max(0.001, (events.lastTs()! - firstCall) / 1000);
      await poller.stop();
      poller = undefined;
      const bytes = await sampleBytes(world.kafka, world.topic('erp.purchase-order.changed.v1'));
      // Batches of a page, or fewer records when a page would pass the broker's 1 MB max.message.bytes (as the product's sends).
      const ceiling = await rawProduceCeiling(n, { bytes, batch: Math.max(1, Math.min(pageSize, Math.floor((512 * 1024) / bytes))) });
      note(`poller: N=${n} ${Math.round(n / streamSec)} POs/s, ceiling ${Math.round(ceiling.perSec)} records/s (${bytes} B)`);
      const flags = serviceNodeFlags().join(' ') || "V8's defaults";
      const throughput = compareRow({
        figure: `${n} POs, page size ${pageSize}`,
        unit: 'POs/s',
        product: n / streamSec,
        ceiling: ceiling.perSec,
        ceilingLabel: ceiling.label,
        better: 'higher',
        bound: 2_000,
      });
      throughput['detail'] =
        `${lines} lines, ${pageCalls.length} page requests, poll ${round(streamSec)} s (first page request -> last event), ` +
        `boot ${round((live - started) / 1000)} s, start -> all ${round((done - started) / 1000)} s; ` +
        `poller CPU ${round(cpuMs / n, 2)} ms/PO (${Math.round(n / Math.max(0.001, cpuMs / 1000))} POs per CPU-second)`;
      const rss = compareRow({
        figure: `${n} POs, peak RSS`,
        unit: 'MB',
        product: mem.peakRssMb,
        ceiling: mem.baselineRssMb,
        ceilingLabel: 'RSS before the poll',
        better: 'lower',
        bound: 200,
      });
      rss['detail'] = `RSS @50% ${halfwayRss} MB; heap peak ${mem.peakHeapMb} MB, after GC ${mem.liveHeapMb} MB; node ${flags}`;
      // Counted after the ceiling's run: a duplicate the poller sent late would be on the topic by now.
      const exactlyOnce: Row = {
        figure: `${n} POs, events on the topic`,
        product: events.count(),
        ceiling: `${n} (POs seeded)`,
        ratio: '-',
        target: 'equal',
        verdict: events.count() === n ? 'met' : 'MISSED',
        detail: 'one erp.purchase-order.changed.v1 event per PO, none lost, none twice',
      };
      return [throughput, rss, exactlyOnce];
    } finally {
      await events.stop();
    }
  } finally {
    await poller?.stop();
    await fusion.close();
    await world.close();
    rmSync(probeDir, { recursive: true, force: true });
  }
}

export async function pollerBench(): Promise<PollerBenchResult> {
  const sizes = (process.env['BENCH_POLLER_SIZES'] ?? '2000,100000').split(',').map((s) => scaled(Number(s)));
  const pageSize = Number(process.env['BENCH_POLLER_PAGE_SIZE'] ?? 499);
  const rows: Row[] = [];
  for (const n of sizes) {
    note(`poller: N=${n}`);
    rows.push(...(await pollOnce(n, pageSize)));
  }
  return { rows };
}
