import { Module } from '@nestjs/common';
import { ShopifyWebhooksConsumer } from './shopify-webhooks.consumer';

/** The shopify feature of mapper: Shopify orders, refunds and customers → Fusion receivables commands. */
@Module({ providers: [ShopifyWebhooksConsumer] })
export class ShopifyModule {}
