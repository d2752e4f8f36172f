import { Controller, Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { TOPICS, type EventMeta, type TopicName } from '@mlc/contracts';
import type { ConsumedRecord } from '@mlc/platform-kafka';
import { inTransaction, KafkaHandler, MetricsRegistry, PG_POOL } from '@mlc/platform-service';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { OpenExceptionsMetric } from './open-exceptions.metric';
import { ProjectionEvents } from './projection.events';
import { ProjectionBatcher } from './projection.batcher';
import { projectBatch, type ProjectedEvent, type ProjectionInput } from './projection.writer';

export const ALL_TOPICS = Object.keys(TOPICS) as TopicName[];

/**
 * Projects every topic (group `audit-projector.audit`) into Postgres: the audit trail, cross-references, the
 * exceptions queue, flow states and ShipBob billing records. Each event is applied in a transaction, guarded by its
 * event id, so redeliveries and replayed bytes change nothing, and a rebuild from offset 0 gives identical tables.
 * One event at a time (the default) is one transaction, its SQL traced under its own consumer span; events handled
 * side by side (AUDIT_CONCURRENCY_PER_PARTITION > 1 per partition, in order per key) share one transaction of
 * multi-row statements (ProjectionBatcher); with AUDIT_WHOLE_BATCHES (a rebuild) each fetched batch of a partition is
 * one transaction and one offset commit. An event is committed in Kafka only once its transaction is. The schema comes from the migrator (tools/migrate.ts, TypeORM table `audit_migrations`).
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
    batch: true,
    settings: (get) => {
      const config = get<AuditProjectorConfig>(AUDIT_PROJECTOR_CONFIG);
      return {
        groupId: config.auditConsumerGroup,
        concurrencyPerPartition: config.auditConcurrencyPerPartition,
        wholeBatches: config.auditWholeBatches,
        fetchMaxBytes: config.auditFetchMaxBytes,
        fetchMaxBytesPerPartition: Math.max(65_536, Math.floor(config.auditFetchMaxBytes / 4)),
      };
    },
  })
  async project(records: ConsumedRecord[]): Promise<void> {
    const inputs: ProjectionInput[] = records.map((r) => ({ topic: r.topic, value: r.value, position: { partition: r.partition, offset: r.offset } }));
    // Records handled side by side (AUDIT_CONCURRENCY_PER_PARTITION > 1) share the batcher's transactions; one record
    // at a time, or a whole batch, is its own transaction (its SQL traced under its own consumer span).
    const results =
      inputs.length === 1 && this.config.auditConcurrencyPerPartition > 1
        ? [await this.batcher.project(inputs[0]!)]
        : await inTransaction(this.pool, (db) => projectBatch(db, inputs));
    this.projected(inputs, results);
  }

  private projected(inputs: readonly ProjectionInput[], results: readonly ProjectedEvent[]): void {
    let newest = this.events.newestProjectedAt;
    const perTopic = new Map<TopicName, number>();
    for (let i = 0; i < inputs.length; i++) {
      const { topic, value } = inputs[i]!;
      const result = results[i]!;
      const meta = (value as { meta: EventMeta }).meta;
      newest = Math.max(newest, meta.occurredAt);
      perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
      if (result.newExceptionKind) this.events.emit({ kind: 'new-exception-kind', ...result.newExceptionKind, occurredAt: meta.occurredAt });
      if (result.flowChange) this.events.emit({ kind: 'flow-changed', ...result.flowChange, occurredAt: meta.occurredAt });
    }
    this.events.newestProjectedAt = newest;
    for (const [topic, n] of perTopic) this.metrics.inc('mlc_audit_events_projected_total', { topic }, n, 'events projected into the audit trail');
    this.openExceptions.touched(); // an exception raised, or resolved by a success or an operator
  }
}
