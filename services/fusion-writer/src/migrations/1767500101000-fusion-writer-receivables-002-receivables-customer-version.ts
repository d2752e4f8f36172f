import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appliedByLegacyMigrator } from '@mlc/platform-service';

/** fusion-writer.receivables step 002-receivables-customer-version; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class FusionWriterReceivablesReceivablesCustomerVersion1767500101000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    if (await appliedByLegacyMigrator(q, 'fusion-writer.receivables', '002-receivables-customer-version')) return;
    await q.query(`
      ALTER TABLE fusion_writer_receivables_customers ADD COLUMN party_number text;
      ALTER TABLE fusion_writer_receivables_customers ADD COLUMN shopify_updated_at timestamptz;`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('fusion-writer.receivables 002-receivables-customer-version is not reversible: restore the database from a backup'));
  }
}
