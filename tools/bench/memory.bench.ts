// Idle footprint: each service's resident set after it is ready and idle (BENCH_IDLE_MS, default 30 s), beside the
// ceiling of a bare Node process that loads nothing but node:http; the combined process (all six services in one) vs
// its 300 MB bound; the trace viewer after M traces (its ring buffer must hold it flat). RSS from /proc/<pid>/status.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT, startService, waitFor } from '@mlc/platform-testing';
import { serviceNodeFlags, TRACE_VIEWER_NODE_FLAGS } from '../node-flags';
import { BenchService, compareRow, note, openWorld, round, scaled, sleep, type Row, type World } from './bench-kit';

const SERVICES = ['audit-projector', 'mapper', 'shipbob-writer', 'fusion-writer', 'oracle-poller', 'webhook-gateway'];
const SERVICE_BOUND_MB = 120;
const COMBINED_BOUND_MB = 300;
const TRACE_VIEWER_BOUND_MB = 150;

const portKey = (service: string): string => `${service.toUpperCase().replace(/-/g, '_')}_PORT`;
const idleMs = (): number => Number(process.env['BENCH_IDLE_MS'] ?? 30_000);

export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : Number.NaN;
}

/** Waits for GET <url>/health/ready to answer 200 (the service's Kafka, consumers and Postgres are up). */
async function ready(url: string, what: string): Promise<void> {
  await waitFor(async () => (await fetch(`${url}/health/ready`).catch(() => undefined))?.ok, { timeoutMs: 180_000, what: `${what} ready` });
}

/** The ceiling: a Node process that loads node:http, listens and answers (what any HTTP service costs at least). */
export async function bareNode(): Promise<{ child: ChildProcess; url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok, { timeoutMs: 30_000, what: 'bare node:http process' });
  return { child, url, stop: () => void child.kill('SIGKILL') };
}

/**
 * A service (or the combined process) started as `npm start` starts it: the launchers' V8 flags as node's arguments,
 * the heap probe preloaded, this world's database and topics.
 */
async function startMeasured(world: World, name: string, combined: boolean, extra: Record<string, string> = {}): Promise<BenchService> {
  const heapFile = join(probeDir, `${name}.json`);
  const env = {
    ...world.env,
    NODE_OPTIONS: `--require ${join(__dirname, 'heap-probe.js')}`,
    BENCH_HEAP_FILE: heapFile,
    SHOPIFY_SWEEP_ENABLED: 'false',
    ...extra,
  };
  const s = new BenchService(await startService(name, env, { execArgv: serviceNodeFlags(combined) }), heapFile);
  started.push(s);
  return s;
}
let probeDir = '';
const started: BenchService[] = [];

async function separateServices(world: World, ceiling: number): Promise<Row[]> {
  // One after the other: six Nest processes booting at once on a loaded 2-core machine can exceed the start timeout.
  const services = [];
  for (const s of SERVICES) services.push(await startMeasured(world, s, false));
  await Promise.all(services.map((s) => ready(s.url, s.proc.name)));
  note(`six services ready; idle ${idleMs() / 1000} s`);
  await sleep(idleMs());
  const rows = services.map((s) => {
    const heap = s.heap();
    return {
      ...compareRow({
        figure: `${s.proc.name} idle RSS`,
        unit: 'MB',
        product: s.rssMb(),
        ceiling,
        ceilingLabel: 'bare node:http',
        better: 'lower',
        bound: SERVICE_BOUND_MB,
      }),
      heap: heap ? `${round(heap.heapUsed / 2 ** 20)} MB` : '?',
    };
  });
  await Promise.all(services.map((s) => s.stop()));
  return rows;
}

