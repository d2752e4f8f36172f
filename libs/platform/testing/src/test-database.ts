import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { needsIntegrationTier } from './test-tier';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const adminUrl = (): string =>
  process.env['MLC_TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://mlc:mlc@127.0.0.1:5432/mlc';

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
 * Creates a throw-away database `<prefix>_test_<random>` on the local server (MLC_TEST_DATABASE_URL, else
 * DATABASE_URL, else postgres://mlc:mlc@127.0.0.1:5432/mlc); `drop()` removes it even with open connections.
 */
export async function testDatabase(prefix = 'mlc'): Promise<TestDatabase> {
  needsIntegrationTier('PostgreSQL');
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => dropDatabase(name) };
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
