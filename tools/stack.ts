// `npm start` / `npm stop`: runs the whole system on this machine in the background: topic bootstrap, the partner
// sandboxes (the demo targets) and the six services, each logging to .local/logs/<name>.log.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const logs = join(root, '.local/logs');
const pids = join(root, '.local/pids');

interface Proc {
  name: string;
  script: string;
  env: Record<string, string>;
  url?: string;
}

const SERVICES = ['audit-projector', 'mapper', 'shipbob-writer', 'fusion-writer', 'oracle-poller', 'webhook-gateway'];
const SANDBOXES: Proc[] = [
  { name: 'fusion-sandbox', script: 'dist/libs/partners/fusion/simulator/src/main.js', env: { FUSION_SANDBOX_PORT: '4010' }, url: 'http://127.0.0.1:4010' },
  { name: 'shipbob-sandbox', script: 'dist/libs/partners/shipbob/simulator/src/main.js', env: { SHIPBOB_SANDBOX_PORT: '4020' }, url: 'http://127.0.0.1:4020' },
  { name: 'shopify-sandbox', script: 'dist/libs/partners/shopify/simulator/src/main.js', env: { SHOPIFY_SANDBOX_PORT: '4030' }, url: 'http://127.0.0.1:4030' },
];

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
function seedDemo(): void {
  if (!existsSync(join(root, 'dist/tools/seed-demo.js'))) return;
  console.log('demo tenant:');
  const seeded = spawnSync(process.execPath, [join(root, 'dist/tools/seed-demo.js')], { cwd: root, stdio: 'inherit' });
  if (seeded.status !== 0) console.log('  demo tenant not seeded (see the message above); the services start anyway');
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

function start(p: Proc): void {
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
  const child = spawn(process.execPath, [join(root, p.script)], { cwd: root, env: { ...process.env, ...p.env }, stdio: ['ignore', out, out], detached: true });
  child.unref();
  writeFileSync(join(pids, `${p.name}.pid`), String(child.pid));
  console.log(`  ${p.name.padEnd(18)} pid ${child.pid}${p.url ? `  ${p.url}` : ''}  log .local/logs/${p.name}.log`);
}

// Traces: the local trace viewer (tools/trace-viewer) receives OTLP on 127.0.0.1:4318 unless the environment already
// names a collector (OTEL_EXPORTER_OTLP_ENDPOINT), in which case traces go there and no viewer is started.
const TRACE_VIEWER: Proc = {
  name: 'trace-viewer',
  script: 'dist/tools/trace-viewer/main.js',
  env: { TRACE_VIEWER_PORT: '4318' },
  url: 'http://127.0.0.1:4318',
};
function startTraces(): string {
  const own = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (own) return `traces: exported to ${own} (OTEL_EXPORTER_OTLP_ENDPOINT)`;
  console.log('trace viewer:');
  start(TRACE_VIEWER);
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
    await new Promise((r) => setTimeout(r, 500));
  }
}

function lastLogLines(name: string, n = 5): string {
  const f = join(logs, `${name}.log`);
  if (!existsSync(f)) return '';
  const lines = readFileSync(f, 'utf8').trimEnd().split('\n').slice(-n);
  return lines.map((l) => `      ${l.slice(0, 300)}`).join('\n');
}

async function up(): Promise<void> {
  mkdirSync(logs, { recursive: true });
  mkdirSync(pids, { recursive: true });
  process.env['MLC_ENCRYPTION_KEYS'] = localEncryptionKeys();
  process.env['MLC_OPERATOR_API_KEYS'] = localOperatorKeys();
  const topics = spawnSync(process.execPath, [join(root, 'dist/tools/topics.js')], { cwd: root, stdio: 'inherit' });
  if (topics.status !== 0) process.exit(topics.status ?? 1);
  const migrate = spawnSync(process.execPath, [join(root, 'dist/tools/migrate.js')], { cwd: root, stdio: 'inherit' });
  if (migrate.status !== 0) process.exit(migrate.status ?? 1);
  console.log('sandboxes (demo partner systems):');
  SANDBOXES.forEach(start);
  seedDemo();
  const traces = startTraces();
  console.log('services:');
  const ports = new Map(SERVICES.map((s, i) => [s, 3001 + i]));
  for (const name of SERVICES) {
    start({ name, script: `dist/services/${name}/src/main.js`, env: { PORT: String(ports.get(name)) }, url: `http://127.0.0.1:${ports.get(name)}` });
  }
  const results = await Promise.all(SERVICES.map(async (s) => [s, await waitReady(s, `http://127.0.0.1:${ports.get(s)}`)] as const));
  const notReady = results.filter(([, why]) => why);
  if (notReady.length) process.exitCode = 1;
  else console.log('\nall services ready.');
  for (const [s, why] of notReady) console.log(`\n${s}: ${why} (log .local/logs/${s}.log); its last lines:\n${lastLogLines(s)}`);
  console.log('health: curl http://127.0.0.1:3001/health/ready   metrics: curl http://127.0.0.1:3001/metrics');
  console.log(`tenants (admin API in audit-projector, key in ${OPERATOR_KEY_FILE}):`);
  console.log(`  export MLC_API_URL=http://127.0.0.1:3001 MLC_API_KEY=$(cat ${OPERATOR_KEY_FILE})`);
  console.log('  npm run mlc -- tenants show demo        npm run mlc -- ping demo shipbob');
  console.log(traces);
  console.log('stop everything: npm stop');
}

/** How long `npm stop` lets the processes drain after SIGTERM before it kills them (Kafka goes down right after). */
const STOP_GRACE_MS = Number(process.env['STACK_STOP_GRACE_MS'] ?? 15_000);

function down(): void {
  const stopping: Array<{ name: string; pid: number }> = [];
  for (const name of [...SERVICES, ...SANDBOXES.map((s) => s.name), TRACE_VIEWER.name]) {
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
if (cmd === 'up') void up();
else if (cmd === 'down') down();
else {
  console.error('usage: stack up|down');
  process.exit(2);
}
