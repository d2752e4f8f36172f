import { as, type Setting } from '@mlc/platform-config';

/** Settings of every service that acts for tenants (reads their configuration and calls their partners). */
export const tenancySettings = {
  encryptionKeys: {
    env: 'MLC_ENCRYPTION_KEYS',
    doc: 'credential encryption keys, `keyId:base64(32 bytes)` comma-separated, the first one active',
    parse: as.string,
    secret: true,
  } as Setting<string>,
  tenantCacheTtlMs: {
    env: 'TENANT_CACHE_TTL_MS',
    doc: 'how long a tenant snapshot is reused before it is re-read (change events also invalidate it at once)',
    parse: as.int(0),
    default: 5_000,
  } as Setting<number>,
};
