import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://mlc:mlc@127.0.0.1:5432/mlc';

/** Creates a fresh database whose name contains `test`; `drop()` removes it. */
export async function testDatabase(label = 'mlc'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${label}_test_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
