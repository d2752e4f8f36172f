// `npm run bench`: measures the poller, the webhook gateway and the PO pipeline on real Kafka and Postgres with the
// services as real processes and the sandboxes in-process, and prints one table each. Figures, not pass/fail.
//   BENCH_SCALE=0.1 npm run bench          smaller sizes everywhere (default 1)
//   npm run bench -- gateway pipeline      only these benchmarks (poller, gateway, pipeline, memory, start, console, projection)
import { cpus, totalmem } from 'node:os';
import { consoleBench } from './console.bench';
import { gatewayBench } from './gateway.bench';
import { note, printTable, type Row } from './bench-kit';
import { pipelineBench } from './pipeline.bench';
import { pollerBench } from './poller.bench';
import { memoryBench } from './memory.bench';
import { startBench } from './start.bench';
import { projectionBench } from './projection.bench';

const BENCHES: Record<string, { title: string; run: () => Promise<{ rows: Row[] }> }> = {
  poller: { title: 'oracle-poller: Fusion POs -> erp.purchase-order.changed.v1', run: pollerBench },
  gateway: { title: 'webhook-gateway: signed ShipBob webhooks -> shipbob.webhook.received.v1 (answer after Kafka ack)', run: gatewayBench },
  pipeline: { title: 'mapper + shipbob-writer: PO event -> ShipBob sandbox order (latency: publish -> order exists)', run: pipelineBench },
  // footprint and start (part O of issue 18)
  memory: { title: 'idle RSS: each service, the combined process, the trace viewer after M traces (BENCH_IDLE_MS idle first)', run: memoryBench },
  start: { title: '`npm start` to all-ready on a warm machine (own ports, database and topics beside any running stack)', run: startBench },
  console: { title: "ops console: first view in Debian's Chromium (fresh context each run; bound 1000 ms)", run: consoleBench },
  projection: { title: 'audit-projector: rebuild of the audit projections from offset 0 into an empty schema', run: projectionBench },
};

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !BENCHES[w]);
  if (unknown.length) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  const started = Date.now();
  process.stdout.write(
    `ml-connector benchmarks — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, BENCH_SCALE=${process.env['BENCH_SCALE'] ?? '1'}\n`,
  );
  let failed = 0;
  for (const name of names) {
    const bench = BENCHES[name]!;
    const t0 = Date.now();
    try {
      const { rows } = await bench.run();
      printTable(`${bench.title}  [${Math.round((Date.now() - t0) / 1000)} s]`, rows);
    } catch (err) {
      failed++;
      process.stdout.write(`\n== ${bench.title}\nFAILED: ${(err as Error).stack ?? String(err)}\n`);
    }
  }
  note(`done in ${Math.round((Date.now() - started) / 1000)} s${failed ? `, ${failed} benchmark(s) failed` : ''}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
