import { Module } from '@nestjs/common';

/** The purchase-orders feature of mapper. */
@Module({})
export class PurchaseOrdersModule {}
