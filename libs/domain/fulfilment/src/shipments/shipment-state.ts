import type { ShipmentFact } from './shipbob-webhook.parse';
import { isIssue, laterMilestone, MILESTONE_RANK, type ShipmentIssueKind, type ShipmentMilestone } from './shipment-status';

/** What we know of one ShipBob shipment, merged from every webhook about it whatever their order. */
export interface ShipmentState {
  shipmentId: string;
  referenceId: string;
  shipbobOrderId?: string;
  milestone: ShipmentMilestone;
  shipbobStatus?: string;
  carrier?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  shippedAt?: string;
  deliveredAt?: string;
  /** Every problem seen, once per kind (the first report's reason and time). */
  issues: { kind: ShipmentIssueKind; reason?: string; at?: string; shipbobStatus?: string }[];
  products?: { sku: string; quantity: number }[];
}

/**
 * Merges a fact into the state by status precedence, not arrival order: the milestone only moves up, tracking and
 * products fill in when first known (tracking also follows a newer report), problems are remembered once each.
 * `changed` is false for a duplicate or a stale report.
 */
export function mergeShipment(prev: ShipmentState | undefined, f: ShipmentFact): { state: ShipmentState; changed: boolean } {
  const base: ShipmentState = prev ?? { shipmentId: f.shipmentId, referenceId: f.referenceId, milestone: 'processing', issues: [] };
  const next: ShipmentState = { ...base, issues: [...base.issues] };
  next.shipbobOrderId ??= f.shipbobOrderId;
  const milestone = laterMilestone(base.milestone, f.milestone);
  if (milestone !== base.milestone) {
    next.milestone = milestone;
    next.shipbobStatus = f.shipbobStatus ?? next.shipbobStatus;
  }
  if (f.trackingNumber && (!base.trackingNumber || MILESTONE_RANK[f.milestone] >= MILESTONE_RANK[base.milestone])) {
    next.trackingNumber = f.trackingNumber;
    next.carrier = f.carrier ?? next.carrier;
    next.trackingUrl = f.trackingUrl ?? next.trackingUrl;
  }
  if (MILESTONE_RANK[f.milestone] >= MILESTONE_RANK.shipped && f.milestone !== 'cancelled') next.shippedAt ??= f.eventAt;
  if (f.milestone === 'delivered') next.deliveredAt ??= f.eventAt;
  if (!next.products && f.products?.length) next.products = f.products;
  // A problem reported after the shipment left (a late exception webhook) is stale: nothing new.
  if (isIssue(f.milestone) && !next.issues.some((i) => i.kind === f.milestone)) {
    const stale = f.milestone !== 'cancelled' && MILESTONE_RANK[base.milestone] >= MILESTONE_RANK.shipped;
    const afterDelivery = f.milestone === 'cancelled' && base.milestone === 'delivered';
    if (!stale && !afterDelivery) next.issues.push({ kind: f.milestone, reason: f.reason, at: f.eventAt, shipbobStatus: f.shipbobStatus });
  }
  if (next.milestone === 'cancelled' && base.milestone === 'delivered') next.milestone = 'delivered';
  return { state: next, changed: JSON.stringify(next) !== JSON.stringify(base) || prev === undefined };
}
