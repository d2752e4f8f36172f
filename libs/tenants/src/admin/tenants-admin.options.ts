import type { ConnectionPingService } from '../ping/connection-ping.service';
import type { TenantConfigService } from '../tenant-config.service';
import type { OperatorKey } from './operator-auth.guard';

export interface TenantsAdminOptions {
  config: TenantConfigService;
  /** The raw `MLC_OPERATOR_API_KEYS` value, or parsed keys. */
  operatorApiKeys: string | OperatorKey[];
  ping?: ConnectionPingService;
  /** Largest CSV upload in bytes. Default 5 MiB. */
  maxCsvBytes?: number;
}

export interface ResolvedAdminOptions {
  config: TenantConfigService;
  operatorKeys: OperatorKey[];
  ping: ConnectionPingService | undefined;
  maxCsvBytes: number;
}
