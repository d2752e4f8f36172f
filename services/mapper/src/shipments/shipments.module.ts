import { Module } from '@nestjs/common';
import { ShipmentEventsConsumer } from './shipment-events.consumer';

/** The shipments feature of mapper: ShipBob shipment webhooks → Fusion PO write-back commands and charge records. */
@Module({ providers: [ShipmentEventsConsumer] })
export class ShipmentsModule {}
