import { Module } from '@nestjs/common';
import { PollingModule } from '../polling/polling.module';
import { PurchaseOrdersFeed } from './purchase-orders.feed';

/** The purchase-orders feature of oracle-poller: Fusion POs by LastUpdateDate → erp.purchase-order.changed.v1. */
@Module({ imports: [PollingModule], providers: [PurchaseOrdersFeed] })
export class PurchaseOrdersModule {}
