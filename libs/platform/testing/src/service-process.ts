import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { waitFor } from './wait-for';
import { needsIntegrationTier } from './test-tier';

export const REPO_ROOT = resolve(__dirname, '../../../../..');

/** A fixed credential-encryption key for tests (not a secret: it only ever protects test data). */
export const TEST_ENCRYPTION_KEYS = 'test1:bWwtY29ubmVjdG9yLXRlc3Qta2V5LTMyLWJ5dGVzISE=';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface RunningService {
  name: string;
  url: string;
  output: () => string;
  child: ChildProcess;
  /** SIGTERM (graceful) by default; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Every service process a test file started and that has not exited yet. */
const live = new Set<ChildProcess>();
let reaperInstalled = false;

/**
 * A test file that fails half-way (one of several services exits in `before`, so `after` never learns about the others)
 * must not leave services running: they would keep the file's process, and so the whole suite, alive for ever. The
 * process and its pipes are unref'd (a stop in progress refs it again, so the wait for its exit holds), and whatever is
 * still running when the file's process exits is killed.
 */
function reapOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.once('exit', () => {
    for (const c of live) if (c.exitCode === null) c.kill('SIGKILL');
  });
}

/**
 * Starts a built service (dist/services/<name>) as a real process (node's own arguments in `execArgv`) and waits until
 * it answers /health/live (`startTimeoutMs`, 90 s by default).
 */
export async function startService(
  name: string,
  env: Record<string, string>,
  opts: { execArgv?: string[]; startTimeoutMs?: number } = {},
): Promise<RunningService> {
  needsIntegrationTier('a service process');
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [...(opts.execArgv ?? []), join(REPO_ROOT, 'dist/services', name, 'src/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      MLC_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      // A run's services get consumer groups of their own: test files run side by side on one broker, and kafkajs hands
      // a group's partitions to any member, subscribed to the topic or not.
      ...(env['KAFKA_TOPIC_SUFFIX'] ? { KAFKA_GROUP_ID_SUFFIX: env['KAFKA_TOPIC_SUFFIX'] } : {}),
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  reapOnExit(child);
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`${name} exited with ${child.exitCode}: ${out.slice(-2000)}`), { fatal: true });
      return (await fetch(`${url}/health/live`).catch(() => undefined))?.ok;
    },
    // A loaded 2-core machine (npm ci beside a test run) has taken over 30 s to start a Nest service.
    { timeoutMs: opts.startTimeoutMs ?? 90_000, what: () => `${name} to answer /health/live; its output: ${out.slice(-1500)}` },
  );
  return {
    name,
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) {
        child.ref();
        child.kill(signal);
      }
      return exited;
    },
  };
}

/** GET /health/ready and return the status code. */
export async function readiness(url: string): Promise<number> {
  return (await fetch(`${url}/health/ready`).catch(() => ({ status: 0 }) as Response)).status;
}
