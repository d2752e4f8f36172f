import { Module } from '@nestjs/common';
import type { EventPublisher } from '@mlc/platform-kafka';
import { AppError } from '@mlc/platform-errors';
import { LOGGER, PUBLISHER, poolProvider } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { MapPurchaseOrderService } from './map-purchase-order.service';
import { PgPoOrderStateStore } from './po-order-state.repository';
import { PurchaseOrdersController } from './purchase-orders.controller';

/**
 * The purchase-orders feature of mapper: erp.purchase-order.changed.v1 -> fulfilment.shipbob-order.requested.v1
 * (one command per line, or per PO and fulfillment center), unmappable lines -> ops.exception.raised.v1.
 */
@Module({
  controllers: [PurchaseOrdersController],
  providers: [
    poolProvider(PgPoOrderStateStore),
    {
      provide: MapPurchaseOrderService,
      useFactory: (directory: TenantDirectory, store: PgPoOrderStateStore, publisher: EventPublisher, log: Logger) =>
        new MapPurchaseOrderService({
          tenant: (id, opts) => directory.get(id, opts),
          store,
          publish: async (records) => {
            if (!publisher.isConnected)
              throw new AppError('MAPPER.PUBLISHER_NOT_READY', 'the Kafka publisher is not connected yet', { retryable: true, retryAfterMs: 1_000 });
            await publisher.publishMany(records);
          },
          log,
        }),
      inject: [TenantDirectory, PgPoOrderStateStore, PUBLISHER, LOGGER],
    },
  ],
})
export class PurchaseOrdersModule {}
