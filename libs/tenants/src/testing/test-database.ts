import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates a throw-away database `<prefix>_test_<random>` on the local server (MLC_TEST_DATABASE_URL, else
 * postgres://mlc:mlc@127.0.0.1:5432/mlc) and returns its URL; `drop()` removes it even with open connections.
 */
export async function createTestDatabase(prefix = 'tenants'): Promise<TestDatabase> {
  const adminUrl = process.env['MLC_TEST_DATABASE_URL'] ?? 'postgres://mlc:mlc@127.0.0.1:5432/mlc';
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
