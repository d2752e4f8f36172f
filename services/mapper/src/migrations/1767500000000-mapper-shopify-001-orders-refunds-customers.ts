import { legacyStep, CREATED_AT_COLUMN, TENANT_ID_COLUMN, UPDATED_AT_COLUMN } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE mapper_shopify_orders (
        ${TENANT_ID_COLUMN},
        order_id text NOT NULL,
        shop_domain text NOT NULL,
        order_name text,
        last_updated_at timestamptz NOT NULL,
        last_updated_raw text NOT NULL,
        invoice_command jsonb NOT NULL,
        ledger jsonb NOT NULL,
        bill_to jsonb NOT NULL,
        revision int NOT NULL DEFAULT 0,
        paid boolean NOT NULL DEFAULT false,
        last_commands jsonb NOT NULL DEFAULT '[]',
        ${CREATED_AT_COLUMN},
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, order_id));
      CREATE TABLE mapper_shopify_refunds (
        ${TENANT_ID_COLUMN},
        refund_id text NOT NULL,
        order_id text NOT NULL,
        refund jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'emitted', 'empty')),
        ${CREATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, refund_id));
      CREATE INDEX mapper_shopify_refunds_order ON mapper_shopify_refunds (tenant_id, order_id);
      CREATE TABLE mapper_shopify_customers (
        ${TENANT_ID_COLUMN},
        customer_id text NOT NULL,
        last_updated_at timestamptz NOT NULL,
        last_command jsonb NOT NULL,
        PRIMARY KEY (tenant_id, customer_id));`;

/** mapper.shopify step 001-orders-refunds-customers; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperShopifyOrdersRefundsCustomers1767500000000 extends legacyStep('mapper.shopify', '001-orders-refunds-customers', SQL) {}
