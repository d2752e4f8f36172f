import type { TenantConfigService, TenantSnapshot, TenantSummary } from '@mlc/tenants';

export interface TenantChangeNotice {
  tenantId: string;
  version: number;
  entity: string;
  key: string;
  action: string;
}

/**
 * A service's view of tenant configuration: snapshots (secrets decrypted, never to be logged) read through a short
 * cache, dropped at once when a change event for the tenant arrives, so a mapping changed by an operator is used
 * within seconds without a restart.
 */
export class TenantDirectory {
  private readonly listeners = new Set<(n: TenantChangeNotice) => void>();

  constructor(readonly config: TenantConfigService) {}

  /** The tenant's current configuration. Throws TenantNotFoundError for an unknown tenant. */
  get(tenantId: string, opts: { fresh?: boolean } = {}): Promise<TenantSnapshot> {
    // `fresh`: re-read now (e.g. before declaring a mapping missing), and refresh the cache for everyone else too.
    if (opts.fresh) this.config.invalidate(tenantId);
    return this.config.getTenantSnapshot(tenantId);
  }

  list(): Promise<TenantSummary[]> {
    return this.config.listTenants();
  }

  /** Called by the change consumer (or tests): forget the cached snapshot and tell listeners. */
  changed(notice: TenantChangeNotice): void {
    this.config.invalidate(notice.tenantId);
    for (const l of this.listeners) {
      try {
        l(notice);
      } catch {
        // a listener's failure must not stop the others
      }
    }
  }

  onChange(listener: (n: TenantChangeNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
