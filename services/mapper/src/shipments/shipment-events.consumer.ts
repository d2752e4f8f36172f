import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { TenantDirectory } from '@mlc/tenancy';
import { PgProcessedEventStore } from '@mlc/platform-kafka';
import { ConsumerHost, LOGGER, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { MAPPER_CONFIG, type MapperConfig } from '../config/mapper.config';
import { ShipmentWriteBackService } from './shipment-write-back.service';
import { ShipmentsRepository } from './shipments.repository';

export const SHIPMENTS_GROUP = 'mapper.shipments';

/** Wires the shipments use case to Kafka: ShipBob webhooks plus the order requests/results that say which PO they belong to. */
@Injectable()
export class ShipmentEventsConsumer implements OnModuleInit {
  constructor(
    private readonly host: ConsumerHost,
    private readonly directory: TenantDirectory,
    private readonly processed: PgProcessedEventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(MAPPER_CONFIG) private readonly config: MapperConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const service = new ShipmentWriteBackService(
      new ShipmentsRepository(this.pool),
      {
        rules: async (tenantId) => (await this.directory.get(tenantId)).mappings['shipbob-event-rule'],
        writeToFlexfield: () => this.config.shipmentExceptionsToFlexfield,
        problemsAsPoNote: async (tenantId) => (await this.directory.get(tenantId)).settings.shipmentProblemsAsPoNote ?? false,
      },
      this.log,
    );
    this.host.register({
      groupId: SHIPMENTS_GROUP,
      topics: ['shipbob.webhook.received.v1', 'fulfilment.shipbob-order.requested.v1', 'fulfilment.shipbob-order.synced.v1', 'fulfilment.fusion-po.updated.v1'],
      processedEvents: this.processed,
      maxAttempts: 8,
      handler: async (value, ctx) => {
        switch (ctx.topic) {
          case 'shipbob.webhook.received.v1':
            return service.onWebhook(value as never, ctx);
          case 'fulfilment.shipbob-order.requested.v1':
            return service.onRequested(value as never, ctx);
          case 'fulfilment.shipbob-order.synced.v1':
            return service.onSynced(value as never, ctx);
          case 'fulfilment.fusion-po.updated.v1':
            return service.onPoUpdated(value as never, ctx);
          default:
            return [];
        }
      },
      describe: (value) => {
        const v = value as { deliveryId?: string; referenceId?: string; idempotencyKey?: string };
        if (v.deliveryId) return { entityType: 'shipbob-webhook', businessId: v.deliveryId };
        if (v.idempotencyKey) return { entityType: 'fusion-po-update', businessId: v.idempotencyKey };
        return v.referenceId ? { entityType: 'shipbob-order', businessId: v.referenceId } : undefined;
      },
    });
  }
}
