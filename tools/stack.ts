// `npm start` / `npm stop`: runs the whole system on this machine in the background: topic bootstrap, the partner
// sandboxes (the demo targets) and the six services, each logging to .local/logs/<name>.log.
// `npm start -- --combined`: the six services in ONE process (services/combined, log .local/logs/combined.log), same
// ports and configuration. Ports: STACK_SERVICE_PORT (3001: the six services get 3001..3006), STACK_SANDBOX_PORT (4010:
// Fusion, +10 ShipBob, +20 Shopify), TRACE_VIEWER_PORT (4318); STACK_LOCAL_DIR (.local) holds logs and pids, so a
// second stack (a benchmark) can run beside the first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serviceNodeFlags, TRACE_VIEWER_NODE_FLAGS } from './node-flags';

const root = resolve(__dirname, '..', '..');
const local = resolve(root, process.env['STACK_LOCAL_DIR'] ?? '.local');
const logs = join(local, 'logs');
const pids = join(local, 'pids');
const servicePort = Number(process.env['STACK_SERVICE_PORT'] ?? 3001);
const sandboxPort = Number(process.env['STACK_SANDBOX_PORT'] ?? 4010);
const traceViewerPort = Number(process.env['TRACE_VIEWER_PORT'] ?? 4318);

interface Proc {
  name: string;
  script: string;
  env: Record<string, string>;
  url?: string;
}

const SERVICES = ['audit-projector', 'mapper', 'shipbob-writer', 'fusion-writer', 'oracle-poller', 'webhook-gateway'];
const portOf = (service: string): number => servicePort + SERVICES.indexOf(service);
const sandbox = (name: string, script: string, portEnv: string, port: number): Proc => ({
  name: `${name}-sandbox`,
  script,
  env: { [portEnv]: String(port) },
  url: `http://127.0.0.1:${port}`,
});
const SANDBOXES: Proc[] = [
  sandbox('fusion', 'dist/libs/partners/fusion/simulator/src/main.js', 'FUSION_SANDBOX_PORT', sandboxPort),
  sandbox('shipbob', 'dist/libs/partners/shipbob/simulator/src/main.js', 'SHIPBOB_SANDBOX_PORT', sandboxPort + 10),
  sandbox('shopify', 'dist/libs/partners/shopify/simulator/src/main.js', 'SHOPIFY_SANDBOX_PORT', sandboxPort + 20),
];
/** The combined process (all six services in one), started instead of the six by `npm start -- --combined`. */
const COMBINED = 'combined';

/**
 * The credential-encryption key of this machine's stack: made once into .local/secrets (mode 600), reused after,
 * unless MLC_ENCRYPTION_KEYS is already set.
 */
function localEncryptionKeys(): string {
  if (process.env['MLC_ENCRYPTION_KEYS']) return process.env['MLC_ENCRYPTION_KEYS'];
  const dir = join(root, '.local/secrets');
  const file = join(dir, 'encryption-keys');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `local1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * This machine's operator API key (the admin API in audit-projector, the ops API and the `mlc` CLI): made once into
 * .local/secrets/operator-api-key (mode 600), reused after. Every process gets MLC_OPERATOR_API_KEYS=<key>:* unless
 * MLC_OPERATOR_API_KEYS is already set.
 */
const OPERATOR_KEY_FILE = '.local/secrets/operator-api-key';
function localOperatorKeys(): string {
  if (process.env['MLC_OPERATOR_API_KEYS']) return process.env['MLC_OPERATOR_API_KEYS'];
  const file = join(root, OPERATOR_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(join(root, '.local/secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(file, `mlc_local_${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  }
  return `${readFileSync(file, 'utf8').trim()}:*`;
}

/** Tenant `demo` against the sandboxes (credentials, mappings, webhooks to the gateway). Idempotent. */
async function seedDemo(): Promise<void> {
  if (!existsSync(join(root, 'dist/tools/seed-demo.js'))) return;
  const [fusion, shipbob, shopify] = SANDBOXES.map((s) => s.url!);
  const env = {
    DEMO_FUSION_URL: fusion!,
    DEMO_SHIPBOB_URL: shipbob!,
    DEMO_SHOPIFY_URL: shopify!,
    DEMO_WEBHOOK_GATEWAY_URL: `http://127.0.0.1:${portOf('webhook-gateway')}`,
  };
  const { status, output } = await run(join(root, 'dist/tools/seed-demo.js'), env);
  console.log(`demo tenant:\n${output.trimEnd()}`);
  if (status !== 0) console.log('  demo tenant not seeded (see the message above); the services start anyway');
}

