import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { flowControlRecord } from '@mlc/platform-flow-control';
import type { EventPublisher } from '@mlc/platform-kafka';
import { PG_POOL, PUBLISHER } from '@mlc/platform-service';
import type { OperatorIdentity } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { OperatorActionsPublisher } from './operator-actions.publisher';
import { badRequest } from './ops.errors';
import { callUpstream, upstreamRefused } from './upstream';

export const FLOW_PARTNERS = ['fusion', 'shipbob', 'shopify'] as const;

/** Pause/resume of a tenant's flow towards a partner, and sync-one-record-now through oracle-poller. */
@Injectable()
export class FlowsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(AUDIT_PROJECTOR_CONFIG) private readonly config: AuditProjectorConfig,
    private readonly actions: OperatorActionsPublisher,
  ) {}

  async list(tenants?: string[]): Promise<Array<Record<string, unknown>>> {
    const r = await this.pool.query(
      `SELECT tenant_id AS "tenantId", partner, state, reason, actor, changed_at AS "changedAt" FROM audit_flow_states ${tenants ? 'WHERE tenant_id = ANY($1)' : ''} ORDER BY tenant_id, partner`,
      tenants ? [tenants] : [],
    );
    return r.rows as Array<Record<string, unknown>>;
  }

  /**
   * Publishes ops.flow-control.changed.v1; the partner's writer holds that tenant's records in Kafka while paused
   * (FlowControl from @mlc/platform-flow-control). Answers once the projection shows the new state.
   */
  async change(tenantId: string, partner: string, state: 'paused' | 'resumed', who: OperatorIdentity, reason?: string): Promise<Record<string, unknown>> {
    if (!(FLOW_PARTNERS as readonly string[]).includes(partner)) throw badRequest(`partner must be one of ${FLOW_PARTNERS.join(', ')}`);
    const record = flowControlRecord({
      tenantId,
      partner,
      state,
      reason: reason?.trim() || (state === 'paused' ? 'paused by an operator' : 'resumed by an operator'),
      actor: who.actor,
      source: 'ops-api',
    });
    await this.publisher.publish(record);
    await this.actions.record(who, tenantId, state === 'paused' ? 'pause' : 'resume', `${tenantId}:${partner}`, {
      comment: reason,
      details: { flowEventId: record.value.meta.eventId },
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await this.pool.query(
        `SELECT tenant_id AS "tenantId", partner, state, reason, actor, changed_at AS "changedAt" FROM audit_flow_states WHERE tenant_id = $1 AND partner = $2 AND event_id = $3`,
        [tenantId, partner, record.value.meta.eventId],
      );
      if (r.rows[0]) return r.rows[0] as Record<string, unknown>;
      if (Date.now() > deadline) return { tenantId, partner, state, reason: record.value.reason, actor: who.actor, projected: false };
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  /**
   * The receivables commands of a tenant waiting for their invoice, as fusion-writer lists them
   * (GET /receivables/tenants/:tenantId/waiting), asked with the caller's own operator key.
   */
  async receivablesWaiting(tenantId: string, apiKey: string | undefined): Promise<Record<string, unknown>> {
    const answer = await callUpstream('fusion-writer', this.config.opsFusionWriterUrl, `/receivables/tenants/${encodeURIComponent(tenantId)}/waiting`, {
      headers: apiKey ? { 'x-api-key': apiKey } : {},
    });
    if (!answer.ok) throw upstreamRefused('fusion-writer', answer);
    return answer.body as Record<string, unknown>;
  }

  /** Asks oracle-poller to re-read one Fusion purchase order now and run it through the flow. */
  /** oracle-poller checks operator keys too: the caller's key is passed on. */
  async syncPurchaseOrder(tenantId: string, poHeaderId: string, who: OperatorIdentity, apiKey: string | undefined): Promise<Record<string, unknown>> {
    const path = `/poller/tenants/${encodeURIComponent(tenantId)}/purchase-orders/${encodeURIComponent(poHeaderId)}/sync`;
    const answer = await callUpstream('oracle-poller', this.config.opsOraclePollerUrl, path, {
      method: 'POST',
      headers: { 'x-mlc-actor': who.actor, ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    });
    await this.actions.record(who, tenantId, 'sync', `fusion-po:${poHeaderId}`, { details: { status: answer.status } });
    if (!answer.ok) throw upstreamRefused('oracle-poller', answer);
    return { tenantId, poHeaderId, poller: answer.body };
  }
}
