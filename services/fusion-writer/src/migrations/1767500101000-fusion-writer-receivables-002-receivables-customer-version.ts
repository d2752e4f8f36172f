import { legacyStep } from '@mlc/platform-service';

const SQL = `
      ALTER TABLE fusion_writer_receivables_customers ADD COLUMN party_number text;
      ALTER TABLE fusion_writer_receivables_customers ADD COLUMN shopify_updated_at timestamptz;`;

/** fusion-writer.receivables step 002-receivables-customer-version; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class FusionWriterReceivablesReceivablesCustomerVersion1767500101000 extends legacyStep(
  'fusion-writer.receivables',
  '002-receivables-customer-version',
  SQL,
) {}
