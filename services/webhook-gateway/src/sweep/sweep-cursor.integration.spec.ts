import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import { PgLeaseStore } from '@mlc/platform-lease';
import { testDatabase, waitFor, type TestDatabase } from '@mlc/platform-testing';
import { runSweepIfDue, SweepCursorRepository, type SweepRun } from './sweep-cursor.repository';

/**
 * Replicas share one sweep schedule per tenant through PostgreSQL: the replica that sweeps records the run, and
 * another replica asking within the interval is told "not due" (and when it will be); a run in progress holds the
 * advisory lock. Two pools stand for two replicas.
 */
describe('runSweepIfDue: one sweep schedule per tenant across replicas (real PostgreSQL)', () => {
  let db: TestDatabase;
  let replicaA: Pool;
  let replicaB: Pool;
  before(async () => {
    db = await testDatabase('gw_sweep_schedule');
    replicaA = new Pool({ connectionString: db.url, max: 3 });
    replicaB = new Pool({ connectionString: db.url, max: 3 });
    // A session ended under a checked-out client (the advisory lock's, below) is reported here, not thrown.
    replicaA.on('error', () => undefined);
    replicaA.on('connect', (c) => c.on('error', () => undefined));
  });
  after(async () => {
    await replicaA?.end();
    await replicaB?.end();
    await db?.drop();
  });

  const run = (tenantId: string, over: Partial<SweepRun> = {}): SweepRun => ({
    lockName: `sweep:spec:${tenantId}`,
    tenantId,
    resources: ['orders', 'customers'],
    intervalMs: 60_000,
    tickMs: 5_000,
    lookbackMs: 3_600_000,
    ...over,
  });

  it('a run recorded by one replica makes the other wait for the schedule; force runs anyway', async () => {
    const swept: string[] = [];
    const first = await runSweepIfDue(replicaA, run('t1'), async (startedAt) => (swept.push(`A@${startedAt}`), { status: 'swept' as const, startedAt }));
    assert.equal(first.status, 'swept');
    const startedAt = (first as { startedAt: number }).startedAt;

    // The run is recorded for every resource of the sweep, and a resource without a cursor starts one look-back earlier.
    const cursors = new SweepCursorRepository(replicaB);
    assert.equal((await cursors.lastRun('t1', ['orders']))?.getTime(), startedAt);
    assert.equal((await cursors.lastRun('t1', ['customers']))?.getTime(), startedAt);
    assert.equal((await cursors.get('t1', 'orders'))?.getTime(), startedAt - 3_600_000);

    const second = await runSweepIfDue(replicaB, run('t1'), async () => (swept.push('B'), { status: 'swept' as const }));
    assert.deepEqual(second, { status: 'not-due', intervalMs: 60_000, nextDueAt: startedAt + 60_000 });
    // Another tenant's schedule is its own.
    assert.equal((await runSweepIfDue(replicaB, run('t2'), async () => (swept.push('B:t2'), { status: 'swept' as const }))).status, 'swept');
    // An operator's forced sweep does not wait.
    assert.equal(
      (await runSweepIfDue(replicaB, run('t1', { force: true }), async () => (swept.push('B:forced'), { status: 'swept' as const }))).status,
      'swept',
    );
    assert.deepEqual(swept.slice(1), ['B:t2', 'B:forced']);
  });

  it('due again once the interval (less the tick slack) has passed since the recorded run', async () => {
    const long = run('t3', { intervalMs: 400, tickMs: 100 });
    assert.equal((await runSweepIfDue(replicaA, long, async () => ({ status: 'swept' as const }))).status, 'swept');
    assert.equal((await runSweepIfDue(replicaB, long, async () => ({ status: 'swept' as const }))).status, 'not-due');
    // Due once 400 - min(100, 200) = 300 ms have passed since the recorded run: asked until then, it answers not-due.
    const answers: string[] = [];
    await waitFor(
      async () => {
        answers.push((await runSweepIfDue(replicaB, long, async () => ({ status: 'swept' as const }))).status);
        return answers.at(-1) === 'swept';
      },
      { intervalMs: 20, timeoutMs: 5_000, what: 'the sweep due again' },
    );
    assert.ok(
      answers.slice(0, -1).every((a) => a === 'not-due'),
      answers.join(),
    );
  });

  it('while one replica sweeps, the other is told the tenant is locked and does not sweep it', async () => {
    let release!: () => void;
    const holding = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const slow = runSweepIfDue(replicaA, run('t4'), async () => {
      entered();
      await holding;
      return { status: 'swept' as const };
    });
    await inside;
    let ranB = false;
    const blocked = await runSweepIfDue(replicaB, run('t4', { force: true }), async () => ((ranB = true), { status: 'swept' as const }));
    assert.deepEqual(blocked, { status: 'locked' });
    assert.equal(ranB, false);
    release();
    assert.equal((await slow).status, 'swept');
  });

  it("the run's lease outlives the advisory lock (a PostgreSQL restart): no second sweep; a lapsed owner moves no cursor", async () => {
    const cutOff = new Pool({ connectionString: db.url, max: 2 }); // A's lease renewals go through this pool
    cutOff.on('error', () => undefined);
    const leased = (pool: Pool, ttlMs: number) => ({ store: new PgLeaseStore(pool), ttlMs });
    let release!: () => void;
    const holding = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const slow = runSweepIfDue(replicaA, run('t5', { lease: leased(cutOff, 600) }), async () => {
      entered();
      await holding;
      await new SweepCursorRepository(replicaA).advance('t5', 'orders', new Date('2030-01-01T00:00:00Z'));
      return { status: 'swept' as const };
    });
    await inside;
    // The restart drops every session, and with it the advisory lock: only the lease still says A is sweeping.
    const ended = await replicaB.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
      [db.name],
    );
    assert.equal(ended.rowCount, 1, "A's advisory lock session ended");
    let ranB = 0;
    const sweepB = () =>
      runSweepIfDue(replicaB, run('t5', { force: true, lease: leased(replicaB, 10_000) }), async () => {
        ranB++;
        await new SweepCursorRepository(replicaB).advance('t5', 'orders', new Date('2029-01-01T00:00:00Z'));
        return { status: 'swept' as const };
      });
    assert.deepEqual(await sweepB(), { status: 'locked' }, 'B does not sweep while A holds the lease');
    assert.equal(ranB, 0);

    // A is cut off (paused, partitioned): its lease lapses after the TTL and B takes the sweep over.
    await cutOff.end();
    await waitFor(async () => (await sweepB()).status === 'swept', { timeoutMs: 10_000, what: 'B to sweep once A lease lapsed' });
    assert.equal(ranB, 1);
    // A wakes up and tries to move the cursor past B's: fenced out.
    release();
    await assert.rejects(slow, (e: unknown) => (e as { code?: string }).code === 'LEASE.LOST');
    assert.equal((await new SweepCursorRepository(replicaB).get('t5', 'orders'))?.toISOString(), '2029-01-01T00:00:00.000Z');
  });
});
