import type { TenantChangePublisher, TenantConfigChange } from '@mlc/tenants';
import { newMeta, type EventPublisher } from '@mlc/platform-kafka';

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** Publishes every versioned tenant configuration change on tenant.config.changed.v1 (values already masked). */
export class KafkaTenantChangePublisher implements TenantChangePublisher {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly source: string,
  ) {}

  async publish(change: TenantConfigChange): Promise<void> {
    await this.publisher.publish({
      topic: 'tenant.config.changed.v1',
      key: change.tenantId,
      value: {
        meta: newMeta({ tenantId: change.tenantId, source: this.source }),
        version: change.version,
        entity: change.entity,
        key: change.key,
        action: change.action,
        actor: change.actor,
        at: change.at,
        oldValue: json(change.oldValue),
        newValue: json(change.newValue),
      },
    });
  }
}
