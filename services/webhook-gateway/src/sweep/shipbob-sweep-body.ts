import { minorToDecimal } from '@mlc/platform-decimal';
import type { ShipbobOrder, ShipbobShipment, ShipbobTransaction } from '@mlc/partners-shipbob-client';
import type { ShipbobMilestone } from '../webhooks/shipbob-record-key';

/**
 * The webhook a swept shipment state stands for: shipment-level topics carry the shipment (`Orders.ShipmentViewModel`),
 * `order.shipped` the order (`Orders.OrderViewModel`) with this shipment, as ShipBob's webhooks do (legacy bodies are
 * the GET model of the resource, shared/reference/shipbob.md §10 "Payloads"). Topics: `Webhooks.Topics` of OpenAPI 2026-01.
 */
export const SWEEP_TOPIC: Record<ShipbobMilestone, string> = {
  shipped: 'order.shipped',
  delivered: 'order.shipment.delivered',
  exception: 'order.shipment.exception',
  on_hold: 'order.shipment.on_hold',
  cancelled: 'order.shipment.cancelled',
};

/** The shipment in `Orders.ShipmentViewModel` snake_case, with the members the read gives (others left out). */
export function shipmentJson(s: ShipbobShipment): Record<string, unknown> {
  return {
    id: s.id,
    order_id: s.orderId,
    reference_id: s.referenceId,
    status: s.status,
    status_details: (s.details ?? s.statusDetails.map((name) => ({ name, description: undefined }))).map((d) => ({
      name: d.name,
      description: d.description ?? null,
    })),
    last_update_at: s.updatedAt ?? null,
    last_tracking_update_at: s.trackingUpdatedAt ?? null,
    actual_fulfillment_date: s.fulfilledAt ?? null,
    delivery_date: s.deliveredAt ?? null,
    location: s.locationId === undefined ? null : { id: s.locationId },
    tracking: s.tracking
      ? {
          carrier: s.tracking.carrier,
          carrier_service: s.tracking.carrierService ?? null,
          tracking_number: s.tracking.trackingNumber,
          tracking_url: s.tracking.trackingUrl ?? null,
          shipping_date: s.tracking.shippedAt ?? null,
        }
      : null,
    products: (s.products ?? []).map((p) => ({ reference_id: p.referenceId ?? null, sku: p.sku ?? null, inventory_items: [{ quantity: p.quantity }] })),
  };
}

/** The webhook body for one swept shipment state (see SWEEP_TOPIC). */
export function shipmentWebhookBody(milestone: ShipbobMilestone, order: ShipbobOrder, s: ShipbobShipment): string {
  if (milestone !== 'shipped') return JSON.stringify(shipmentJson(s));
  return JSON.stringify({
    id: order.id,
    reference_id: order.referenceId,
    order_number: order.orderNumber,
    status: order.status,
    type: order.type,
    created_date: order.createdAt,
    channel: order.channelId === undefined ? null : { id: order.channelId },
    shipments: [shipmentJson(s)],
  });
}

/**
 * A billing transaction as `billing.charge.created` carries it (`Billing.TransactionDtoV3`, OpenAPI 2026-01):
 * `amount` a JSON number, `fulfillment_center` a string, `invoiced_status` a boolean.
 */
export function chargeWebhookBody(t: ShipbobTransaction): string {
  return JSON.stringify({
    transaction_id: t.transactionId,
    amount: minorToDecimal(BigInt(t.amountMinor), t.currencyCode).toNumber(),
    currency_code: t.currencyCode,
    charge_date: t.chargeDate,
    invoice_id: t.invoiceId ?? null,
    invoice_type: t.invoiceType ?? null,
    invoiced_status: t.invoiced ?? null,
    reference_id: t.referenceId,
    reference_type: t.referenceType,
    transaction_fee: t.transactionFee ?? null,
    transaction_type: t.transactionType,
    fulfillment_center: t.fulfillmentCenter?.name ?? null,
  });
}
