import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appliedByLegacyMigrator } from '@mlc/platform-service';

/** mapper.shopify step 002-shopify-order-cancelled; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperShopifyShopifyOrderCancelled1767500001000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    if (await appliedByLegacyMigrator(q, 'mapper.shopify', '002-shopify-order-cancelled')) return;
    await q.query(`ALTER TABLE mapper_shopify_orders ADD COLUMN cancelled_at timestamptz;`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('mapper.shopify 002-shopify-order-cancelled is not reversible: restore the database from a backup'));
  }
}
