import { Controller } from '@nestjs/common';
import type { TopicRecords } from '@mlc/contracts';
import { PgProcessedEventStore, type HandlerContext } from '@mlc/platform-kafka';
import { KafkaHandler, type KafkaHandlerOptions } from '@mlc/platform-service';
import { ShipmentWriteBackService } from './shipment-write-back.service';

export const SHIPMENTS_GROUP = 'mapper.shipments';

/** One consumer (group mapper.shipments) for the shipments use case's four topics. */
const CONSUMER = { consumer: SHIPMENTS_GROUP, processedEvents: PgProcessedEventStore, maxAttempts: 8 } satisfies KafkaHandlerOptions;

/** The shipments use case on Kafka: ShipBob webhooks plus the order requests/results that say which PO they belong to. */
@Controller()
export class ShipmentEventsController {
  constructor(private readonly service: ShipmentWriteBackService) {}

  @KafkaHandler('shipbob.webhook.received.v1', { ...CONSUMER, describe: (v) => ({ entityType: 'shipbob-webhook', businessId: v.deliveryId }) })
  onWebhook(value: TopicRecords['shipbob.webhook.received.v1'], ctx: HandlerContext) {
    return this.service.onWebhook(value, ctx);
  }

  @KafkaHandler('fulfilment.shipbob-order.requested.v1', { ...CONSUMER, describe: (v) => ({ entityType: 'shipbob-order', businessId: v.referenceId }) })
  onRequested(value: TopicRecords['fulfilment.shipbob-order.requested.v1'], ctx: HandlerContext) {
    return this.service.onRequested(value, ctx);
  }

  @KafkaHandler('fulfilment.shipbob-order.synced.v1', { ...CONSUMER, describe: (v) => ({ entityType: 'shipbob-order', businessId: v.referenceId }) })
  onSynced(value: TopicRecords['fulfilment.shipbob-order.synced.v1'], ctx: HandlerContext) {
    return this.service.onSynced(value, ctx);
  }

  @KafkaHandler('fulfilment.fusion-po.updated.v1', { ...CONSUMER, describe: (v) => ({ entityType: 'fusion-po-update', businessId: v.idempotencyKey }) })
  onPoUpdated(value: TopicRecords['fulfilment.fusion-po.updated.v1'], ctx: HandlerContext) {
    return this.service.onPoUpdated(value, ctx);
  }
}
