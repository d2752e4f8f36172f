import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PartnerClients, TenantDirectory } from '@mlc/tenancy';
import { PgProcessedEventStore } from '@mlc/platform-kafka';
import { ConsumerHost, LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { ShopifyWriteBackService } from './shopify-write-back';

export const WRITE_BACK_GROUP = 'fusion-writer.shopify-write-back';

/** Wires the write-back: accounting.fusion-receivables.synced.v1 (invoices) → Shopify order metafield. */
@Injectable()
export class ShopifyWriteBackConsumer implements OnModuleInit {
  constructor(
    private readonly host: ConsumerHost,
    private readonly clients: PartnerClients,
    private readonly directory: TenantDirectory,
    private readonly processed: PgProcessedEventStore,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    const service = new ShopifyWriteBackService(this.clients, this.directory, this.log);
    this.host.register({
      groupId: WRITE_BACK_GROUP,
      topics: ['accounting.fusion-receivables.synced.v1'],
      processedEvents: this.processed,
      maxAttempts: 8,
      handler: async (value) => {
        await service.handle(value);
      },
      describe: (value) => ({ entityType: 'shopify-write-back', businessId: value.idempotencyKey }),
    });
  }
}
