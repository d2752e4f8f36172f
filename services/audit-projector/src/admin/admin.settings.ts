import { as, type Setting } from '@mlc/platform-config';

/**
 * Settings of the admin feature of audit-projector (merged into the service's settings). The operator keys are
 * `MLC_OPERATOR_API_KEYS`, shared with the ops API (opsOperatorApiKeys).
 */
export const adminSettings = {
  tenantOutboxRelayIntervalMs: {
    env: 'TENANT_OUTBOX_RELAY_INTERVAL_MS',
    doc: 'how often tenant configuration changes waiting in the outbox are relayed to tenant.config.changed.v1 (also the retry interval while Kafka is down)',
    parse: as.int(50),
    default: 1000,
  } as Setting<number>,
} satisfies Record<string, Setting<unknown>>;
