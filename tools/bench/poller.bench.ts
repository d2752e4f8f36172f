// oracle-poller: N purchase orders in the Fusion sandbox -> N events on erp.purchase-order.changed.v1. Throughput and
// the poller's memory for a small and a ten times larger N (streaming page by page keeps the peak RSS flat).
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { countTopic, note, openWorld, round, scaled, TENANT, type Row } from './bench-kit';

/** The sandbox seeds at most 10 000 POs per call; larger N are seeded in chunks (in-process, no HTTP). */
const SEED_CHUNK = 10_000;

export interface PollerBenchResult {
  rows: Row[];
}

async function pollOnce(n: number, pageSize: number): Promise<Row> {
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
      return {
        POs: n,
        lines,
        'page size': pageSize,
        'page requests': pageCalls.length,
        'boot s': round((live - started) / 1000),
        'start->all s': round((done - started) / 1000),
        'poll s': round(streamSec),
        'POs/s': Math.round(n / streamSec),
        'RSS start MB': mem.baselineRssMb,
        'RSS @50% MB': halfwayRss,
        'peak RSS MB': mem.peakRssMb,
        'peak heap MB': mem.peakHeapMb,
        'heap after GC MB': mem.liveHeapMb,
      };
    } finally {
      await events.stop();
    }
  } finally {
    await fusion.close();
    await world.close();
  }
}

export async function pollerBench(): Promise<PollerBenchResult> {
  const sizes = (process.env['BENCH_POLLER_SIZES'] ?? '2000,20000').split(',').map((s) => scaled(Number(s)));
  const pageSize = Number(process.env['BENCH_POLLER_PAGE_SIZE'] ?? 200);
  const rows: Row[] = [];
  for (const n of sizes) {
    note(`poller: N=${n}`);
    rows.push(await pollOnce(n, pageSize));
  }
  return { rows };
}
