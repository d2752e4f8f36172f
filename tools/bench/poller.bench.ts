// oracle-poller: N purchase orders in the Fusion sandbox -> N events on erp.purchase-order.changed.v1. Throughput and
// the poller's memory for a small and a fifty times larger N (streaming page by page keeps the peak RSS flat).
// Ceiling, measured in the same run: raw kafkajs produce of N records of the events' size (acks all, one after the
// other in batches of a page).
import type { Kafka } from 'kafkajs';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { compareRow, countTopic, note, openWorld, round, scaled, TENANT, type Row } from './bench-kit';
import { rawProduceCeiling } from './ceilings';

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

/** The sandbox seeds at most 10 000 POs per call; larger N are seeded in chunks (in-process, no HTTP). */
const SEED_CHUNK = 10_000;

export interface PollerBenchResult {
  rows: Row[];
}

async function pollOnce(n: number, pageSize: number): Promise<Row[]> {
  const world = await openWorld('poller');
  const fusion = new FusionSandbox({ seed: 11 });
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
      const poller = await world.start('oracle-poller', { POLLER_FEEDS: 'purchase-orders', POLLER_PAGE_SIZE: String(pageSize), POLLER_TICK_MS: '200' });
      poller.watchMemory();
      const live = Date.now();
      await events.reach(Math.ceil(n / 2), 600_000, `${n} purchase-order events`);
      const halfwayRss = poller.rssMb();
      await events.reach(n, 600_000, `${n} purchase-order events`);
      const done = Date.now();
      const mem = poller.memory();
      // From the poller's first page request to the last event's Kafka timestamp: boot and the first tick excluded.
      const pageCalls = fusion.requests().filter((r) => r.path.endsWith('/purchaseOrders'));
      const firstCall = Date.parse(pageCalls[0]!.at);
      const streamSec = Math.max(0.001, (events.lastTs()! - firstCall) / 1000);
      await poller.stop();
      if (events.count() !== n) note(`poller: WARNING ${events.count()} events for ${n} POs (duplicates?)`);
      const bytes = await sampleBytes(world.kafka, world.topic('erp.purchase-order.changed.v1'));
      // Batches of a page, or fewer records when a page would pass the broker's 1 MB max.message.bytes (as the product's sends).
      const ceiling = await rawProduceCeiling(n, { bytes, batch: Math.max(1, Math.min(pageSize, Math.floor((512 * 1024) / bytes))) });
      note(`poller: N=${n} ${Math.round(n / streamSec)} POs/s, ceiling ${Math.round(ceiling.perSec)} records/s (${bytes} B)`);
      const throughput: Row = {
        ...compareRow({
          figure: `${n} POs, page size ${pageSize}`,
          unit: 'POs/s',
          product: n / streamSec,
          ceiling: ceiling.perSec,
          ceilingLabel: ceiling.label,
          better: 'higher',
          bound: 2_000,
        }),
        lines,
        'page requests': pageCalls.length,
        'boot s': round((live - started) / 1000),
        'start->all s': round((done - started) / 1000),
        'poll s': round(streamSec),
        'RSS start MB': mem.baselineRssMb,
        'RSS @50% MB': halfwayRss,
        'peak heap MB': mem.peakHeapMb,
        'heap after GC MB': mem.liveHeapMb,
      };
      const rss = compareRow({
        figure: `${n} POs, peak RSS`,
        unit: 'MB',
        product: mem.peakRssMb,
        ceiling: mem.baselineRssMb,
        ceilingLabel: 'RSS before the poll',
        better: 'lower',
        bound: 200,
      });
      return [throughput, rss];
    } finally {
      await events.stop();
    }
  } finally {
    await fusion.close();
    await world.close();
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
