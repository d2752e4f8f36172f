import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PartnerClients, TenantDirectory } from '@mlc/tenancy';
import { PgProcessedEventStore, type OutgoingRecord } from '@mlc/platform-kafka';
import { ConsumerHost, LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { dryRunRecord, recordWrites } from '@mlc/tenancy';
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
      handler: async (value): Promise<OutgoingRecord[]> => {
        // settings.dryRun.receivables: the metafieldsSet mutation is recorded, not sent (a synced record from before
        // the switch; the dry run itself publishes none).
        const tenant = await this.directory.get(value.meta.tenantId);
        if (tenant.settings.dryRun?.receivables !== true || !tenant.connections.shopify) {
          await service.handle(value);
          return [];
        }
        const run = await recordWrites(tenant.connections.shopify.baseUrl, () => undefined, () => service.handle(value));
        if (run.error) throw run.error;
        return run.writes.map((w) =>
          dryRunRecord(value.meta, 'fusion-writer', { ...w, flow: 'receivables', partner: 'shopify', operation: 'set-order-metafields', entityType: 'shopify-write-back', businessId: value.idempotencyKey, shopifyOrderId: value.shopifyOrderId ?? null }),
        );
      },
      describe: (value) => ({ entityType: 'shopify-write-back', businessId: value.idempotencyKey }),
    });
  }
}
