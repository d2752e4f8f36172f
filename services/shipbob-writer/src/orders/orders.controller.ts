import { Controller, Inject } from '@nestjs/common';
import type { TopicRecords } from '@mlc/contracts';
import { FlowControl } from '@mlc/platform-flow-control';
import type { HandlerContext, OutgoingRecord } from '@mlc/platform-kafka';
import { KafkaHandler, LOGGER, MetricsRegistry } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { SHIPBOB_WRITER_CONFIG, type ShipbobWriterConfig } from '../config/shipbob-writer.config';
import { handleInDryRun } from './dry-run-orders';
import { SyncShipbobOrderService } from './sync-shipbob-order.service';

export const ORDERS_GROUP = 'shipbob-writer.orders';
/** The flow (ops API: /ops/tenants/:tenantId/flows/shipbob/pause|resume) this writer honours. */
export const FLOW_PARTNER = 'shipbob';

/**
 * fulfilment.shipbob-order.requested.v1 -> ShipBob (create / cancel) -> fulfilment.shipbob-order.synced.v1, or an
 * exception (parked command, or a cancel refused after pick).
 *
 * Flow control: while a tenant's ShipBob flow is paused its commands wait in Kafka (FlowControl.guard holds the
 * record's partition: other partitions keep flowing, records behind it in the same partition wait with it). A
 * connection whose credentials ShipBob keeps refusing (401/403 after a token refresh) pauses its flow by itself.
 */
@Controller()
export class OrdersController {
  constructor(
    private readonly service: SyncShipbobOrderService,
    private readonly directory: TenantDirectory,
    private readonly metrics: MetricsRegistry,
    private readonly flows: FlowControl,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @KafkaHandler('fulfilment.shipbob-order.requested.v1', {
    consumer: ORDERS_GROUP,
    settings: (get) => {
      const config = get<ShipbobWriterConfig>(SHIPBOB_WRITER_CONFIG);
      return {
        maxAttempts: config.shipbobMaxAttempts,
        backoff: { baseMs: config.shipbobBackoffBaseMs, maxMs: config.shipbobBackoffMaxMs },
        concurrencyPerPartition: config.shipbobConcurrencyPerPartition,
      };
    },
    describe: (cmd) => ({ entityType: 'shipbob-order', businessId: cmd.referenceId }),
  })
  async onRequested(cmd: TopicRecords['fulfilment.shipbob-order.requested.v1'], ctx: HandlerContext): Promise<OutgoingRecord[]> {
    const out = await this.flows.guard(cmd.meta.tenantId, FLOW_PARTNER, async () => {
      // settings.dryRun.purchaseOrders, read at the moment of the write: the create/cancel is recorded, not sent.
      const tenant = await this.directory.get(cmd.meta.tenantId);
      if (tenant.settings.dryRun?.purchaseOrders !== true || !tenant.connections.shipbob) return this.service.handle(cmd, ctx);
      return handleInDryRun(this.service, tenant.connections.shipbob.baseUrl, cmd, ctx);
    });
    for (const o of out) {
      const outcome =
        o.topic === 'fulfilment.shipbob-order.synced.v1'
          ? (o.value as { outcome: string }).outcome
          : o.topic === 'ops.dry-run-write.recorded.v1'
            ? 'dry_run'
            : 'exception';
      this.metrics.inc('shipbob_writer_orders_total', { action: cmd.action, outcome }, 1, 'ShipBob order commands handled, by outcome');
      this.log.info('shipbob order command handled', { tenantId: cmd.meta.tenantId, referenceId: cmd.referenceId, action: cmd.action, outcome });
    }
    return out;
  }
}
