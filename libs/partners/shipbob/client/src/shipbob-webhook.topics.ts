/** ShipBob webhook topics of the 2026-01 API (reference/shipbob.md "Webhooks", `components.schemas.Webhooks.Topics`). */
export const SHIPBOB_WEBHOOK_TOPICS = [
  'order.shipped',
  'order.shipment.delivered',
  'order.shipment.exception',
  'order.shipment.on_hold',
  'order.shipment.cancelled',
  'return.created',
  'return.updated',
  'return.completed',
  'billing.charge.created',
  'billing.refund.created',
  'billing.credit.created',
] as const;
export type ShipbobWebhookTopic = (typeof SHIPBOB_WEBHOOK_TOPICS)[number];
