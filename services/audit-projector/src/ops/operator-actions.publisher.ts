import { Inject, Injectable } from '@nestjs/common';
import { newMeta, type EventPublisher } from '@mlc/platform-kafka';
import { PUBLISHER } from '@mlc/platform-service';
import type { OperatorIdentity } from '@mlc/tenants';

/** Tenant id recorded on actions that concern no single tenant (offset resets, replays over all tenants). */
export const ALL_TENANTS = '_all';

/** Publishes ops.operator-action.recorded.v1: every operator action is itself an audited event (who, when, what). */
@Injectable()
export class OperatorActionsPublisher {
  constructor(@Inject(PUBLISHER) private readonly publisher: EventPublisher) {}

  async record(
    who: OperatorIdentity,
    tenantId: string,
    action: string,
    target: string,
    opts: { comment?: string; details?: Record<string, unknown> } = {},
  ): Promise<string> {
    const meta = newMeta({ tenantId, source: 'ops-api' });
    await this.publisher.publish({
      topic: 'ops.operator-action.recorded.v1',
      key: tenantId,
      value: { meta, actor: who.actor, action, target, comment: opts.comment ?? null, details: JSON.stringify(opts.details ?? {}) },
    });
    return meta.eventId;
  }
}
