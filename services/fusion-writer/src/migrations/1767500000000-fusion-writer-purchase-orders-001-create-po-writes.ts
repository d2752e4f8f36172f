import { LegacyStepMigration } from '@mlc/platform-service';

const SQL = `
      -- One row per write-back command (idempotencyKey). state: started (a call may have reached Fusion: look before
      -- writing again), failed (refused; replay looks first too), done (never written again).
      CREATE TABLE fusion_writer_po_writes (
        tenant_id text NOT NULL,
        idempotency_key text NOT NULL,
        kind text NOT NULL,
        po_header_id text NOT NULL,
        po_number text NOT NULL,
        state text NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        outcome text,
        fusion_document_id text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, idempotency_key));
      CREATE INDEX fusion_writer_po_writes_po ON fusion_writer_po_writes (tenant_id, po_header_id);
    `;

/** fusion-writer.purchase-orders step 001-create-po-writes; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class FusionWriterPoCreatePoWrites1767500000000 extends LegacyStepMigration {
  protected readonly owner = 'fusion-writer.purchase-orders';
  protected readonly step = '001-create-po-writes';
  protected readonly sql = SQL;
}
