// The one migrator, run exactly as the Helm pre-install/pre-upgrade hook Job runs it: the chart is rendered with its
// values, the migrate Job's container (the image's entrypoint with the Job's args) is executed against an empty
// PostgreSQL database, and every service's tables must then exist. A database left by the retired mechanisms
// (runSqlMigrations + mlc_migrations, first-use DDL) must upgrade in place to the same schema, keeping its rows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { migrateDatabase, pendingMigrations, PLATFORM_MIGRATION_SET } from '@mlc/platform-service';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { TENANTS_MIGRATION_SET } from '@mlc/tenants';
import { AUDIT_MIGRATION_SET } from '../../services/audit-projector/src/audit/migrations';
import { ALL_MIGRATION_SETS } from '../../tools/migration-sets';
import { applyLegacySqlMigrations } from './fixtures/legacy-schema';
import { ensureHelm, REPO_ROOT, renderChart, VALUES_DIR, type K8sObject } from './helm.runner';

/** Every table each owner's migrations create (a new table belongs here too). */
const TABLES: Record<string, string[]> = {
  platform: ['processed_events'],
  'platform-lease': ['platform_leases'],
  tenants: ['tenants', 'tenant_connections', 'tenant_mappings', 'tenant_config_history', 'partner_tokens', 'tenant_config_outbox'],
  'audit-projector': ['audit_entries', 'audit_xrefs', 'audit_exceptions', 'audit_billing_records', 'audit_flow_states'],
  'oracle-poller': ['poller_feed_state', 'poller_emitted', 'poller_inflight', 'poller_backfill_requests'],
  'webhook-gateway': ['gateway_deliveries', 'gateway_sweep_cursors'],
  mapper: [
    'mapper_shopify_orders',
    'mapper_shopify_refunds',
    'mapper_shopify_customers',
    'mapper_po_orders',
    'mapper_po_headers',
    'mapper_shipment_orders',
    'mapper_shipment_shipments',
    'mapper_shipment_deliveries',
    'mapper_shipment_emitted',
    'mapper_shipment_charges',
    'mapper_shipment_po_lines',
    'mapper_shipment_confirmed_receipts',
  ],
  'fusion-writer': ['fusion_writer_po_writes', 'fusion_writer_receivables_done', 'fusion_writer_receivables_customers', 'fusion_writer_receivables_waiting'],
};

interface HookCommand {
  args: string[];
  env: Record<string, string>;
}

let hook: HookCommand;
const dbs: TestDatabase[] = [];

