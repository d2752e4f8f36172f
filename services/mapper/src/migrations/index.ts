import type { MigrationSet } from '@mlc/platform-service';
import { MapperShopifyOrdersRefundsCustomers1767500000000 } from './1767500000000-mapper-shopify-001-orders-refunds-customers';
import { MapperShopifyShopifyOrderCancelled1767500001000 } from './1767500001000-mapper-shopify-002-shopify-order-cancelled';
import { MapperPoCreatePoOrders1767500100000 } from './1767500100000-mapper-purchase-orders-001-create-po-orders';
import { MapperPoPoOrdersSourceHash1767500101000 } from './1767500101000-mapper-purchase-orders-002-po-orders-source-hash';
import { MapperShipmentsCreateShipmentTables1767500200000 } from './1767500200000-mapper-shipments-001-create-shipment-tables';
import { MapperShipmentsPoLinesToFulfil1767500201000 } from './1767500201000-mapper-shipments-002-po-lines-to-fulfil';
import { MapperShipmentsConfirmedReceipts1767500202000 } from './1767500202000-mapper-shipments-003-confirmed-receipts';
import { MapperRetentionIndexes1767500300000 } from './1767500300000-mapper-retention-indexes';

/** mapper's tables, applied by the one migrator (tools/migrate.ts). Never edit a shipped migration; add the next. */
export const MAPPER_MIGRATION_SET: MigrationSet = {
  owner: 'mapper',
  table: 'mapper_migrations',
  migrations: [
    MapperShopifyOrdersRefundsCustomers1767500000000,
    MapperShopifyShopifyOrderCancelled1767500001000,
    MapperPoCreatePoOrders1767500100000,
    MapperPoPoOrdersSourceHash1767500101000,
    MapperShipmentsCreateShipmentTables1767500200000,
    MapperShipmentsPoLinesToFulfil1767500201000,
    MapperShipmentsConfirmedReceipts1767500202000,
    MapperRetentionIndexes1767500300000,
  ],
};