/** Runs a node script to its end, its output collected (several run at once, so their lines must not interleave). */
function run(script: string, env: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [script], {
      cwd: root,
      env: { NODE_COMPILE_CACHE: join(local, 'compile-cache'), ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (status) => done({ status, output }));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidOf = (name: string): number | undefined => {
  const f = join(pids, `${name}.pid`);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8'));
  return alive(pid) ? pid : undefined;
};

function start(p: Proc, flags: string[] = []): void {
  const running = pidOf(p.name);
  if (running) {
    console.log(`  ${p.name.padEnd(18)} already running (pid ${running})`);
    return;
  }
  if (!existsSync(join(root, p.script))) {
    console.log(`  ${p.name.padEnd(18)} not built yet (${p.script} missing): skipped`);
    return;
  }
  const out = openSync(join(logs, `${p.name}.log`), 'a');
  const child = spawn(process.execPath, [...flags, join(root, p.script)], {
    cwd: root,
    // Node's compile cache: V8 code of every module (Nest, kafkajs, TypeORM, ours) kept on disk from the previous start,
    // so a warm start reads bytecode instead of compiling ~2,000 files in each of the six processes.
    env: { NODE_COMPILE_CACHE: join(local, 'compile-cache'), ...process.env, ...p.env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  child.unref();
  writeFileSync(join(pids, `${p.name}.pid`), String(child.pid));
  console.log(`  ${p.name.padEnd(18)} pid ${child.pid}${p.url ? `  ${p.url}` : ''}  log ${join(logs, `${p.name}.log`)}`);
}

// Traces: the local trace viewer (tools/trace-viewer) receives OTLP on 127.0.0.1:4318 unless the environment already
// names a collector (OTEL_EXPORTER_OTLP_ENDPOINT), in which case traces go there and no viewer is started.
const TRACE_VIEWER: Proc = {
  name: 'trace-viewer',
  script: 'dist/tools/trace-viewer/main.js',
  env: { TRACE_VIEWER_PORT: String(traceViewerPort) },
  url: `http://127.0.0.1:${traceViewerPort}`,
};
function startTraces(): string {
  const own = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (own) return `traces: exported to ${own} (OTEL_EXPORTER_OTLP_ENDPOINT)`;
  start(TRACE_VIEWER, TRACE_VIEWER_NODE_FLAGS);
  process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = TRACE_VIEWER.url!;
  return `traces: ${TRACE_VIEWER.url} (search a POHeaderId, reference id or tenant; one trace per record)`;
}

/** Ready, or why not: the process exited, or it did not answer ready in time (a cold machine can take minutes). */
async function waitReady(name: string, url: string, timeoutMs = Number(process.env['STACK_READY_TIMEOUT_MS'] ?? 180_000)): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return undefined;
    if (!pidOf(name)) return 'exited';
    if (Date.now() > deadline) return `not ready after ${Math.round(timeoutMs / 1000)} s`;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function lastLogLines(name: string, n = 5): string {
  const f = join(logs, `${name}.log`);
  if (!existsSync(f)) return '';
  const lines = readFileSync(f, 'utf8').trimEnd().split('\n').slice(-n);
  return lines.map((l) => `      ${l.slice(0, 300)}`).join('\n');
}

/**
 * Everything that does not depend on anything else starts at once: the sandboxes and the trace viewer while the
 * topics and migrations run (in parallel: topics need only Kafka, migrations only PostgreSQL), then the services
 * while the demo tenant is seeded. The time to all-ready is printed at the end (`npm run bench -- start` measures it).
 */
async function up(args: string[]): Promise<void> {
  const started = Date.now();
  const combined = args.includes('--combined');
  mkdirSync(logs, { recursive: true });
  mkdirSync(pids, { recursive: true });
  process.env['MLC_ENCRYPTION_KEYS'] = localEncryptionKeys();
  process.env['MLC_OPERATOR_API_KEYS'] = localOperatorKeys();
  console.log('sandboxes (demo partner systems) and trace viewer:');
  SANDBOXES.forEach((p) => start(p));
  const traces = startTraces();
  const [topics, migrate] = await Promise.all([run(join(root, 'dist/tools/topics.js')), run(join(root, 'dist/tools/migrate.js'))]);
  process.stdout.write(topics.output + migrate.output);
  console.log(`topics and migrations done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (topics.status !== 0 || migrate.status !== 0) process.exit((topics.status || migrate.status) ?? 1);
  console.log(combined ? 'services (combined: all six in one process):' : 'services:');
  if (combined) {
    const running = SERVICES.map((s) => [s, pidOf(s)] as const).filter(([, pid]) => pid);
    if (running.length) console.log(`  separate service processes already run (${running.map(([s]) => s).join(', ')}): npm stop first`);
    start({ name: COMBINED, script: 'dist/services/combined/src/main.js', env: { PORT: String(servicePort) } }, serviceNodeFlags(true));
  } else {
    if (pidOf(COMBINED)) console.log('  the combined process already runs (npm start -- --combined): npm stop first');
    for (const name of SERVICES) {
      start(
        { name, script: `dist/services/${name}/src/main.js`, env: { PORT: String(portOf(name)) }, url: `http://127.0.0.1:${portOf(name)}` },
        serviceNodeFlags(),
      );
    }
  }
  const [results] = await Promise.all([
    Promise.all(SERVICES.map(async (s) => [s, await waitReady(combined ? COMBINED : s, `http://127.0.0.1:${portOf(s)}`)] as const)),
    seedDemo(),
  ]);
  const notReady = results.filter(([, why]) => why);
  if (notReady.length) process.exitCode = 1;
  else console.log(`\nall services ready in ${((Date.now() - started) / 1000).toFixed(1)} s${combined ? ' (combined process)' : ''}.`);
  for (const [s, why] of notReady) {
    const log = combined ? COMBINED : s;
    console.log(`\n${s}: ${why} (log ${join(logs, `${log}.log`)}); its last lines:\n${lastLogLines(log)}`);
  }
  const api = `http://127.0.0.1:${portOf('audit-projector')}`;
  console.log(`health: curl ${api}/health/ready   metrics: curl ${api}/metrics`);
  console.log(`tenants (admin API in audit-projector, key in ${OPERATOR_KEY_FILE}):`);
  console.log(`  export MLC_API_URL=${api} MLC_API_KEY=$(cat ${OPERATOR_KEY_FILE})`);
  console.log('  npm run mlc -- tenants show demo        npm run mlc -- ping demo shipbob');
  console.log(traces);
  console.log('stop everything: npm stop');
}

/** How long `npm stop` lets the processes drain after SIGTERM before it kills them (Kafka goes down right after). */
const STOP_GRACE_MS = Number(process.env['STACK_STOP_GRACE_MS'] ?? 15_000);

function down(): void {
  const stopping: Array<{ name: string; pid: number }> = [];
  for (const name of [...SERVICES, COMBINED, ...SANDBOXES.map((s) => s.name), TRACE_VIEWER.name]) {
    const pid = pidOf(name);
    if (pid) {
      process.kill(pid, 'SIGTERM');
      stopping.push({ name, pid });
    }
    rmSync(join(pids, `${name}.pid`), { force: true });
  }
  // Wait for them to exit: a service still draining when the broker stops could hang on to its port, and the next
  // `npm start` would fail on it. Whatever has not exited within the grace time is killed.
  const deadline = Date.now() + STOP_GRACE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (stopping.some((p) => alive(p.pid)) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 200);
  for (const { name, pid } of stopping) {
    if (alive(pid)) {
      process.kill(pid, 'SIGKILL');
      console.log(`killed ${name} (pid ${pid}): still running ${STOP_GRACE_MS / 1000} s after SIGTERM`);
    } else console.log(`stopped ${name} (pid ${pid})`);
  }
}

const cmd = process.argv[2];
if (cmd === 'up') void up(process.argv.slice(3));
else if (cmd === 'down') down();
else {
  console.error('usage: stack up|down');
  process.exit(2);
}
