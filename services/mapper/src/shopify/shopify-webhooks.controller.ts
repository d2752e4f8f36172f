import { Controller, Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import { PgProcessedEventStore, type HandlerContext } from '@mlc/platform-kafka';
import { KafkaHandler, PG_POOL } from '@mlc/platform-service';
import { ShopifyReceivablesService } from './shopify-receivables.service';

export const SHOPIFY_GROUP = 'mapper.shopify';

/** The shopify use case on Kafka: shopify.webhook.received.v1 → accounting.fusion-receivables.requested.v1. */
@Controller()
export class ShopifyWebhooksController {
  constructor(
    private readonly service: ShopifyReceivablesService,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @KafkaHandler('shopify.webhook.received.v1', {
    consumer: SHOPIFY_GROUP,
    processedEvents: PgProcessedEventStore,
    maxAttempts: 8,
    describe: (value) => ({ entityType: 'shopify-webhook', businessId: value.deliveryId }),
  })
  onWebhook(value: TopicRecords['shopify.webhook.received.v1'], ctx: HandlerContext) {
    return this.service.onWebhook(value, ctx);
  }
}
