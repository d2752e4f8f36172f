import { as, type Setting } from '@mlc/platform-config';

/** Settings of the webhooks feature of webhook-gateway (merged into the service's settings). */
export const webhooksSettings = {
  webhookMaxBodyBytes: {
    env: 'WEBHOOK_MAX_BODY_BYTES',
    doc: 'largest webhook body accepted, in bytes (larger: 413); keep it under the Kafka message limit (1 MiB by default)',
    parse: as.int(1_024, 16 * 1_048_576),
    default: 921_600,
  } as Setting<number>,
  webhookPublishTimeoutMs: {
    env: 'WEBHOOK_PUBLISH_TIMEOUT_MS',
    doc: 'how long a webhook waits, from its arrival, for Kafka to acknowledge before it is answered 503 (partners give up after 5 s)',
    parse: as.int(100, 4_500),
    default: 3_000,
  } as Setting<number>,
  webhookMaxPending: {
    env: 'WEBHOOK_MAX_PENDING',
    doc: 'most webhooks waiting for or in a Kafka send at once, in deliveries; one more is answered 503 with Retry-After (the partner retries)',
    parse: as.int(1, 100_000),
    default: 1_000,
  } as Setting<number>,
  webhookMaxPendingBytes: {
    env: 'WEBHOOK_MAX_PENDING_BYTES',
    doc: 'most webhook body bytes waiting for or in a Kafka send at once, in bytes; one more is answered 503 with Retry-After (one webhook is always accepted)',
    parse: as.int(1_048_576, 2_147_483_647),
    default: 67_108_864,
  } as Setting<number>,
  shipbobWebhookToleranceSec: {
    env: 'SHIPBOB_WEBHOOK_TOLERANCE_SEC',
    doc: 'allowed distance between a ShipBob webhook-timestamp and now, in seconds (older or newer: 401)',
    parse: as.int(1, 86_400),
    default: 300,
  } as Setting<number>,
  webhookDeliveryRetentionDays: {
    env: 'WEBHOOK_DELIVERY_RETENTION_DAYS',
    doc: 'how long published delivery ids are remembered for redelivery detection, in days (longer than any partner retry window)',
    parse: as.int(2, 3_650),
    default: 30,
  } as Setting<number>,
};
