import { decimalString, idString, parseExactJson } from './shipbob-json';
import { MILESTONE_RANK, milestoneOfStatus, type ShipmentMilestone } from './shipment-status';

/** What one ShipBob webhook says about one shipment. */
export interface ShipmentFact {
  shipmentId: string;
  /** ShipBob order reference_id: our formatReferenceId when we created the order. */
  referenceId: string;
  shipbobOrderId?: string;
  milestone: ShipmentMilestone;
  /** ShipBob status (and last detail) as sent, e.g. `Completed/Delivered`. */
  shipbobStatus?: string;
  /** Why it is in exception / on hold / cancelled (ShipBob's status detail). */
  reason?: string;
  carrier?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  /** When it happened at ShipBob (ISO-8601). */
  eventAt?: string;
  /** Units per SKU in this shipment, when the payload lists them. */
  products?: { sku: string; quantity: number }[];
}

/** A ShipBob billing transaction (billing.charge.created). */
export interface ChargeFact {
  transactionId: string;
  chargeType: string;
  amount: string;
  currency: string;
  chargedAt?: string;
  /** The shipment it is for, when reference_type is Shipment. */
  shipmentId?: string;
  referenceType?: string;
}

export type WebhookReading =
  | { kind: 'shipments'; facts: ShipmentFact[] }
  | { kind: 'charge'; charge: ChargeFact }
  | { kind: 'ignored'; why: string }
  | { kind: 'unreadable'; why: string };

/** Legacy (1.0/2.0) topic names and their 2025-07+ equivalents (reference §10 "Topics"). */
const TOPIC_ALIASES: Record<string, string> = {
  order_shipped: 'order.shipped',
  shipment_delivered: 'order.shipment.delivered',
  shipment_exception: 'order.shipment.exception',
  shipment_onhold: 'order.shipment.on_hold',
  shipment_cancelled: 'order.shipment.cancelled',
};

export function canonicalTopic(topic: string): string {
  return TOPIC_ALIASES[topic] ?? topic;
}

