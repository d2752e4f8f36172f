import { Controller } from '@nestjs/common';
import type { TopicRecords } from '@mlc/contracts';
import { PgProcessedEventStore, type OutgoingRecord } from '@mlc/platform-kafka';
import { KafkaHandler } from '@mlc/platform-service';
import { dryRunRecord, recordWrites, TenantDirectory } from '@mlc/tenancy';
import { ShopifyWriteBackService } from './shopify-write-back';

export const WRITE_BACK_GROUP = 'fusion-writer.shopify-write-back';

/** The write-back on Kafka: accounting.fusion-receivables.synced.v1 (invoices) → Shopify order metafield. */
@Controller()
export class ShopifyWriteBackController {
  constructor(
    private readonly service: ShopifyWriteBackService,
    private readonly directory: TenantDirectory,
  ) {}

  @KafkaHandler('accounting.fusion-receivables.synced.v1', {
    consumer: WRITE_BACK_GROUP,
    processedEvents: PgProcessedEventStore,
    maxAttempts: 8,
    describe: (value) => ({ entityType: 'shopify-write-back', businessId: value.idempotencyKey }),
  })
  async onSynced(value: TopicRecords['accounting.fusion-receivables.synced.v1']): Promise<OutgoingRecord[]> {
    // settings.dryRun.receivables: the metafieldsSet mutation is recorded, not sent (a synced record from before
    // the switch; the dry run itself publishes none).
    const tenant = await this.directory.get(value.meta.tenantId);
    if (tenant.settings.dryRun?.receivables !== true || !tenant.connections.shopify) {
      await this.service.handle(value);
      return [];
    }
    const run = await recordWrites(
      tenant.connections.shopify.baseUrl,
      () => undefined,
      () => this.service.handle(value),
    );
    if (run.error) throw run.error;
    return run.writes.map((w) =>
      dryRunRecord(value.meta, 'fusion-writer', {
        ...w,
        flow: 'receivables',
        partner: 'shopify',
        operation: 'set-order-metafields',
        entityType: 'shopify-write-back',
        businessId: value.idempotencyKey,
        shopifyOrderId: value.shopifyOrderId ?? null,
      }),
    );
  }
}
