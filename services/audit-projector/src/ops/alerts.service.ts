import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { LeaseKeeper, PgLeaseStore } from '@mlc/platform-lease';
import { LOGGER, MetricsRegistry, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { ALL_TOPICS } from '../audit/audit-trail.controller';
import { ConsumerLagService } from '../audit/consumer-lag.service';
import { ProjectionEvents } from '../audit/projection.events';
import { topicName } from '@mlc/platform-kafka';

export interface Alert {
  kind: 'new-exception-kind' | 'flow-paused' | 'flow-resumed' | 'lag';
  tenantId?: string;
  message: string;
  at: string;
  details?: Record<string, unknown>;
}

/** The lease whose holder alerts on lag (the same seen from every replica). */
export const ALERTS_LEASE = 'audit-projector:alerts';

/**
 * Batched alerts to the operator-configured webhook (OPS_ALERT_WEBHOOK_URL): new exception kinds, paused (and
 * resumed) flows, and projection or consumer lag over OPS_LAG_ALERT_RECORDS. At most one message per window, so a
 * storm of failures is one message. Events older than the service's start are not alerted (a rebuild is quiet).
 * Also measures lag periodically into the metrics (mlc_consumer_lag_records{group}).
 *
 * With replicas: an exception or flow event is projected by exactly one replica (its partition's consumer), which
 * alerts it; lag is the same seen from every replica, so only the holder of the `audit-projector:alerts` lease
 * (platform_leases, MLC_LEASE_TTL_MS) alerts on it, and the lease moves to a live replica when its holder dies.
 */
@Injectable()
export class AlertsService implements OnModuleInit, OnApplicationShutdown {
  private pending: Alert[] = [];
  private dropped = 0;
  private readonly startedAt = Date.now();
  private flushTimer: NodeJS.Timeout | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private readonly lagAlerted = new Map<string, number>();
  readonly lastLag = new Map<string, number>();
  sent = 0;
  private readonly leases: LeaseKeeper;

  constructor(
    @Inject(AUDIT_PROJECTOR_CONFIG) private readonly config: AuditProjectorConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
    private readonly events: ProjectionEvents,
    private readonly lag: ConsumerLagService,
    @Inject(PG_POOL) pool: Pool,
  ) {
    this.leases = new LeaseKeeper(new PgLeaseStore(pool), {
      ttlMs: config.leaseTtlMs,
      onEvent: (event, detail) => (event === 'acquired' ? log.info('alerts lease acquired', detail) : log.warn(`alerts lease ${event}`, detail)),
    });
    this.leases.want([ALERTS_LEASE]);
  }

  /** True while this replica owns the lag alerts. */
  ownsAlerts(): boolean {
    return this.leases.held(ALERTS_LEASE) !== undefined;
  }

  onModuleInit(): void {
    this.events.on((n) => {
      if (n.kind === 'flow-changed')
        this.metrics.set(
          'mlc_flow_paused',
          { tenant: n.tenantId, partner: n.partner },
          n.state === 'paused' ? 1 : 0,
          '1 while a tenant flow towards a partner is paused',
        );
      if (n.occurredAt < this.startedAt - this.config.opsAlertWindowMs) return;
      if (n.kind === 'new-exception-kind') {
        this.push({
          kind: 'new-exception-kind',
          tenantId: n.tenantId,
          message: `new kind of exception for tenant ${n.tenantId}: ${n.category} ${n.code}`,
          at: new Date(n.occurredAt).toISOString(),
          details: { exceptionId: n.exceptionId, category: n.category, code: n.code },
        });
      } else {
        this.push({
          kind: n.state === 'paused' ? 'flow-paused' : 'flow-resumed',
          tenantId: n.tenantId,
          message: `${n.partner} flow of tenant ${n.tenantId} ${n.state} by ${n.actor}: ${n.reason}`,
          at: new Date(n.occurredAt).toISOString(),
          details: { partner: n.partner },
        });
      }
    });
    this.flushTimer = setInterval(() => void this.flush(), this.config.opsAlertWindowMs);
    this.flushTimer.unref();
    this.lagTimer = setInterval(() => void this.measureLag(), this.config.opsLagCheckIntervalMs);
    this.lagTimer.unref();
    this.leases.start();
    void this.leases.sync();
  }

  push(a: Alert): void {
    this.metrics.inc('mlc_ops_alerts_total', { kind: a.kind }, 1, 'alerts raised (batched to the webhook)');
    if (this.pending.length >= 500) this.dropped += 1;
    else this.pending.push(a);
  }

  /** Measures the audit projection's and the configured groups' lag; alerts once per window per group over the threshold. */
  async measureLag(): Promise<Array<{ groupId: string; records: number }>> {
    const out: Array<{ groupId: string; records: number }> = [];
    const groups: Array<[string, string[] | undefined]> = [
      [`${this.config.auditConsumerGroup}${this.config.groupIdSuffix}`, ALL_TOPICS.map((t) => topicName(t, this.config.topicSuffix))],
      ...this.config.opsLagGroups.map((g) => [g, undefined] as [string, undefined]),
    ];
    for (const [groupId, topics] of groups) {
      try {
        const l = await this.lag.lag(groupId, topics);
        out.push({ groupId, records: l.records });
        this.lastLag.set(groupId, l.records);
        this.metrics.set('mlc_consumer_lag_records', { group: groupId }, l.records, 'records a consumer group is behind the end of its topics');
        if (groupId === `${this.config.auditConsumerGroup}${this.config.groupIdSuffix}`)
          this.metrics.set('mlc_projection_lag_records', {}, l.records, 'records the audit projection is behind the log');
        const last = this.lagAlerted.get(groupId) ?? 0;
        if (l.records > this.config.opsLagAlertRecords && Date.now() - last >= this.config.opsAlertWindowMs && this.ownsAlerts()) {
          this.lagAlerted.set(groupId, Date.now());
          this.push({
            kind: 'lag',
            message: `consumer group ${groupId} is ${l.records} records behind (threshold ${this.config.opsLagAlertRecords})`,
            at: new Date().toISOString(),
            details: { groupId, records: l.records },
          });
        }
      } catch (err) {
        this.log.warn('lag measurement failed', { group: groupId, error: (err as Error).message });
      }
    }
    return out;
  }

  /** Sends everything pending as one message. */
  async flush(): Promise<void> {
    if (!this.pending.length || !this.config.opsAlertWebhookUrl) {
      if (!this.config.opsAlertWebhookUrl) this.pending = [];
      return;
    }
    const batch = this.pending;
    const dropped = this.dropped;
    this.pending = [];
    this.dropped = 0;
    const byKind: Record<string, number> = {};
    for (const a of batch) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
    const text = `ml-connector: ${batch.length + dropped} alert(s) — ${Object.entries(byKind)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}`;
    try {
      const res = await fetch(this.config.opsAlertWebhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, count: batch.length + dropped, dropped, alerts: batch }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      this.sent += 1;
    } catch (err) {
      this.log.warn('alert webhook failed; alerts kept for the next window', { error: (err as Error).message });
      this.pending = [...batch, ...this.pending].slice(0, 500);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.leases.stop();
  }
}
