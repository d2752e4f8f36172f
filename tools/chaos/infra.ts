// The chaos run's own infrastructure, apart from the shared dev broker (9092) and PostgreSQL (5432), which are never
// touched: a three-broker KRaft cluster (deploy/local/cluster.sh in its own folder and ports) and a PostgreSQL
// server initdb'd into its own folder, both restarted on purpose during the run.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { REPO_ROOT, waitFor } from '@mlc/platform-testing';

const run = promisify(execFile);

/** The replication settings every cluster topic gets (the brokers' defaults in deploy/local/cluster.sh say the same). */
export const CLUSTER_TOPICS = { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 } as const;

export interface LocalClusterOptions {
  /**
   * JVM options for the brokers and their storage tool (JAVA_TOOL_OPTIONS), e.g. a cheaper start for a test's
   * short-lived cluster: C1 only, fewer GC threads.
   */
  jvmOptions?: string;
  /** Seconds a broker has to answer after its start (cluster.sh CLUSTER_START_TIMEOUT_S; default 240 here, 90 in the script). */
  startTimeoutS?: number;
}

/** JVM options for a test's cluster: C1 only and one GC thread, which roughly halves the CPU a broker takes to start. */
export const QUICK_START_JVM = '-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ParallelGCThreads=1 -XX:ConcGCThreads=1';

export class LocalCluster {
  constructor(
    readonly dir: string,
    readonly portBase: number,
    private readonly options: LocalClusterOptions = {},
  ) {}

  get brokers(): string[] {
    return [0, 1, 2].map((i) => `127.0.0.1:${this.portBase + i}`);
  }

  private env(): NodeJS.ProcessEnv {
    // Up to 4 minutes for a broker to answer: on a loaded machine (other specs, other runs) three JVMs start slowly.
    return {
      ...process.env,
      CLUSTER_DIR: this.dir,
      CLUSTER_PORT_BASE: String(this.portBase),
      CLUSTER_SKIP_TOPICS: '1',
      ...(this.options.jvmOptions ? { JAVA_TOOL_OPTIONS: this.options.jvmOptions } : {}),
      CLUSTER_START_TIMEOUT_S: String(this.options.startTimeoutS ?? process.env['CLUSTER_START_TIMEOUT_S'] ?? 240),
    };
  }

  private async sh(...args: string[]): Promise<void> {
    try {
      await run('bash', [join(REPO_ROOT, 'deploy/local/cluster.sh'), ...args], { env: this.env(), maxBuffer: 16 * 2 ** 20 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`cluster.sh ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: err });
    }
  }

  /** A fresh cluster: whatever an earlier run left in `dir` is removed first. */
  async upFresh(): Promise<void> {
    await this.sh('purge');
    await this.sh('up');
  }

  restartBroker(n: 1 | 2 | 3): Promise<void> {
    return this.sh('restart-broker', String(n));
  }

  down(): Promise<void> {
    return this.sh('down');
  }

  /**
   * Every broker killed at once (SIGKILL), for a test's teardown: a controlled `down` of a cluster whose data the next
   * `upFresh` purges anyway only costs time (brokers stop one by one, and the last of a KRaft quorum waits for the
   * others it can no longer reach, up to cluster.sh's 30 s).
   */
  async kill(): Promise<void> {
    const pids: number[] = [];
    for (const n of [1, 2, 3]) {
      const file = join(this.dir, `broker-${n}`, 'kafka.pid');
      const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        process.kill(pid, 'SIGKILL');
        pids.push(pid);
      }
      rmSync(file, { force: true });
    }
    await waitFor(() => pids.every((pid) => !alive(pid)), { timeoutMs: 30_000, intervalMs: 50, what: 'the killed brokers to exit' });
  }
}

/** Whether a process exists (signal 0); EPERM means it does, only not ours. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(base, v, 'bin/initdb'))) return join(base, v, 'bin');
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (npm test installs them: apt-get install postgresql)');
}

/** A PostgreSQL server of our own (initdb into `dir`, port `port`), restartable without touching anyone else's. */
export class LocalPostgres {
  private readonly bin = pgBin();
  private readonly asRoot = process.getuid?.() === 0;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  url(db: string): string {
    return `postgres://mlc:mlc@127.0.0.1:${this.port}/${db}`;
  }

  private pg(tool: string, args: string[]): void {
    const cmd = this.asRoot ? 'runuser' : join(this.bin, tool);
    const full = this.asRoot ? ['-u', 'postgres', '--', join(this.bin, tool), ...args] : args;
    const r = spawnSync(cmd, full, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  }

  private ctl(action: string, extra: string[] = []): void {
    this.pg('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-w', '-t', '120', ...extra, action]);
  }

  /** initdb (always fresh), start, and a role `mlc` (password mlc) owning database `db`. */
  async upFresh(db: string): Promise<void> {
    if (existsSync(join(this.dir, 'data/postmaster.pid'))) this.ctl('stop', ['-m', 'immediate']);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    if (this.asRoot) spawnSync('chown', ['postgres:', this.dir]);
    this.pg('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    this.start();
    const c = new Client({ connectionString: this.adminUrl });
    await c.connect();
    try {
      await c.query(`CREATE ROLE mlc LOGIN CREATEDB PASSWORD 'mlc'`);
      await c.query(`CREATE DATABASE "${db}" OWNER mlc`);
    } finally {
      await c.end();
    }
  }

  start(): void {
    this.ctl('start', ['-o', `-p ${this.port} -h 127.0.0.1 -k ${this.dir} -c max_connections=400 -c fsync=off -c shared_buffers=64MB`]);
  }

  /** `pg_ctl restart -m fast`: every session is ended, the server is down for a moment. */
  restart(): void {
    this.ctl('restart', ['-m', 'fast', '-o', `-p ${this.port} -h 127.0.0.1 -k ${this.dir} -c max_connections=400 -c fsync=off -c shared_buffers=64MB`]);
  }

  stop(): void {
    if (existsSync(join(this.dir, 'data/postmaster.pid'))) this.ctl('stop', ['-m', 'fast']);
  }
}
