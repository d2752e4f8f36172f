import { as, type Setting } from '@mlc/platform-config';
import { baseSettings, withPostgres } from '@mlc/platform-service';

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

type Intersection<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer I) => void ? I : never;

/**
 * Every setting of a service that acts for tenants: the platform's (Kafka, HTTP, shutdown), PostgreSQL's, tenancy's,
 * then the service's own feature settings, in that order. One place decides what every tenant-serving service has.
 */
export function tenantServiceSettings<const F extends readonly Record<string, Setting<unknown>>[]>(
  ...features: F
): typeof baseSettings & typeof withPostgres & typeof tenancySettings & Intersection<F[number]> {
  return Object.assign({}, baseSettings, withPostgres, tenancySettings, ...features);
}
