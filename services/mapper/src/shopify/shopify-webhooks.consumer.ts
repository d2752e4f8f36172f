import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { TenantDirectory } from '@mlc/tenancy';
import { PgProcessedEventStore } from '@mlc/platform-kafka';
import { ConsumerHost, LOGGER, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { ShopifyReceivablesService } from './shopify-receivables.service';
import { ShopifyStateRepository } from './shopify-state.repository';

export const SHOPIFY_GROUP = 'mapper.shopify';

/** Wires the shopify use case to Kafka: shopify.webhook.received.v1 → accounting.fusion-receivables.requested.v1. */
@Injectable()
export class ShopifyWebhooksConsumer implements OnModuleInit {
  constructor(
    private readonly host: ConsumerHost,
    private readonly directory: TenantDirectory,
    private readonly processed: PgProcessedEventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const service = new ShopifyReceivablesService(new ShopifyStateRepository(this.pool), { snapshot: (t) => this.directory.get(t) }, this.log);
    this.host.register({
      groupId: SHOPIFY_GROUP,
      topics: ['shopify.webhook.received.v1'],
      processedEvents: this.processed,
      maxAttempts: 8,
      handler: (value, ctx) => service.onWebhook(value, ctx),
      describe: (value) => ({ entityType: 'shopify-webhook', businessId: value.deliveryId }),
    });
  }
}