async function combinedProcess(world: World, ceiling: number): Promise<Row[]> {
  // audit-projector takes PORT (the one startService picks and waits on), every other service its own <NAME>_PORT.
  const others = SERVICES.slice(1);
  const ports = Object.fromEntries(await Promise.all(others.map(async (s) => [portKey(s), String(await freePort())] as const)));
  const combined = await startMeasured(world, 'combined', true, ports);
  await Promise.all([ready(combined.url, 'combined audit-projector'), ...others.map((s) => ready(`http://127.0.0.1:${ports[portKey(s)]}`, `combined ${s}`))]);
  note(`combined process ready; idle ${idleMs() / 1000} s`);
  await sleep(idleMs());
  const heap = combined.heap();
  const row = {
    ...compareRow({
      figure: 'combined process (six services) idle RSS',
      unit: 'MB',
      product: combined.rssMb(),
      ceiling,
      ceilingLabel: 'bare node:http',
      better: 'lower',
      bound: COMBINED_BOUND_MB,
    }),
    heap: heap ? `${round(heap.heapUsed / 2 ** 20)} MB` : '?',
  };
  await combined.stop();
  return [row];
}

/** Feeds the trace viewer M traces of 6 spans over OTLP/HTTP JSON (what the services send), then reads its RSS. */
async function traceViewer(ceiling: number): Promise<Row[]> {
  const traces = scaled(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-traces-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...TRACE_VIEWER_NODE_FLAGS, join(REPO_ROOT, 'dist/tools/trace-viewer/main.js')], {
    env: { ...process.env, TRACE_VIEWER_PORT: String(port), TRACE_VIEWER_DIR: dir },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok, { timeoutMs: 30_000, what: 'trace viewer' });
    const batch = 100;
    for (let t = 0; t < traces; t += batch) {
      const spans = [];
      for (let i = t; i < Math.min(traces, t + batch); i++) {
        const traceId = (i + 1).toString(16).padStart(32, '0');
        for (let n = 0; n < 6; n++)
          spans.push({
            traceId,
            spanId: (i * 8 + n + 1).toString(16).padStart(16, '0'),
            parentSpanId: n === 0 ? '' : (i * 8 + 1).toString(16).padStart(16, '0'),
            name: n === 0 ? 'process erp.purchase-order.changed.v1' : `send fulfilment.shipbob-order.requested.v1`,
            kind: 5,
            startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
            endTimeUnixNano: String(BigInt(Date.now() + 3) * 1_000_000n),
            attributes: [
              { key: 'mlc.tenant_id', value: { stringValue: 'bench' } },
              { key: 'mlc.business_id', value: { stringValue: `PO-${i}` } },
            ],
            status: {},
          });
      }
      const body = {
        resourceSpans: [
          { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'mapper' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] },
        ],
      };
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`trace viewer answered ${res.status}: ${await res.text()}`);
    }
    await sleep(2_000);
    return [
      compareRow({
        figure: `trace viewer RSS after ${traces.toLocaleString('en-US')} traces (ring of 2,000)`,
        unit: 'MB',
        product: rssMb(child.pid!),
        ceiling,
        ceilingLabel: 'bare node:http',
        better: 'lower',
        bound: TRACE_VIEWER_BOUND_MB,
      }),
    ];
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function memoryBench(): Promise<{ rows: Row[] }> {
  const bare = await bareNode();
  const world = await openWorld('memory');
  probeDir = mkdtempSync(join(tmpdir(), 'mlc-bench-memory-'));
  try {
    await sleep(idleMs());
    const ceiling = rssMb(bare.child.pid!);
    note(`bare node:http idle RSS ${ceiling} MB`);
    const only = process.env['BENCH_MEMORY_PARTS']?.split(',');
    const rows: Row[] = [];
    if (!only || only.includes('services')) rows.push(...(await separateServices(world, ceiling)));
    if (!only || only.includes('combined')) rows.push(...(await combinedProcess(world, ceiling)));
    if (!only || only.includes('trace-viewer')) rows.push(...(await traceViewer(ceiling)));
    return { rows };
  } catch (err) {
    note(world.logs(40));
    throw err;
  } finally {
    bare.stop();
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
    await world.close();
    rmSync(probeDir, { recursive: true, force: true });
  }
}
