import { legacyStep, CREATED_AT_COLUMN, TENANT_ID_COLUMN, UPDATED_AT_COLUMN } from '@mlc/platform-service';

const SQL = `
      -- ShipBob orders we asked for (fulfilment.shipbob-order.requested.v1) and what ShipBob made of them (synced).
      CREATE TABLE mapper_shipment_orders (
        ${TENANT_ID_COLUMN},
        reference_id text NOT NULL,
        po_header_id text NOT NULL,
        po_number text NOT NULL,
        revision int NOT NULL DEFAULT 0,
        action text NOT NULL,
        supersedes_reference_id text,
        shipbob_order_id text,
        cancelled boolean NOT NULL DEFAULT false,
        lines jsonb NOT NULL DEFAULT '[]',
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, reference_id));
      CREATE INDEX mapper_shipment_orders_po ON mapper_shipment_orders (tenant_id, po_header_id);

      -- Per shipment: the merged state (status precedence), whatever order its webhooks came in.
      CREATE TABLE mapper_shipment_shipments (
        ${TENANT_ID_COLUMN},
        shipment_id text NOT NULL,
        reference_id text NOT NULL,
        po_header_id text NOT NULL,
        state jsonb NOT NULL,
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, shipment_id));
      CREATE INDEX mapper_shipment_shipments_po ON mapper_shipment_shipments (tenant_id, po_header_id);

      -- Webhook deliveries seen (webhook-id): a redelivery with a new event id has no second effect.
      CREATE TABLE mapper_shipment_deliveries (
        ${TENANT_ID_COLUMN},
        delivery_id text NOT NULL,
        event_id text NOT NULL,
        topic text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, delivery_id));

      -- Every record this feature emitted, by its deterministic key, and the event that caused it (a redelivered
      -- event re-emits exactly what it caused; any other event never emits a key twice).
      CREATE TABLE mapper_shipment_emitted (
        seq bigserial,
        ${TENANT_ID_COLUMN},
        record_key text NOT NULL,
        po_header_id text,
        source_event_id text NOT NULL,
        topic text NOT NULL,
        message_key text NOT NULL,
        value jsonb NOT NULL,
        ${CREATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, record_key));
      CREATE INDEX mapper_shipment_emitted_source ON mapper_shipment_emitted (tenant_id, source_event_id);

      -- ShipBob billing charges; attributed (and emitted) once their shipment is known.
      CREATE TABLE mapper_shipment_charges (
        ${TENANT_ID_COLUMN},
        transaction_id text NOT NULL,
        shipment_id text,
        charge jsonb NOT NULL,
        emitted boolean NOT NULL DEFAULT false,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, transaction_id));
      CREATE INDEX mapper_shipment_charges_shipment ON mapper_shipment_charges (tenant_id, shipment_id) WHERE NOT emitted;
    `;

/** mapper.shipments step 001-create-shipment-tables; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperShipmentsCreateShipmentTables1767500200000 extends legacyStep('mapper.shipments', '001-create-shipment-tables', SQL) {}