/** The milestone a shipment-level topic implies regardless of the status in the body. */
const TOPIC_MILESTONE: Record<string, ShipmentMilestone> = {
  'order.shipment.delivered': 'delivered',
  'order.shipment.exception': 'exception',
  'order.shipment.on_hold': 'on_hold',
  'order.shipment.cancelled': 'cancelled',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function lastDetail(s: Obj): Obj | undefined {
  const d = s['status_details'];
  return Array.isArray(d) && d.length && isObj(d[d.length - 1]) ? (d[d.length - 1] as Obj) : undefined;
}

function products(s: Obj): ShipmentFact['products'] {
  const list = s['products'];
  if (!Array.isArray(list) || !list.length) return undefined;
  const out: { sku: string; quantity: number }[] = [];
  for (const p of list) {
    if (!isObj(p)) continue;
    const sku = str(p['sku']) ?? str(p['reference_id']);
    const items = Array.isArray(p['inventory_items']) ? (p['inventory_items'] as unknown[]).filter(isObj) : [];
    const quantity = items.length ? items.reduce((n, i) => n + Number(i['quantity'] ?? 0), 0) : Number(p['quantity'] ?? 0);
    if (sku && Number.isFinite(quantity) && quantity > 0) out.push({ sku, quantity });
  }
  return out.length ? out : undefined;
}

/** One shipment object (ShipmentViewModel) → a fact; `implied` is the topic's milestone, `order` the enclosing order. */
function shipmentFact(s: Obj, implied: ShipmentMilestone | undefined, order?: Obj): ShipmentFact | string {
  const shipmentId = idString(s['id']) ?? idString(s['shipment_id']);
  const referenceId = str(s['reference_id']) ?? (order ? str(order['reference_id']) : undefined);
  if (!shipmentId) return 'shipment without id';
  if (!referenceId) return `shipment ${shipmentId} without reference_id`;
  const status = str(s['status']);
  const detail = lastDetail(s);
  const detailName = str(detail?.['name']);
  const fromStatus = milestoneOfStatus(status, detailName);
  let milestone = implied ?? fromStatus;
  // The body may be newer than the topic (a late-sent snapshot): the higher of the two wins.
  if (implied && fromStatus && MILESTONE_RANK[fromStatus] > MILESTONE_RANK[implied]) milestone = fromStatus;
  if (!milestone) return `shipment ${shipmentId}: unknown status ${status ?? '(none)'}`;
  const tracking = isObj(s['tracking']) ? s['tracking'] : undefined;
  return {
    shipmentId,
    referenceId,
    shipbobOrderId: idString(s['order_id']) ?? (order ? idString(order['id']) : undefined),
    milestone,
    shipbobStatus: status ? (detailName ? `${status}/${detailName}` : status) : undefined,
    reason:
      milestone === 'exception' || milestone === 'on_hold' || milestone === 'cancelled' ? (str(detail?.['description']) ?? detailName ?? status) : undefined,
    carrier: str(tracking?.['carrier']),
    trackingNumber: str(tracking?.['tracking_number']) ?? str(tracking?.['tracking_id']),
    trackingUrl: str(tracking?.['tracking_url']),
    eventAt: str(s['delivery_date']) && milestone === 'delivered' ? str(s['delivery_date']) : (str(s['last_update_at']) ?? str(s['event_time'])),
    products: products(s),
  };
}

/**
 * Reads a verified ShipBob webhook (topic from `x-webhook-topic`, body byte-exact) into facts. Payload shapes
 * follow reference/shipbob.md §10 "Payloads" (order topics carry an OrderViewModel, shipment topics a
 * ShipmentViewModel) and the ShipBob sandbox that produces them.
 */
export function readShipbobWebhook(rawTopic: string, body: string): WebhookReading {
  const topic = canonicalTopic(rawTopic);
  let parsed: unknown;
  try {
    parsed = parseExactJson(body);
  } catch (err) {
    return { kind: 'unreadable', why: `body is not JSON: ${(err as Error).message}` };
  }
  if (!isObj(parsed)) return { kind: 'unreadable', why: 'body is not a JSON object' };
  const b = parsed;

  if (topic === 'billing.charge.created') {
    const transactionId = idString(b['transaction_id']);
    const amount = decimalString(b['amount']);
    if (!transactionId || amount === undefined) return { kind: 'unreadable', why: 'charge without transaction_id or amount' };
    const referenceType = str(b['reference_type']);
    return {
      kind: 'charge',
      charge: {
        transactionId,
        amount,
        currency: str(b['currency_code']) ?? 'USD',
        chargeType: str(b['transaction_fee']) ?? str(b['invoice_type']) ?? str(b['transaction_type']) ?? 'Charge',
        chargedAt: str(b['charge_date']),
        referenceType,
        shipmentId: referenceType === undefined || referenceType === 'Shipment' ? idString(b['reference_id']) : undefined,
      },
    };
  }

  if (topic === 'order.shipped' || topic === 'order.delivered') {
    const shipments = Array.isArray(b['shipments']) ? (b['shipments'] as unknown[]).filter(isObj) : [];
    if (!shipments.length) return { kind: 'unreadable', why: `${topic} without shipments` };
    const facts: ShipmentFact[] = [];
    for (const s of shipments) {
      const f = shipmentFact(s, topic === 'order.delivered' ? 'delivered' : undefined, b);
      if (typeof f === 'string') return { kind: 'unreadable', why: f };
      facts.push(f);
    }
    // order.shipped fires when a label is out; when the statuses don't show it (a sparse body), the only shipment is the shipped one.
    const shipped = facts.filter((f) => MILESTONE_RANK[f.milestone] >= MILESTONE_RANK.shipped && f.milestone !== 'cancelled');
    if (topic === 'order.shipped' && !shipped.length && facts.length === 1) return { kind: 'shipments', facts: [{ ...facts[0]!, milestone: 'shipped' }] };
    return { kind: 'shipments', facts: topic === 'order.shipped' ? shipped : facts };
  }

  if (topic.startsWith('order.shipment.')) {
    // ShipBob Logistics' tracking_received names the order, not the shipment (reference §10): nothing to key it by.
    if (topic === 'order.shipment.tracking_received' && idString(b['id']) === undefined && idString(b['shipment_id']) === undefined) {
      return { kind: 'ignored', why: 'tracking_received carries no shipment id' };
    }
    const f = shipmentFact(b, TOPIC_MILESTONE[topic], undefined);
    if (typeof f === 'string') return { kind: 'unreadable', why: f };
    return { kind: 'shipments', facts: [f] };
  }

  return { kind: 'ignored', why: `topic ${rawTopic} does not touch purchase orders` };
}
