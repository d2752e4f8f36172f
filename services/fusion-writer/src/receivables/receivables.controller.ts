import { Controller, Inject, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { AvroCodec, TopicRecords } from '@mlc/contracts';
import { FlowControl } from '@mlc/platform-flow-control';
import { DryRunHandledEvents, TenantDirectory } from '@mlc/tenancy';
import { newMeta, type EventPublisher, type HandlerContext, type OutgoingRecord } from '@mlc/platform-kafka';
import { CODEC, KafkaHandler, LOGGER, MetricsRegistry, PUBLISHER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { ReceivablesWaitingStore, type WaitingRecord } from './receivables.waiting';
import { ReceivablesDryRun } from './receivables-dry-run';
import { ReceivablesWriteService } from './receivables-write.service';

export const RECEIVABLES_GROUP = 'fusion-writer.receivables';
const REQUESTED = 'accounting.fusion-receivables.requested.v1';
/** The commands this consumer handled in dry run (not marked processed: replayed once live, they are written for real). */
export const RECEIVABLES_DRY_RUN_HANDLED = Symbol('RECEIVABLES_DRY_RUN_HANDLED');
/** The processed-events store of this consumer: PgProcessedEventStore, minus what ran in dry run. */
export const RECEIVABLES_PROCESSED_EVENTS = Symbol('RECEIVABLES_PROCESSED_EVENTS');

/**
 * The receivables use case on Kafka: accounting.fusion-receivables.requested.v1 → Fusion → ….synced.v1. A
 * command that needs an invoice Fusion does not hold yet is set aside in Postgres (the partition goes on) and sent
 * again when the invoice is written; a timer raises those still waiting at their deadline and keeps
 * mlc_receivables_waiting{tenant} current.
 */
@Controller()
export class ReceivablesController implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly tenantsSeen = new Set<string>();

  constructor(
    private readonly service: ReceivablesWriteService,
    private readonly dryRun: ReceivablesDryRun,
    private readonly waiting: ReceivablesWaitingStore,
    private readonly directory: TenantDirectory,
    private readonly flows: FlowControl,
    private readonly metrics: MetricsRegistry,
    @Inject(RECEIVABLES_DRY_RUN_HANDLED) private readonly dryRunHandled: DryRunHandledEvents,
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(CODEC) private readonly codec: AvroCodec,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(FUSION_WRITER_CONFIG) private readonly config: FusionWriterConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.timer = setInterval(() => void this.check(), this.config.receivablesWaitCheckMs);
    this.timer.unref();
  }

  @KafkaHandler(REQUESTED, {
    consumer: RECEIVABLES_GROUP,
    // A command handled in dry run is not marked processed: replayed once live, it is written for real.
    processedEvents: RECEIVABLES_PROCESSED_EVENTS,
    // Each partition's records are handled one at a time, in order, so an order's commands (they share a key) stay in
    // sequence; several partitions at once (FUSION_RECEIVABLES_PARTITIONS_CONCURRENTLY, default 2) as the other
    // consumers do. One partition at a time held a replica to about one Fusion write a second during a burst.
    settings: (get) => ({ partitionsConsumedConcurrently: get<FusionWriterConfig>(FUSION_WRITER_CONFIG).receivablesPartitionsConcurrently }),
    maxAttempts: 8,
    describe: (value) => ({ entityType: 'fusion-receivables', businessId: value.idempotencyKey }),
  })
  onRequested(value: TopicRecords[typeof REQUESTED], ctx: HandlerContext): Promise<OutgoingRecord[]> {
    // Held in Kafka while the tenant's Fusion flow is paused; refused credentials pause it after a few in a row.
    return this.flows.guard(value.meta.tenantId, 'fusion', async () => {
      // settings.dryRun.receivables, read at the moment of the write (receivables-dry-run.ts).
      const tenant = await this.directory.get(value.meta.tenantId);
      if (tenant.settings.dryRun?.receivables !== true || !tenant.connections.fusion) return this.service.handle(value, ctx);
      this.dryRunHandled.add(value.meta.eventId);
      return this.dryRun.handle(value, tenant.connections.fusion.baseUrl, ctx);
    });
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Raises what waited past its deadline, then publishes how many commands wait per tenant. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      while ((await this.waiting.expire((expired) => this.publisher.publishMany(expired.map((w) => this.expiredException(w))))) > 0);
      const counts = await this.waiting.counts();
      for (const t of counts.keys()) this.tenantsSeen.add(t);
      for (const t of this.tenantsSeen)
        this.metrics.set(
          'mlc_receivables_waiting',
          { tenant: t },
          counts.get(t) ?? 0,
          'receivables commands waiting for their invoice (set aside, not holding their partition)',
        );
    } catch (err) {
      this.log.warn('checking waiting receivables commands failed; next time', { error: (err as Error).message });
    } finally {
      this.checking = false;
    }
  }

  /**
   * The exception for a command that waited too long: it carries the command as a new event (caused by the original,
   * which the consumer marked handled when it set it aside), so that a replay runs it again.
   */
  private expiredException(w: WaitingRecord): OutgoingRecord<'ops.exception.raised.v1'> {
    const meta = newMeta({ tenantId: w.tenantId, source: 'fusion-writer', causedBy: w.command.meta });
    const payload = this.codec.encodeFor(REQUESTED, { ...w.command, meta });
    const waitedMin = Math.round((Date.now() - w.since.getTime()) / 60_000);
    this.log.warn('receivables command waited too long for its invoice; raised as an exception', {
      tenantId: w.tenantId,
      kind: w.kind,
      idempotencyKey: w.idempotencyKey,
      invoice: w.waitsFor,
    });
    return {
      topic: 'ops.exception.raised.v1',
      key: `${w.tenantId}:${w.idempotencyKey}`,
      value: {
        meta: newMeta({ tenantId: w.tenantId, source: 'fusion-writer', causedBy: w.command.meta }),
        service: 'fusion-writer',
        code: 'FUSION_WRITER.INVOICE_NEVER_WRITTEN',
        category: 'unexpected',
        message:
          `${w.kind} ${w.idempotencyKey} waited ${waitedMin} min (since ${w.since.toISOString()}, at most FUSION_RECEIVABLES_MAX_WAIT_MS) for invoice ${w.waitsFor} of Shopify order ` +
          `${w.command.shopifyOrderName ?? w.shopifyOrderId ?? '?'}, which was never written to Fusion: look for the invoice's own exception, fix and replay it, then replay this one`,
        attempts: w.releases + 1,
        sourceTopic: REQUESTED,
        sourcePartition: -1,
        sourceOffset: '-1',
        sourceKey: w.sourceKey,
        sourceEventId: meta.eventId,
        entityType: 'fusion-receivables',
        businessId: w.idempotencyKey,
        details: JSON.stringify({
          invoice: w.waitsFor,
          waitingSince: w.since.toISOString(),
          deadline: w.deadline.toISOString(),
          shopifyOrderId: w.shopifyOrderId,
          originalEventId: w.command.meta.eventId,
        }),
        payload,
      },
    };
  }
}
