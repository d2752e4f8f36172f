import { Module } from '@nestjs/common';

/** The purchase-orders feature of fusion-writer. */
@Module({})
export class PurchaseOrdersModule {}
