import { Module } from '@nestjs/common';

/** The shopify feature of mapper. */
@Module({})
export class ShopifyModule {}
