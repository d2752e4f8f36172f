import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'pg';
import { testDatabase, waitFor, type TestDatabase } from '@mlc/platform-testing';
import { LeaseKeeper, LeaseLostError, PgLeaseStore } from './index';

/** Two keepers over two pools stand for two replicas of a service on one database. */
describe('leases in PostgreSQL', () => {
  let db: TestDatabase;
  let poolA: Pool;
  let poolB: Pool;

  before(async () => {
    db = await testDatabase('lease');
    poolA = new Pool({ connectionString: db.url, max: 3 });
    poolB = new Pool({ connectionString: db.url, max: 3 });
  });

  after(async () => {
    await poolA?.end();
    await poolB?.end();
    await db?.drop();
  });

  it('one owner at a time; a takeover after expiry raises the token and fences the old owner out of its commit', async () => {
    const store = new PgLeaseStore(poolA);
    const [a] = await store.acquire(['t1:feed'], 'replica-a', 400);
    assert.equal(a?.owner, 'replica-a');
    assert.deepEqual(await new PgLeaseStore(poolB).acquire(['t1:feed'], 'replica-b', 400), [], 'held: B does not get it');
    // A stops renewing (paused or dead): after the TTL, B takes it with the next token.
    const [b] = await waitFor(async () => {
      const got = await new PgLeaseStore(poolB).acquire(['t1:feed'], 'replica-b', 10_000);
      return got.length ? got : undefined;
    });
    assert.equal(b?.owner, 'replica-b');
    assert.equal(BigInt(b!.token), BigInt(a!.token) + 1n);
    // A wakes up and tries to commit under its old token: refused inside its transaction, which it then rolls back.
    const client = await poolA.connect();
    try {
      await client.query('BEGIN');
      await assert.rejects(store.assertHeld(client, 't1:feed', a!.token), (e: unknown) => e instanceof LeaseLostError && e.code === 'LEASE.LOST');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    // A's renewal fails too; B's succeeds.
    assert.deepEqual(await store.renew([a!], 'replica-a', 10_000), []);
    assert.equal((await store.renew([b!], 'replica-b', 10_000)).length, 1);
    const c = await poolB.connect();
    try {
      await new PgLeaseStore(poolB).assertHeld(c, 't1:feed', b!.token);
    } finally {
      c.release();
    }
  });

  it('keepers share the wanted names without overlap, and a stopped keeper hands its leases over at once', async () => {
    const names = ['k:t1', 'k:t2', 'k:t3'];
    const keeperA = new LeaseKeeper(new PgLeaseStore(poolA), { ttlMs: 60_000, owner: 'keeper-a' });
    const keeperB = new LeaseKeeper(new PgLeaseStore(poolB), { ttlMs: 60_000, owner: 'keeper-b' });
    keeperA.want(names);
    keeperB.want(names);
    await keeperA.sync();
    await keeperB.sync();
    assert.deepEqual(keeperA.heldNames().sort(), names);
    assert.deepEqual(keeperB.heldNames(), []);
    const signal = keeperA.held('k:t2')!.signal;
    await keeperA.stop();
    assert.equal(signal.aborted, true, 'work under a released lease is told to stop');
    await keeperB.sync();
    assert.deepEqual(keeperB.heldNames().sort(), names, 'B took every lease without waiting for the 60 s TTL');
    const rows = await new PgLeaseStore(poolA).list('k:');
    assert.deepEqual(
      rows.map((r) => [r.name, r.owner, r.token, r.live]),
      names.map((n) => [n, 'keeper-b', '2', true]),
    );
    await keeperB.stop();
  });

  it('a keeper that cannot renew drops its lease by its own clock, before another replica may take it', async () => {
    const deadPool = new Pool({ connectionString: db.url, max: 1 });
    const keeper = new LeaseKeeper(new PgLeaseStore(deadPool), { ttlMs: 500, owner: 'cut-off' });
    keeper.want(['cut:t1']);
    await keeper.sync();
    const lease = keeper.held('cut:t1');
    assert.ok(lease?.valid());
    if (!lease) return;
    await deadPool.end(); // the database is out of reach from now on
    await keeper.sync(); // the renewal fails
    await waitFor(() => lease.signal.aborted || !lease.valid(), { what: 'the lease to lapse locally' });
    assert.equal(keeper.held('cut:t1'), undefined);
    const [taken] = await waitFor(async () => {
      const got = await new PgLeaseStore(poolB).acquire(['cut:t1'], 'other', 10_000);
      return got.length ? got : undefined;
    });
    assert.equal(taken?.token, '2');
  });
});
