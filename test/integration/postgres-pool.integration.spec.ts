import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { migrateTestDatabase, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';

const KEY = 'opskey-postgres-pool';
const POOL_MAX = 3;

interface Ready {
  status: string;
  error?: { schema?: { error?: string; pending?: string[] } };
}

/**
 * One service process against its own database: readiness reports the schema the migrator has not applied yet (and
 * liveness stays up), then, under load on both its TypeORM repositories (tenants admin API) and its raw SQL (audit
 * search), the process holds no more connections than its one pool's PG_POOL_MAX.
 */
describe('a service process: readiness checks the schema; one PostgreSQL pool per process', () => {
  let db: TestDatabase;
  let svc: RunningService;
  let pg: Client;

  const ready = async (): Promise<{ status: number; body: Ready }> => {
    const res = await fetch(`${svc.url}/health/ready`);
    return { status: res.status, body: (await res.json()) as Ready };
  };

  before(async () => {
    const { suffix } = await testKafka('pgpool');
    db = await testDatabase('pgpool', { empty: true });
    svc = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${KEY}:*`,
      PG_POOL_MAX: String(POOL_MAX),
    });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  after(async () => {
    await svc?.stop();
    await pg?.end();
    await db?.drop();
  });

  it('is not ready while its migrations are pending, names them and the migrator; ready once the migrator ran', async () => {
    const before = await waitFor(
      async () => {
        const r = await ready();
        return r.body.error?.schema ? r : undefined;
      },
      { what: () => `readiness to report the schema; output: ${svc.output().slice(-1500)}` },
    );
    assert.equal(before.status, 503);
    const schema = before.body.error!.schema!;
    assert.match(schema.error!, /^\d+ migrations pending: .*ProcessedEvents1767500000000.*; run the migrator \(`node dist\/tools\/migrate\.js`/);
    assert.equal(Number(/^(\d+)/.exec(schema.error!)![1]), schema.pending!.length);
    for (const m of ['ProcessedEvents1767500000000', 'CreateTenants1767225600000', 'CreateAuditProjections1767400000000'])
      assert.ok(schema.pending!.includes(m), m);
    assert.equal((await fetch(`${svc.url}/health/live`)).status, 200);

    await migrateTestDatabase(db.url);
    await waitFor(async () => (await ready()).status === 200, { what: 'readiness 200 after the migrator' });
  });

  it('holds at most PG_POOL_MAX connections under load on its repositories and its raw SQL together', async () => {
    const pid = svc.child.pid!;
    const connections = async () =>
      (
        await pg.query<{ app: string; n: string }>(
          // Client sessions only: an autovacuum worker also shows in the database (with no application name).
          "SELECT application_name AS app, count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1",
          [db.name],
        )
      ).rows;
    const get = (path: string) => fetch(`${svc.url}${path}`, { headers: { 'x-api-key': KEY } }).then((r) => r.status);
    let most = 0;
    const seen = new Set<string>();
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        const rows = await connections();
        rows.forEach((r) => seen.add(r.app));
        most = Math.max(
          most,
          rows.reduce((n, r) => n + Number(r.n), 0),
        );
        await new Promise((r) => setImmediate(r));
      }
    })();
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: 30 }, (_, i) => get(i % 3 === 0 ? '/admin/tenants' : i % 3 === 1 ? '/ops/audit?limit=50' : '/health/ready')),
        )),
      );
    }
    loading = false;
    await sampler;
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.deepEqual([...seen], [`audit-projector/${pid}`], 'every connection of the database is the process’s pool’s');
    assert.ok(most >= 1 && most <= POOL_MAX, `connections at most ${most}, pool max ${POOL_MAX}`);
  });
});
