import { legacyStep } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE IF NOT EXISTS mapper_po_orders (
        tenant_id             text        NOT NULL,
        po_header_id          text        NOT NULL,
        group_key             text        NOT NULL,
        reference_id          text        NOT NULL,
        revision              integer     NOT NULL,
        content_hash          text        NOT NULL,
        state                 text        NOT NULL CHECK (state IN ('active', 'cancelled')),
        line_ids              text[]      NOT NULL,
        fulfillment_center_id bigint,
        last_event_id         text        NOT NULL,
        updated_at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, po_header_id, group_key)
      );
      CREATE INDEX IF NOT EXISTS mapper_po_orders_reference ON mapper_po_orders (tenant_id, reference_id);
      CREATE TABLE IF NOT EXISTS mapper_po_headers (
        tenant_id        text        NOT NULL,
        po_header_id     text        NOT NULL,
        last_update_date text        NOT NULL,
        last_event_id    text        NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, po_header_id)
      );`;

/** mapper.purchase-orders step 001-create-po-orders; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperPoCreatePoOrders1767500100000 extends legacyStep('mapper.purchase-orders', '001-create-po-orders', SQL) {}
