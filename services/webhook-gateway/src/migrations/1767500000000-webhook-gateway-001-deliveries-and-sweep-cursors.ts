import { legacyStep } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE gateway_deliveries (
        tenant_id    text        NOT NULL,
        partner      text        NOT NULL,
        -- ShipBob: webhook-id. Shopify: '<topic>|<X-Shopify-Event-Id or Webhook-Id>' (one merchant action shares an
        -- Event-Id across topics). Sweep: '<topic>|sweep:<gid>:<updatedAt>'.
        dedupe_key   text        NOT NULL,
        delivery_id  text        NOT NULL,
        topic        text        NOT NULL,
        origin       text        NOT NULL,
        -- Shopify orders/customers: '<shop>|<order|customer>|<id>|<updated_at epoch ms>', what the sweep skips on.
        record_key   text,
        event_id     text        NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, partner, dedupe_key)
      );
      CREATE INDEX gateway_deliveries_record_key ON gateway_deliveries (tenant_id, record_key) WHERE record_key IS NOT NULL;
      CREATE INDEX gateway_deliveries_published_at ON gateway_deliveries (published_at);
      CREATE TABLE gateway_sweep_cursors (
        tenant_id     text        NOT NULL,
        resource      text        NOT NULL,
        updated_since timestamptz NOT NULL,
        last_run_at   timestamptz,
        PRIMARY KEY (tenant_id, resource)
      );`;

/** webhook-gateway step 001-deliveries-and-sweep-cursors; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class GatewayDeliveriesAndSweepCursors1767500000000 extends legacyStep('webhook-gateway', '001-deliveries-and-sweep-cursors', SQL) {}
