// Runs the database migrations: `node dist/tools/migrate.js` (also a Helm hook Job). Idempotent; safe to repeat.
// Settings: DATABASE_URL.
import { loadConfig, postgresSettings } from '@mlc/platform-config';
import { createTenantsDataSource, runMigrations } from '@mlc/tenants';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig(postgresSettings);
  const ds = createTenantsDataSource(databaseUrl);
  try {
    await runMigrations(ds);
    process.stdout.write('migrations applied\n');
  } finally {
    await ds.destroy();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`migrate: ${err.message}\n`);
  process.exit(1);
});
