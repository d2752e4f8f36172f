import { Module } from '@nestjs/common';
import { PoUpdateConsumer } from './po-update.consumer';

/** The purchase-orders feature of fusion-writer: ASNs, receipts, close for receiving and exceptions on Fusion POs. */
@Module({ providers: [PoUpdateConsumer] })
export class PurchaseOrdersModule {}
