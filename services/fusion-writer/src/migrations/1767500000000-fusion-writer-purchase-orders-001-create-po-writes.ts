import { legacyStep, CREATED_AT_COLUMN, TENANT_ID_COLUMN, UPDATED_AT_COLUMN } from '@mlc/platform-service';

const SQL = `
      -- One row per write-back command (idempotencyKey). state: started (a call may have reached Fusion: look before
      -- writing again), failed (refused; replay looks first too), done (never written again).
      CREATE TABLE fusion_writer_po_writes (
        ${TENANT_ID_COLUMN},
        idempotency_key text NOT NULL,
        kind text NOT NULL,
        po_header_id text NOT NULL,
        po_number text NOT NULL,
        state text NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        outcome text,
        fusion_document_id text,
        last_error text,
        ${CREATED_AT_COLUMN},
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, idempotency_key));
      CREATE INDEX fusion_writer_po_writes_po ON fusion_writer_po_writes (tenant_id, po_header_id);
    `;

/** fusion-writer.purchase-orders step 001-create-po-writes; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class FusionWriterPoCreatePoWrites1767500000000 extends legacyStep('fusion-writer.purchase-orders', '001-create-po-writes', SQL) {}
