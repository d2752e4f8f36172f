import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import type { EventPublisher } from '@mlc/platform-kafka';
import { AppError } from '@mlc/platform-errors';
import { ConsumerHost, LOGGER, MetricsRegistry, PG_POOL, PUBLISHER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { MapPurchaseOrderService } from './map-purchase-order.service';
import { PgPoOrderStateStore } from './po-order-state.repository';

export const PURCHASE_ORDERS_GROUP = 'mapper.purchase-orders';

/**
 * The purchase-orders feature of mapper: erp.purchase-order.changed.v1 -> fulfilment.shipbob-order.requested.v1
 * (one command per line, or per PO and fulfillment center), unmappable lines -> ops.exception.raised.v1.
 */
@Module({})
export class PurchaseOrdersModule implements OnModuleInit {
  constructor(
    private readonly host: ConsumerHost,
    private readonly directory: TenantDirectory,
    private readonly metrics: MetricsRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const service = new MapPurchaseOrderService({
      tenant: (id, opts) => this.directory.get(id, opts),
      store: new PgPoOrderStateStore(this.pool),
      publish: async (records) => {
        if (!this.publisher.isConnected) throw new AppError('MAPPER.PUBLISHER_NOT_READY', 'the Kafka publisher is not connected yet', { retryable: true, retryAfterMs: 1_000 });
        await this.publisher.publishMany(records);
      },
      log: this.log,
    });
    this.host.register({
      groupId: PURCHASE_ORDERS_GROUP,
      topics: ['erp.purchase-order.changed.v1'],
      maxAttempts: 8,
      describe: (po) => ({ entityType: 'fusion-po', businessId: po.poHeaderId }),
      handler: async (po, ctx) => {
        const out = await service.handle(po, ctx);
        this.metrics.inc('mapper_po_commands_total', {}, out.commands.length, 'ShipBob order commands sent by mapper');
        this.metrics.inc('mapper_po_line_exceptions_total', {}, out.exceptions.length, 'PO lines mapper could not map');
        if (out.commands.length || out.exceptions.length)
          this.log.info('purchase order mapped', { tenantId: po.meta.tenantId, poHeaderId: po.poHeaderId, commands: out.commands.length, exceptions: out.exceptions.length });
        return out.exceptions;
      },
    });
  }
}
