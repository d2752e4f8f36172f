import { legacyStep, TENANT_ID_COLUMN, UPDATED_AT_COLUMN } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE fusion_writer_receivables_done (
        ${TENANT_ID_COLUMN},
        idempotency_key text NOT NULL,
        kind text NOT NULL,
        result jsonb NOT NULL,
        done_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, idempotency_key));
      CREATE TABLE fusion_writer_receivables_customers (
        ${TENANT_ID_COLUMN},
        shopify_customer_id text NOT NULL,
        party_id text NOT NULL,
        account_number text NOT NULL,
        bill_to_site text,
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, shopify_customer_id));`;

/** fusion-writer.receivables step 001-receivables-ledger-customers; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class FusionWriterReceivablesReceivablesLedgerCustomers1767500100000 extends legacyStep(
  'fusion-writer.receivables',
  '001-receivables-ledger-customers',
  SQL,
) {}
