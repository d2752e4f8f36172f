import { Controller, Inject } from '@nestjs/common';
import type { TopicRecords } from '@mlc/contracts';
import type { HandlerContext, OutgoingRecord } from '@mlc/platform-kafka';
import { KafkaHandler, LOGGER, MetricsRegistry } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { MAPPER_CONFIG, type MapperConfig } from '../config/mapper.config';
import { MapPurchaseOrderService } from './map-purchase-order.service';

export const PURCHASE_ORDERS_GROUP = 'mapper.purchase-orders';

/**
 * The purchase-orders use case on Kafka: erp.purchase-order.changed.v1 -> fulfilment.shipbob-order.requested.v1 (one
 * command per line, or per PO and fulfillment center, published by the use case), unmappable lines ->
 * ops.exception.raised.v1.
 */
@Controller()
export class PurchaseOrdersController {
  constructor(
    private readonly service: MapPurchaseOrderService,
    private readonly metrics: MetricsRegistry,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @KafkaHandler('erp.purchase-order.changed.v1', {
    consumer: PURCHASE_ORDERS_GROUP,
    maxAttempts: 8,
    settings: (get) => ({ concurrencyPerPartition: get<MapperConfig>(MAPPER_CONFIG).mapperPoConcurrencyPerPartition }),
    describe: (po) => ({ entityType: 'fusion-po', businessId: po.poHeaderId }),
  })
  async onChanged(po: TopicRecords['erp.purchase-order.changed.v1'], ctx: HandlerContext): Promise<OutgoingRecord[]> {
    const out = await this.service.handle(po, ctx);
    this.metrics.inc('mapper_po_commands_total', {}, out.commands.length, 'ShipBob order commands sent by mapper');
    this.metrics.inc('mapper_po_line_exceptions_total', {}, out.exceptions.length, 'PO lines mapper could not map');
    if (out.commands.length || out.exceptions.length)
      this.log.info('purchase order mapped', {
        tenantId: po.meta.tenantId,
        poHeaderId: po.poHeaderId,
        commands: out.commands.length,
        exceptions: out.exceptions.length,
      });
    return out.exceptions;
  }
}