/** The rendered migrate hook Job: its args (run by the image's entrypoint) and the ConfigMap it takes env from. */
async function migrateHook(): Promise<HookCommand> {
  const out = await renderChart(ensureHelm(), { valuesFiles: [join(VALUES_DIR, 'minimal.yaml')] });
  assert.equal(out.error, undefined, out.error);
  const job = out.objects.find((o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === 'migrate');
  assert.ok(job, 'the chart renders a migrate Job');
  assert.match(String(job.metadata.annotations?.['helm.sh/hook']), /pre-install/);
  assert.match(String(job.metadata.annotations?.['helm.sh/hook']), /pre-upgrade/);
  const container = (job as any).spec.template.spec.containers[0];
  assert.equal(container.command, undefined, 'the Job runs the image entrypoint');
  const cmName = container.envFrom.find((e: any) => e.configMapRef)?.configMapRef.name;
  const cm = out.objects.find((o: K8sObject) => o.kind === 'ConfigMap' && o.metadata.name === cmName) as any;
  return { args: container.args as string[], env: (cm?.data ?? {}) as Record<string, string> };
}

/** Runs the hook Job's container command (deploy/docker/entrypoint.sh + args, cwd = the image's /app) on `url`. */
async function runHook(url: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const env = { ...process.env, ...hook.env, DATABASE_URL: url };
  try {
    const r = await promisify(execFile)('sh', [join(REPO_ROOT, 'deploy/docker/entrypoint.sh'), ...hook.args], { cwd: REPO_ROOT, env });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

async function tablesOf(pool: Pool): Promise<Set<string>> {
  const r = await pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'`);
  return new Set(r.rows.map((x) => x.t));
}

/** Columns and indexes of the product's tables (not the migrators' own records), as comparable lines. */
async function schemaOf(pool: Pool): Promise<string[]> {
  const product = Object.values(TABLES).flat();
  const cols = await pool.query<{ l: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS l
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY($1)`,
    [product],
  );
  const idx = await pool.query<{ l: string }>(`SELECT indexdef AS l FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1)`, [product]);
  return [...cols.rows, ...idx.rows].map((r) => r.l).sort();
}

before(async () => {
  hook = await migrateHook();
});

after(async () => {
  for (const db of dbs) await db.drop().catch(() => undefined);
});

describe('the migrator, run as the Helm hook Job runs it', () => {
  it('applies every migration to an empty database: every service has its tables', async () => {
    const db = await testDatabase('mig_hook', { empty: true });
    dbs.push(db);
    const pool = new Pool({ connectionString: db.url, max: 2 });
    try {
      const run = await runHook(db.url);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /migrations applied: .*ProcessedEvents/);
      const tables = await tablesOf(pool);
      for (const [owner, list] of Object.entries(TABLES)) {
        for (const t of list) assert.ok(tables.has(t), `${owner}: table ${t} missing`);
      }
      assert.deepEqual(await pendingMigrations(pool, ALL_MIGRATION_SETS), []);
      // Again: nothing pending, nothing done, exit 0.
      const again = await runHook(db.url);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /migrations applied: none pending/);
    } finally {
      await pool.end();
    }
  });

  it('two hook runs at once (a retried Job beside the first) both succeed', async () => {
    const db = await testDatabase('mig_twice', { empty: true });
    dbs.push(db);
    const [a, b] = await Promise.all([runHook(db.url), runHook(db.url)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
  });

  it('fails with exit 1 and a clear message when the database cannot be reached', async () => {
    const run = await runHook('postgres://mlc:mlc@127.0.0.1:1/nowhere');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^migrate: /);
  });

  it('upgrades a database built by the retired mechanisms in place, to the same schema, keeping its rows', async () => {
    const fresh = await testDatabase('mig_fresh'); // migrated by the new migrator
    const old = await testDatabase('mig_old', { empty: true });
    dbs.push(fresh, old);
    const freshPool = new Pool({ connectionString: fresh.url, max: 2 });
    const oldPool = new Pool({ connectionString: old.url, max: 2 });
    try {
      // The old world: tenants and audit-projector already had these TypeORM migrations (same classes, same
      // tables); every other table came from runSqlMigrations at service start and processed_events from first use.
      await migrateDatabase(old.url, [TENANTS_MIGRATION_SET, AUDIT_MIGRATION_SET]);
      await applyLegacySqlMigrations(oldPool);
      await oldPool.query(`INSERT INTO processed_events (consumer_group, event_id) VALUES ('mapper.shipments', 'evt-1')`);
      await oldPool.query(`INSERT INTO poller_feed_state (tenant_id, feed, exception_raised_code) VALUES ('t1', 'purchase-orders', 'X')`);
      assert.ok((await pendingMigrations(oldPool, ALL_MIGRATION_SETS)).length > 0, 'the old database is behind');

      const run = await runHook(old.url);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await pendingMigrations(oldPool, ALL_MIGRATION_SETS), []);
      assert.deepEqual(await schemaOf(oldPool), await schemaOf(freshPool));
      const kept = await oldPool.query(`SELECT event_id FROM processed_events`);
      assert.deepEqual(kept.rows, [{ event_id: 'evt-1' }]);
      const feed = await oldPool.query(`SELECT exception_raised_code FROM poller_feed_state WHERE tenant_id = 't1'`);
      assert.deepEqual(feed.rows, [{ exception_raised_code: 'X' }]);
      // The platform's own migration ran on the upgraded database too (its retention index).
      const idx = await oldPool.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'processed_events_processed_at'`);
      assert.equal(idx.rowCount, 1);
    } finally {
      await freshPool.end();
      await oldPool.end();
    }
  });

  it('pendingMigrations names what a database the migrator has not run on lacks', async () => {
    const db = await testDatabase('mig_none', { empty: true });
    dbs.push(db);
    const pool = new Pool({ connectionString: db.url, max: 1 });
    try {
      const pending = await pendingMigrations(pool, [PLATFORM_MIGRATION_SET]);
      assert.deepEqual(pending, ['ProcessedEvents1767500000000']);
    } finally {
      await pool.end();
    }
  });
});
