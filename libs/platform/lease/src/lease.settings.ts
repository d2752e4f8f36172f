import { as, type Setting } from '@mlc/platform-config';

/** The lease TTL every service with once-only work reads (oracle-poller, webhook-gateway, audit-projector). */
export const leaseSettings = {
  leaseTtlMs: {
    env: 'MLC_LEASE_TTL_MS',
    doc: "how long a replica owns once-only work (a tenant's poll, a sweep, the alerts) without renewing it (renewed every third of it); a dead replica's work moves after about this long",
    parse: as.int(300, 600_000),
    default: 15_000,
  } as Setting<number>,
};
