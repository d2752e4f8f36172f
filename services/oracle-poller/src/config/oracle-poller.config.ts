import type { ConfigOf } from '@mlc/platform-config';
import { leaseSettings } from '@mlc/platform-lease';
import { tenantServiceSettings } from '@mlc/tenancy';
import { purchaseOrdersSettings } from '../purchase-orders/purchase-orders.settings';
import { receivablesSettings } from '../receivables/receivables.settings';
import { pollingSettings } from '../polling/polling.settings';

/** Every setting of oracle-poller, checked at start. */
export const oraclePollerSettings = tenantServiceSettings(pollingSettings, leaseSettings, purchaseOrdersSettings, receivablesSettings);

export type OraclePollerConfig = ConfigOf<typeof oraclePollerSettings>;

/** Injection token for the validated configuration of oracle-poller. */
export const ORACLE_POLLER_CONFIG = Symbol('ORACLE_POLLER_CONFIG');
