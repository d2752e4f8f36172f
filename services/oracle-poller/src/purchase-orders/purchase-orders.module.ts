import { Module } from '@nestjs/common';

/** The purchase-orders feature of oracle-poller. */
@Module({})
export class PurchaseOrdersModule {}
