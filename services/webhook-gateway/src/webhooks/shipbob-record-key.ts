import { milestoneOfStatus, type ShipmentMilestone } from '@mlc/domain-fulfilment';
import { checkJsonStructure } from './json-structure';

/** What a ShipBob shipment state means for the write-back; `processing` states carry nothing to write back. */
export type ShipbobMilestone = Exclude<ShipmentMilestone, 'processing'>;

/**
 * The milestone of a shipment status and its last status detail, as the write-back reads it (milestoneOfStatus).
 * Undefined for the states before a label (Processing, None, ImportReview) and unknown ones.
 */
export function shipbobMilestone(status: string | undefined, lastDetail: string | undefined): ShipbobMilestone | undefined {
  const m = milestoneOfStatus(status, lastDetail);
  return m === 'processing' ? undefined : m;
}

/**
 * The key the ShipBob sweep and webhooks share for one state of one shipment: `shipbob|shipment|<id>|<milestone>`,
 * and for `shipped` also the tracking number (a label bought later, a new tracking number, is a new state).
 */
export function shipmentRecordKey(shipmentId: string, milestone: ShipbobMilestone, trackingNumber: string | undefined): string {
  return milestone === 'shipped' ? `shipbob|shipment|${shipmentId}|shipped|${trackingNumber ?? ''}` : `shipbob|shipment|${shipmentId}|${milestone}`;
}

/** The key of one billing transaction: `shipbob|transaction|<transaction_id>`. */
export function transactionRecordKey(transactionId: string): string {
  return `shipbob|transaction|${transactionId}`;
}

/** Shipment-level topics (2025-07+ names and their legacy names) and the state they announce. */
const SHIPMENT_TOPICS: Record<string, ShipbobMilestone> = {
  'order.shipment.delivered': 'delivered',
  'order.shipment.exception': 'exception',
  'order.shipment.on_hold': 'on_hold',
  'order.shipment.cancelled': 'cancelled',
  shipment_delivered: 'delivered',
  shipment_exception: 'exception',
  shipment_onhold: 'on_hold',
  shipment_cancelled: 'cancelled',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;

function trackingNumberOf(s: Obj): string | undefined {
  const t = s['tracking'];
  return isObj(t) ? (text(t['tracking_number']) ?? text(t['tracking_id'])) : undefined;
}

function lastDetailName(s: Obj): string | undefined {
  const d = s['status_details'];
  const last = Array.isArray(d) ? (d.at(-1) as unknown) : undefined;
  return isObj(last) ? text(last['name']) : undefined;
}

/**
 * The record key of a verified ShipBob webhook (what the sweep skips on), null when the topic carries no shipment
 * state or charge we key: `order.shipment.*` (the shipment, state by topic), `order.shipped` with one shipment,
 * `billing.charge.created` (its transaction_id). Ids are ShipBob int32s (`Orders.ShipmentViewModel.id`) or strings
 * (`Billing.TransactionDtoV3.transaction_id`), exact through JSON.parse; the body is not changed. `structureChecked`:
 * the caller already found `checkJsonStructure(body, { topLevelObject: true })` clean (the webhook intake does).
 */
export function recordKeyOfShipbobWebhook(topic: string, body: string, structureChecked = false): string | null {
  if (!structureChecked && checkJsonStructure(body, { topLevelObject: true })) return null;
  let b: unknown;
  try {
    b = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isObj(b)) return null;
  if (topic === 'billing.charge.created') {
    const id = text(b['transaction_id']);
    return id ? transactionRecordKey(id) : null;
  }
  const byTopic = SHIPMENT_TOPICS[topic];
  if (byTopic) {
    const id = text(b['id']) ?? text(b['shipment_id']);
    return id ? shipmentRecordKey(id, byTopic, trackingNumberOf(b)) : null;
  }
  if (topic === 'order.shipped' || topic === 'order_shipped') {
    const shipments = Array.isArray(b['shipments']) ? (b['shipments'] as unknown[]).filter(isObj) : [];
    const only = shipments.length === 1 ? shipments[0]! : undefined;
    const id = only ? text(only['id']) : undefined;
    if (!only || !id) return null;
    const milestone = shipbobMilestone(text(only['status']), lastDetailName(only)) ?? 'shipped';
    return shipmentRecordKey(id, milestone, trackingNumberOf(only));
  }
  return null;
}
