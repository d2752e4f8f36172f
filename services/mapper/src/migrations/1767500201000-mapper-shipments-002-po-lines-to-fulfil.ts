import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appliedByLegacyMigrator } from '@mlc/platform-service';

/** mapper.shipments step 002-po-lines-to-fulfil; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperShipmentsPoLinesToFulfil1767500201000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    if (await appliedByLegacyMigrator(q, 'mapper.shipments', '002-po-lines-to-fulfil')) return;
    await q.query(`
      -- Every line of a PO that is to be fulfilled, as of the PO version (poLastUpdateDate) that said so: the PO is
      -- closed for receiving only when all of them are received, not merely the lines whose orders are known yet.
      CREATE TABLE mapper_shipment_po_lines (
        tenant_id text NOT NULL,
        po_header_id text NOT NULL,
        po_last_update_date text NOT NULL,
        line_ids text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, po_header_id));
    `);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('mapper.shipments 002-po-lines-to-fulfil is not reversible: restore the database from a backup'));
  }
}
