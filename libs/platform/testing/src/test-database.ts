import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { REPO_ROOT } from './service-process';
import { needsIntegrationTier } from './test-tier';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const adminUrl = (): string => process.env['MLC_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://mlc:mlc@127.0.0.1:5432/mlc';

async function asAdmin(sql: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Runs the one migrator exactly as `npm start`, compose and the Helm hook do (`node dist/tools/migrate.js` with
 * DATABASE_URL), so every spec gets the schema production gets. Resolves with its stdout; rejects with its stderr.
 */
export async function migrateTestDatabase(url: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/tools/migrate.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: url },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`migrator failed on ${url}: ${e.stderr || e.message}`, { cause: err });
  }
}

/**
 * Creates a throw-away database `<prefix>_test_<random>` on the local server (MLC_TEST_DATABASE_URL, else
 * DATABASE_URL, else postgres://mlc:mlc@127.0.0.1:5432/mlc) with every service's tables (the migrator has run on
 * it; `{ empty: true }` leaves it empty, for tests of the migrations themselves); `drop()` removes it even with open
 * connections.
 */
export async function testDatabase(prefix = 'mlc', opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  needsIntegrationTier('PostgreSQL');
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const db = { url: url.toString(), name, drop: () => dropDatabase(name) };
  if (!opts.empty) {
    try {
      await migrateTestDatabase(db.url);
    } catch (err) {
      await db.drop().catch(() => undefined);
      throw err;
    }
  }
  return db;
}

/**
 * DROP … WITH (FORCE) ends the other sessions on the database, but it may not end a superuser's: an autovacuum worker
 * busy with the freshly migrated tables (42501, seen on a new cluster in CI) or one still starting (55006). Both
 * are over in a moment, so the drop is tried again for a few seconds.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 20 || (code !== '42501' && code !== '55006')) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
