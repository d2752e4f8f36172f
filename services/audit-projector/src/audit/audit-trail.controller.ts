import { Controller, Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { TOPICS, type EventMeta, type TopicName, type TopicRecords } from '@mlc/contracts';
import type { HandlerContext } from '@mlc/platform-kafka';
import { KafkaHandler, MetricsRegistry, PG_POOL } from '@mlc/platform-service';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { OpenExceptionsMetric } from './open-exceptions.metric';
import { ProjectionEvents } from './projection.events';
import { ProjectionBatcher } from './projection.batcher';
import type { ProjectedEvent } from './projection.writer';

export const ALL_TOPICS = Object.keys(TOPICS) as TopicName[];

/**
 * Projects every topic (group `audit-projector.audit`) into Postgres: the audit trail, cross-references, the
 * exceptions queue, flow states and ShipBob billing records. Each event is applied in one transaction, guarded by
 * its event id, so redeliveries and replayed bytes change nothing, and a rebuild from offset 0 gives identical
 * tables. Events handled side by side (AUDIT_CONCURRENCY_PER_PARTITION per partition, in order per key) share one
 * transaction of multi-row statements (ProjectionBatcher); each is committed in Kafka only once its transaction is. The schema comes from the migrator (tools/migrate.ts, TypeORM table `audit_migrations`).
 */
@Controller()
export class AuditTrailController {
  private readonly batcher: ProjectionBatcher;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(AUDIT_PROJECTOR_CONFIG) private readonly config: AuditProjectorConfig,
    private readonly metrics: MetricsRegistry,
    private readonly events: ProjectionEvents,
    private readonly openExceptions: OpenExceptionsMetric,
  ) {
    this.batcher = new ProjectionBatcher(pool);
  }

  @KafkaHandler(ALL_TOPICS, {
    consumer: 'audit-projector.audit',
    fromBeginning: true,
    settings: (get) => {
      const config = get<AuditProjectorConfig>(AUDIT_PROJECTOR_CONFIG);
      return { groupId: config.auditConsumerGroup, concurrencyPerPartition: config.auditConcurrencyPerPartition };
    },
  })
  async project(value: TopicRecords[TopicName], ctx: HandlerContext): Promise<void> {
    const result: ProjectedEvent = await this.batcher.project({ topic: ctx.topic, value, position: { partition: ctx.partition, offset: ctx.offset } });
    const meta = (value as { meta: EventMeta }).meta;
    this.events.newestProjectedAt = Math.max(this.events.newestProjectedAt, meta.occurredAt);
    this.metrics.inc('mlc_audit_events_projected_total', { topic: ctx.topic }, 1, 'events projected into the audit trail');
    this.openExceptions.touched(); // an exception raised, or resolved by a success or an operator
    if (result.newExceptionKind) this.events.emit({ kind: 'new-exception-kind', ...result.newExceptionKind, occurredAt: meta.occurredAt });
    if (result.flowChange) this.events.emit({ kind: 'flow-changed', ...result.flowChange, occurredAt: meta.occurredAt });
  }
}
