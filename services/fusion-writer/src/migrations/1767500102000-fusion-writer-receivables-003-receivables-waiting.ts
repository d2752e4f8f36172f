import { legacyStep, TENANT_ID_COLUMN } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE fusion_writer_receivables_waiting (
        ${TENANT_ID_COLUMN},
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
      CREATE INDEX fusion_writer_receivables_waiting_deadline ON fusion_writer_receivables_waiting (deadline);`;

/** fusion-writer.receivables step 003-receivables-waiting; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class FusionWriterReceivablesReceivablesWaiting1767500102000 extends legacyStep('fusion-writer.receivables', '003-receivables-waiting', SQL) {}
