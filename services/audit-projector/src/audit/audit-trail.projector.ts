import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Pool } from 'pg';
import { TOPICS, type EventMeta, type TopicName } from '@mlc/contracts';
import { ConsumerHost, PG_POOL } from '@mlc/platform-service';

/**
 * Writes one audit row per record that crosses Kafka: who produced it, for which tenant, caused by what, with the
 * trace id that follows the record across services. Idempotent (event id is the key), so a rebuild from offset 0
 * gives the same table.
 */
@Injectable()
export class AuditTrailProjector implements OnModuleInit {
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly consumers: ConsumerHost,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      groupId: 'audit-projector',
      topics: Object.keys(TOPICS) as TopicName[],
      handler: async (value, ctx) => {
        const meta = (value as { meta: EventMeta }).meta;
        const span = trace.getActiveSpan()?.spanContext();
        await this.schema();
        await this.pool.query(
          `INSERT INTO audit_entries (event_id, tenant_id, topic, record, source, correlation_id, causation_id, occurred_at, trace_id, kafka_partition, kafka_offset)
           VALUES ($1,$2,$3,$4,$5,$6,$7,to_timestamp($8 / 1000.0),$9,$10,$11) ON CONFLICT (event_id) DO NOTHING`,
          [meta.eventId, meta.tenantId, ctx.topic, TOPICS[ctx.topic].record, meta.source, meta.correlationId, meta.causationId ?? null, meta.occurredAt, span?.traceId ?? null, ctx.partition, ctx.offset],
        );
      },
    });
  }

  private schema(): Promise<unknown> {
    this.ready ??= this.pool.query(`CREATE TABLE IF NOT EXISTS audit_entries (
      event_id text PRIMARY KEY,
      tenant_id text NOT NULL,
      topic text NOT NULL,
      record text NOT NULL,
      source text NOT NULL,
      correlation_id text NOT NULL,
      causation_id text,
      occurred_at timestamptz NOT NULL,
      trace_id text,
      kafka_partition int NOT NULL,
      kafka_offset text NOT NULL,
      projected_at timestamptz NOT NULL DEFAULT now())`);
    return this.ready;
  }
}
