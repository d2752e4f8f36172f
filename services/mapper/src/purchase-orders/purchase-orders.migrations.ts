import type { SqlMigration } from '@mlc/platform-service';

/** Tables of the purchase-orders feature of mapper (owner `mapper.purchase-orders`). Never edit one that shipped. */
export const PURCHASE_ORDERS_MIGRATIONS: SqlMigration[] = [
  {
    id: '001-create-po-orders',
    sql: `
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
      );`,
  },
  {
    // The Fusion side of an order's lines when it was requested: a problem on a line whose order stands and whose
    // Fusion side has not changed since is not raised again under a new revision (issue 14 item 5).
    id: '002-po-orders-source-hash',
    sql: `ALTER TABLE mapper_po_orders ADD COLUMN IF NOT EXISTS source_hash text;`,
  },
];
