import type { MigrationSet } from '@mlc/platform-service';
import { FusionWriterPoCreatePoWrites1767500000000 } from './1767500000000-fusion-writer-purchase-orders-001-create-po-writes';
import { FusionWriterReceivablesReceivablesLedgerCustomers1767500100000 } from './1767500100000-fusion-writer-receivables-001-receivables-ledger-customers';
import { FusionWriterReceivablesReceivablesCustomerVersion1767500101000 } from './1767500101000-fusion-writer-receivables-002-receivables-customer-version';
import { FusionWriterReceivablesReceivablesWaiting1767500102000 } from './1767500102000-fusion-writer-receivables-003-receivables-waiting';

/** fusion-writer's tables, applied by the one migrator (tools/migrate.ts). Never edit a shipped migration; add the next. */
export const FUSION_WRITER_MIGRATION_SET: MigrationSet = {
  owner: 'fusion-writer',
  table: 'fusion_writer_migrations',
  migrations: [
    FusionWriterPoCreatePoWrites1767500000000,
    FusionWriterReceivablesReceivablesLedgerCustomers1767500100000,
    FusionWriterReceivablesReceivablesCustomerVersion1767500101000,
    FusionWriterReceivablesReceivablesWaiting1767500102000,
  ],
};
