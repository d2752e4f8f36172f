import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';

/** A migration class as TypeORM takes it (its name ends in the 13-digit timestamp that orders it). */
export type MigrationClass = new () => MigrationInterface;

/**
 * The migrations one owner (a service, or the platform for its shared tables) applies to its own tables, recorded in
 * its own TypeORM table. Every set is applied by the one migrator, `migrateDatabase` (tools/migrate.ts, the Helm hook
 * Job, compose's migrate job, `npm start` and the tests all call it); no service runs DDL when it starts.
 */
export interface MigrationSet {
  owner: string;
  /** TypeORM's record of applied migrations for this owner, e.g. `mapper_migrations`. */
  table: string;
  migrations: MigrationClass[];
}

function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Applies every pending migration of every set, in order, each in its own transaction. Runs started together (two
 * Helm hook attempts, a developer's migrate beside a test) are serialised by one advisory lock per set, so one applies
 * a step and the others find it done. Returns the names of the migrations it applied.
 */
export async function migrateDatabase(url: string, sets: readonly MigrationSet[]): Promise<string[]> {
  const applied: string[] = [];
  for (const set of sets) {
    const ds = new DataSource({
      type: 'postgres',
      url,
      migrations: set.migrations,
      migrationsTableName: set.table,
      synchronize: false,
      logging: false,
      // One connection holds the advisory lock; TypeORM runs the migrations on another.
      extra: { max: 2 },
    });
    await ds.initialize();
    const runner = ds.createQueryRunner();
    const key = lockKey(`mlc:migrations:${set.table}`);
    try {
      await runner.connect();
      await runner.query('SELECT pg_advisory_lock($1)', [key]);
      try {
        const done = await ds.runMigrations({ transaction: 'each' });
        applied.push(...done.map((m) => m.name));
      } catch (err) {
        throw new Error(`migrations of ${set.owner} failed: ${(err as Error).message}`, { cause: err });
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
      }
    } finally {
      await runner.release();
      await ds.destroy();
    }
  }
  return applied;
}

/**
 * The names of the migrations of `sets` not yet applied to the database behind `pool` (a service's readiness check:
 * a non-empty answer means "run the migrator", never "apply them here").
 */
export async function pendingMigrations(pool: Pool, sets: readonly MigrationSet[]): Promise<string[]> {
  const pending: string[] = [];
  for (const set of sets) {
    const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [set.table]);
    const done = new Set<string>();
    if (exists.rows[0]?.t) {
      for (const r of (await pool.query<{ name: string }>(`SELECT name FROM "${set.table}"`)).rows) done.add(r.name);
    }
    for (const m of set.migrations) if (!done.has(m.name)) pending.push(m.name);
  }
  return pending;
}

/**
 * True when the retired hand-rolled migrator (`runSqlMigrations`, table `mlc_migrations`) already applied step `id`
 * of `owner` to this database. The TypeORM migration that took that step over then does nothing (and is recorded as
 * applied), so a database from before the switch upgrades without re-creating anything.
 */
export async function appliedByLegacyMigrator(q: QueryRunner, owner: string, id: string): Promise<boolean> {
  const t = (await q.query(`SELECT to_regclass('mlc_migrations')::text AS t`)) as { t: string | null }[];
  if (!t[0]?.t) return false;
  const rows = (await q.query('SELECT 1 FROM mlc_migrations WHERE owner = $1 AND id = $2', [owner, id])) as unknown[];
  return rows.length > 0;
}

/**
 * A step the retired hand-rolled migrator (`runSqlMigrations`) used to take, now a TypeORM migration: it runs `sql`
 * unless that migrator already applied step `step` of `owner` to this database (then it does nothing and is recorded
 * as applied). Not reversible: the way back is a backup. A subclass names the step and holds its SQL, unchanged.
 */
export abstract class LegacyStepMigration implements MigrationInterface {
  /** The retired migrator's owner of the step, e.g. `mapper.shipments`. */
  protected abstract readonly owner: string;
  /** The retired migrator's id of the step, e.g. `001-create-shipment-tables`. */
  protected abstract readonly step: string;
  protected abstract readonly sql: string;

  async up(q: QueryRunner): Promise<void> {
    if (await appliedByLegacyMigrator(q, this.owner, this.step)) return;
    await q.query(this.sql);
  }

  down(): Promise<void> {
    return Promise.reject(new Error(`${this.owner} ${this.step} is not reversible: restore the database from a backup`));
  }
}

/**
 * The base of the migration that took over step `step` of `owner` from the retired migrator, its SQL unchanged:
 * `export class MapperShipmentsConfirmedReceipts1767500202000 extends legacyStep('mapper.shipments', '003-confirmed-receipts', SQL) {}`
 * (the subclass gives the migration its name, which ends in the timestamp that orders it).
 */
export function legacyStep(owner: string, step: string, sql: string): MigrationClass {
  return class extends LegacyStepMigration {
    protected readonly owner = owner;
    protected readonly step = step;
    protected readonly sql = sql;
  };
}
