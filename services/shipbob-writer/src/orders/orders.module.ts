import { Module } from '@nestjs/common';
import { MetricsRegistry } from '@mlc/platform-service';
import { MissingConnectionError, PartnerClients, TenantDirectory } from '@mlc/tenancy';
import { SHIPBOB_WRITER_CONFIG, type ShipbobWriterConfig } from '../config/shipbob-writer.config';
import { OrdersController } from './orders.controller';
import { ProductNameCache } from './product-name.cache';
import { ShipbobPacer } from './shipbob.pacer';
import { SyncShipbobOrderService } from './sync-shipbob-order.service';

/**
 * The orders feature of shipbob-writer: fulfilment.shipbob-order.requested.v1 -> ShipBob (create / cancel) ->
 * fulfilment.shipbob-order.synced.v1, or an exception (see OrdersController).
 */
@Module({
  controllers: [OrdersController],
  providers: [
    {
      provide: ShipbobPacer,
      useFactory: (config: ShipbobWriterConfig, metrics: MetricsRegistry) =>
        new ShipbobPacer({
          windowMs: config.shipbobRateWindowMs,
          paceBelow: config.shipbobPaceBelowCalls,
          onWait: (tenantId, waitMs) => metrics.rateLimitWait({ partner: 'shipbob', waitMs, tenantId }),
        }),
      inject: [SHIPBOB_WRITER_CONFIG, MetricsRegistry],
    },
    {
      provide: SyncShipbobOrderService,
      useFactory: (pacer: ShipbobPacer, config: ShipbobWriterConfig, clients: PartnerClients, directory: TenantDirectory) =>
        new SyncShipbobOrderService({
          pacer,
          orderType: config.shipbobOrderType,
          productNames: new ProductNameCache({ ttlMs: config.shipbobProductNameCacheMs }),
          shipbob: async (tenantId) => {
            const client = await clients.shipbob(tenantId);
            const connection = (await directory.get(tenantId)).connections.shipbob;
            if (!connection) throw new MissingConnectionError(tenantId, 'shipbob');
            return { client, channelId: String(connection.channelId) };
          },
        }),
      inject: [ShipbobPacer, SHIPBOB_WRITER_CONFIG, PartnerClients, TenantDirectory],
    },
  ],
})
export class OrdersModule {}
