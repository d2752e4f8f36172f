import { legacyStep } from '@mlc/platform-service';

const SQL = `ALTER TABLE mapper_shopify_orders ADD COLUMN cancelled_at timestamptz;`;

/** mapper.shopify step 002-shopify-order-cancelled; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperShopifyShopifyOrderCancelled1767500001000 extends legacyStep('mapper.shopify', '002-shopify-order-cancelled', SQL) {}
