import { LegacyStepMigration } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE fusion_writer_receivables_done (
        tenant_id text NOT NULL,
        idempotency_key text NOT NULL,
        kind text NOT NULL,
        result jsonb NOT NULL,
        done_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, idempotency_key));
      CREATE TABLE fusion_writer_receivables_customers (
        tenant_id text NOT NULL,
        shopify_customer_id text NOT NULL,
        party_id text NOT NULL,
        account_number text NOT NULL,
        bill_to_site text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, shopify_customer_id));`;

/** fusion-writer.receivables step 001-receivables-ledger-customers; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class FusionWriterReceivablesReceivablesLedgerCustomers1767500100000 extends LegacyStepMigration {
  protected readonly owner = 'fusion-writer.receivables';
  protected readonly step = '001-receivables-ledger-customers';
  protected readonly sql = SQL;
}
