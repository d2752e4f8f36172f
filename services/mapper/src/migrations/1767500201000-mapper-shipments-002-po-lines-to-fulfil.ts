import { legacyStep, TENANT_ID_COLUMN, UPDATED_AT_COLUMN } from '@mlc/platform-service';

const SQL = `
      -- Every line of a PO that is to be fulfilled, as of the PO version (poLastUpdateDate) that said so: the PO is
      -- closed for receiving only when all of them are received, not merely the lines whose orders are known yet.
      CREATE TABLE mapper_shipment_po_lines (
        ${TENANT_ID_COLUMN},
        po_header_id text NOT NULL,
        po_last_update_date text NOT NULL,
        line_ids text[] NOT NULL,
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, po_header_id));
    `;

/** mapper.shipments step 002-po-lines-to-fulfil; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperShipmentsPoLinesToFulfil1767500201000 extends legacyStep('mapper.shipments', '002-po-lines-to-fulfil', SQL) {}
