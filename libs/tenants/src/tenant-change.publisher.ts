import type { TenantChangePublisher, TenantConfigChange } from './tenants.types';

/** For unit tests: keeps every published change in memory. The Kafka publisher lives with the services. */
export class InMemoryTenantChangePublisher implements TenantChangePublisher {
  readonly changes: TenantConfigChange[] = [];
  private readonly listeners = new Set<(c: TenantConfigChange) => void>();

  async publish(change: TenantConfigChange): Promise<void> {
    this.changes.push(structuredClone(change));
    for (const l of this.listeners) l(change);
  }

  onChange(listener: (c: TenantConfigChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
