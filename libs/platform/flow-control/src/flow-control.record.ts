import type { OutgoingRecord } from '@mlc/platform-kafka';
import { newMeta } from '@mlc/platform-kafka';

/** The ops.flow-control.changed.v1 record that pauses or resumes a tenant's flow towards a partner. */
export function flowControlRecord(opts: {
  tenantId: string;
  partner: string;
  state: 'paused' | 'resumed';
  reason: string;
  actor: string;
  source: string;
  correlationId?: string;
}): OutgoingRecord<'ops.flow-control.changed.v1'> {
  return {
    topic: 'ops.flow-control.changed.v1',
    key: `${opts.tenantId}:${opts.partner}`,
    value: {
      meta: newMeta({ tenantId: opts.tenantId, source: opts.source, correlationId: opts.correlationId }),
      partner: opts.partner,
      state: opts.state,
      reason: opts.reason,
      actor: opts.actor,
    },
  };
}
