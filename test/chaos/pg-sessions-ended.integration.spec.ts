import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { readiness, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';

/**
 * A PostgreSQL restart or failover ends every session with 57P01 ("terminating connection due to administrator
 * command"), which pg emits as an 'error' event on idle pooled connections and on held ones. The chaos run found every
 * replica exiting on it; here the same message is sent to a service's sessions with pg_terminate_backend (the shared
 * server is never restarted): the service must stay up and be ready again.
 */
describe('a service outlives the end of its PostgreSQL sessions (as on a PostgreSQL restart)', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let service: RunningService;

  before(
    async () => {
      const { suffix } = await testKafka('pg-sessions-ended');
      db = await testDatabase('pg_sessions_ended');
      // oracle-poller holds advisory-lock sessions as well as idle pooled ones.
      service = await startService('oracle-poller', { DATABASE_URL: db.url, KAFKA_TOPIC_SUFFIX: suffix, POLLER_TICK_MS: '200' });
      await waitFor(async () => (await readiness(service.url)) === 200, { timeoutMs: 120_000, what: 'oracle-poller ready' });
    },
    { timeout: 300_000 },
  );

  after(
    async () => {
      await service?.stop();
      await db?.drop();
    },
    { timeout: 120_000 },
  );

  it('pg_terminate_backend on every session of the service: still running, ready again', { timeout: 300_000 }, async () => {
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    let ended = 0;
    try {
      await waitFor(
        async () => {
          const { rows } = await admin.query<{ n: number }>(
            'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
          );
          ended += rows[0]!.n;
          return ended > 0;
        },
        { timeoutMs: 30_000, what: 'a session of the service to end' },
      );
    } finally {
      await admin.end();
    }
    await waitFor(
      async () => {
        if (service.child.exitCode !== null)
          throw Object.assign(new Error(`oracle-poller exited with ${service.child.exitCode}: ${service.output().slice(-1500)}`), { fatal: true });
        return (await readiness(service.url)) === 200;
      },
      { timeoutMs: 60_000, what: 'oracle-poller ready again' },
    );
    assert.equal(service.child.exitCode, null);
  });
});
