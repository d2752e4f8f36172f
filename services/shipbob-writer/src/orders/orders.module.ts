import { Module } from '@nestjs/common';

/** The orders feature of shipbob-writer. */
@Module({})
export class OrdersModule {}
