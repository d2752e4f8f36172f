import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

// Issue 17, persistence: tables are created and changed only by migrations (a `migrations/` folder of their owner),
// applied by the one migrator (tools/migrate.ts). No service, library or spec runs DDL of its own.

const UP = resolve(__dirname, '../..'); // the repository, or dist/ in it once built
const REPO_ROOT = basename(UP) === 'dist' ? dirname(UP) : UP;
const DDL = /\b(CREATE|ALTER|DROP)\s+(UNIQUE\s+)?(TABLE|INDEX)\b/i;
/** The frozen copy of the retired schema the upgrade test rebuilds (test/deploy/migrations.integration.spec.ts). */
const ALLOWED = new Set([
  join('test', 'deploy', 'fixtures', 'legacy-schema.ts'),
  join('test', 'static', 'no-runtime-ddl.spec.ts'),
  // The raw-pg ceiling of `npm run bench` copies audit_entries into a scratch table it drops again: a measurement, not
  // the product's schema.
  join('tools', 'bench', 'ceilings.ts'),
]);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('no DDL outside migrations', () => {
  it('only files in a migrations/ folder create, alter or drop tables and indexes', () => {
    const offenders = ['services', 'libs', 'test', 'tools']
      .flatMap((d) => sources(join(REPO_ROOT, d)))
      .map((f) => relative(REPO_ROOT, f))
      .filter((f) => !f.split(/[\\/]/).includes('migrations') && !ALLOWED.has(f))
      .filter((f) => DDL.test(readFileSync(join(REPO_ROOT, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('recognises DDL', () => {
    assert.ok(DDL.test('await q.query(`create index if not exists x on y (z)`)'));
    assert.ok(DDL.test('ALTER TABLE poller_feed_state ADD COLUMN c text'));
    assert.ok(!DDL.test('DELETE FROM processed_events WHERE processed_at < now()'));
  });
});
