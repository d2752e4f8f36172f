import type { MigrationSet } from '@mlc/platform-service';
import { GatewayDeliveriesAndSweepCursors1767500000000 } from './1767500000000-webhook-gateway-001-deliveries-and-sweep-cursors';

/** webhook-gateway's tables, applied by the one migrator (tools/migrate.ts). Never edit a shipped migration; add the next. */
export const WEBHOOK_GATEWAY_MIGRATION_SET: MigrationSet = {
  owner: 'webhook-gateway',
  table: 'webhook_gateway_migrations',
  migrations: [GatewayDeliveriesAndSweepCursors1767500000000],
};
