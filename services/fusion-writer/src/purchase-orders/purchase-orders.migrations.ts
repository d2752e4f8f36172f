import type { SqlMigration } from '@mlc/platform-service';

/** Tables of fusion-writer's purchase-orders feature (owner `fusion-writer.purchase-orders`). Add, never edit. */
export const PURCHASE_ORDERS_MIGRATIONS: SqlMigration[] = [
  {
    id: '001-create-po-writes',
    sql: `
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
    `,
  },
];
