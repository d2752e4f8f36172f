import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appliedByLegacyMigrator } from '@mlc/platform-service';

/** mapper.purchase-orders step 002-po-orders-source-hash; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperPoPoOrdersSourceHash1767500101000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    if (await appliedByLegacyMigrator(q, 'mapper.purchase-orders', '002-po-orders-source-hash')) return;
    await q.query(`ALTER TABLE mapper_po_orders ADD COLUMN IF NOT EXISTS source_hash text;`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('mapper.purchase-orders 002-po-orders-source-hash is not reversible: restore the database from a backup'));
  }
}
