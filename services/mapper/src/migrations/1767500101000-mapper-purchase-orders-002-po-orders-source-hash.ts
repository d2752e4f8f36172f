import { legacyStep } from '@mlc/platform-service';

const SQL = `ALTER TABLE mapper_po_orders ADD COLUMN IF NOT EXISTS source_hash text;`;

/** mapper.purchase-orders step 002-po-orders-source-hash; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class MapperPoPoOrdersSourceHash1767500101000 extends legacyStep('mapper.purchase-orders', '002-po-orders-source-hash', SQL) {}
