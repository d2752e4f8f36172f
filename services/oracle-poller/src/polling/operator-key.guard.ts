import { serviceOperatorGuard } from '@mlc/tenants';
import { ORACLE_POLLER_CONFIG } from '../config/oracle-poller.config';

/**
 * Operator API keys as the admin API takes them (`x-api-key` or `Authorization: Bearer`, MLC_OPERATOR_API_KEYS =
 * `key:*` or `key:<tenant>`), compared in constant time; a scoped key reaches only its tenant (`:tenantId`).
 */
export const OperatorKeyGuard = serviceOperatorGuard(ORACLE_POLLER_CONFIG);
