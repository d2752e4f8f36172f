// `npm start` to all-ready on a warm machine (packages installed, dist built, Kafka and PostgreSQL up, topics and
// schema in place): the wall time of `bash tools/dev.sh up` (the very command behind `npm start`) until it exits
// with every service ready, for six processes and for the combined process. The stack runs beside any other one: its
// own ports, database, topic and consumer-group suffix, .local dir and trace directory; it is stopped with
// `stack.js down` on its own pid files (never `npm stop`: Kafka and PostgreSQL stay up for everyone else).
// Ceiling: six bare `node -e` processes started at once, each answering HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT, testDatabase, testKafka, TEST_ENCRYPTION_KEYS, waitFor } from '@mlc/platform-testing';
import { compareRow, note, round, type Row } from './bench-kit';

const BOUND_S = 10;

/** `count` consecutive free ports from a random base (the stack numbers its services from one base port). */
async function freeRange(count: number): Promise<number> {
  const open = (port: number) =>
    new Promise<boolean>((res) => {
      const s = createServer();
      s.once('error', () => res(false));
      s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ok = await Promise.all(Array.from({ length: count }, (_, i) => open(base + i)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function runToExit(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code, output, ms: performance.now() - started }));
  });
}

/** The ceiling: six bare Node processes started at once, until each answers an HTTP request. */
async function sixBareNodes(): Promise<number> {
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const started = performance.now();
  const children = ports.map((port) =>
    spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' }),
  );
  try {
    await Promise.all(
      ports.map((port) =>
        waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.ok, {
          timeoutMs: 30_000,
          intervalMs: 10,
          what: 'a bare node process',
        }),
      ),
    );
    return performance.now() - started;
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
}

async function timeStart(combined: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const local = mkdtempSync(join(tmpdir(), 'mlc-bench-stack-'));
  const stackEnv = { ...env, STACK_LOCAL_DIR: local, TRACE_VIEWER_DIR: join(local, 'traces') };
  try {
    const up = await runToExit('bash', ['tools/dev.sh', 'up', ...(combined ? ['--combined'] : [])], stackEnv);
    if (up.code !== 0) throw new Error(`npm start${combined ? ' -- --combined' : ''} exited ${up.code}:\n${up.output.slice(-3000)}`);
    const printed = /all services ready in ([\d.]+) s/.exec(up.output)?.[1];
    note(`npm start${combined ? ' -- --combined' : ''}: ${round(up.ms / 1000)} s wall (stack.js says ${printed ?? '?'} s)`);
    return up.ms / 1000;
  } finally {
    await runToExit(process.execPath, [join(REPO_ROOT, 'dist/tools/stack.js'), 'down'], { ...stackEnv, STACK_STOP_GRACE_MS: '10000' });
    rmSync(local, { recursive: true, force: true });
  }
}

export async function startBench(): Promise<{ rows: Row[] }> {
  const { suffix } = await testKafka('bench-start');
  const db = await testDatabase('bench_start');
  const [servicePort, sandboxPort, traceViewerPort] = [await freeRange(6), await freeRange(21), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    KAFKA_TOPIC_SUFFIX: suffix,
    KAFKA_GROUP_ID_SUFFIX: suffix,
    MLC_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    MLC_OPERATOR_API_KEYS: `bench-start-${suffix}:*`,
    STACK_SERVICE_PORT: String(servicePort),
    STACK_SANDBOX_PORT: String(sandboxPort),
    TRACE_VIEWER_PORT: String(traceViewerPort),
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    LOG_LEVEL: 'warn',
  };
  delete env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  try {
    const ceiling = (await sixBareNodes()) / 1000;
    note(`six bare node processes answered HTTP in ${round(ceiling, 2)} s`);
    const rows: Row[] = [];
    for (const combined of [false, true]) {
      rows.push(
        compareRow({
          figure: combined ? '`npm start -- --combined` to all-ready' : '`npm start` to all-ready (six processes)',
          unit: 's',
          product: await timeStart(combined, env),
          ceiling,
          ceilingLabel: 'six bare node -e answering HTTP',
          better: 'lower',
          bound: BOUND_S,
        }),
      );
    }
    return { rows };
  } finally {
    await db.drop();
  }
}
