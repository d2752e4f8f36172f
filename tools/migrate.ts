// The one migrator: applies every service's TypeORM migrations (tools/migration-sets.ts) to DATABASE_URL.
// `node dist/tools/migrate.js`; run by `npm start` (tools/stack.ts), compose's migrate job, the Helm pre-install /
// pre-upgrade hook Job (the image's `migrate` command) and the tests (platform-testing's testDatabase). Services never
// run DDL. Idempotent and safe to run concurrently (one advisory lock per set). Exit 0 applied or nothing to do, 1 failed.
import { loadConfig, postgresSettings } from '@mlc/platform-config';
import { migrateDatabase } from '@mlc/platform-service';
import { ALL_MIGRATION_SETS } from './migration-sets';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig(postgresSettings);
  const applied = await migrateDatabase(databaseUrl, ALL_MIGRATION_SETS);
  process.stdout.write(applied.length ? `migrations applied: ${applied.join(', ')}\n` : 'migrations applied: none pending\n');
}

main().catch((err: Error) => {
  process.stderr.write(`migrate: ${err.message}\n`);
  process.exit(1);
});
