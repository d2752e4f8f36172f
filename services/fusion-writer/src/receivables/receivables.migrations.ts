import type { SqlMigration } from '@mlc/platform-service';

/** Tables of fusion-writer's receivables feature (owner `fusion-writer.receivables`). Never edit a shipped one. */
export const RECEIVABLES_MIGRATIONS: SqlMigration[] = [
  {
    id: '001-receivables-ledger-customers',
    sql: `
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
        PRIMARY KEY (tenant_id, shopify_customer_id));`,
  },
  {
    // customers/update: the party to PATCH and the Shopify updated_at last written (an older update never wins).
    id: '002-receivables-customer-version',
    sql: `
      ALTER TABLE fusion_writer_receivables_customers ADD COLUMN party_number text;
      ALTER TABLE fusion_writer_receivables_customers ADD COLUMN shopify_updated_at timestamptz;`,
  },
  {
    // Commands waiting for their invoice (released when it is written, raised as an exception at their deadline).
    id: '003-receivables-waiting',
    sql: `
      CREATE TABLE fusion_writer_receivables_waiting (
        tenant_id text NOT NULL,
        idempotency_key text NOT NULL,
        kind text NOT NULL,
        waits_for text NOT NULL,
        shopify_order_id text,
        command jsonb NOT NULL,
        source_key text,
        since timestamptz NOT NULL DEFAULT now(),
        deadline timestamptz NOT NULL,
        released_at timestamptz,
        releases int NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, idempotency_key));
      CREATE INDEX fusion_writer_receivables_waiting_for ON fusion_writer_receivables_waiting (tenant_id, waits_for);
      CREATE INDEX fusion_writer_receivables_waiting_deadline ON fusion_writer_receivables_waiting (deadline);`,
  },
];
