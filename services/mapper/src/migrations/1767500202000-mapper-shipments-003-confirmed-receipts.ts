import { legacyStep, TENANT_ID_COLUMN } from '@mlc/platform-service';

const SQL = `
      -- Receipts Fusion confirmed it processed (fulfilment.fusion-po.updated.v1 from fusion-writer): only their lines
      -- count as received, so a PO is closed for receiving only once every receipt was confirmed.
      CREATE TABLE mapper_shipment_confirmed_receipts (
        ${TENANT_ID_COLUMN},
        idempotency_key text NOT NULL,
        po_header_id text NOT NULL,
        fusion_document_id text,
        confirmed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, idempotency_key));
      CREATE INDEX mapper_shipment_confirmed_receipts_po ON mapper_shipment_confirmed_receipts (tenant_id, po_header_id);
    `;

/** mapper.shipments step 003-confirmed-receipts; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperShipmentsConfirmedReceipts1767500202000 extends legacyStep('mapper.shipments', '003-confirmed-receipts', SQL) {}
