/**
 * Where a ShipBob shipment stands, as far as the Fusion write-back cares, and which state wins when webhooks arrive
 * out of order (ShipBob does not guarantee order: reference/shipbob.md §10 "Retries"). A state only moves to a higher
 * rank; `exception` and `on_hold` share a rank (a shipment goes back and forth between them and processing).
 */
export type ShipmentMilestone = 'processing' | 'exception' | 'on_hold' | 'shipped' | 'delivered' | 'cancelled';

export const MILESTONE_RANK: Record<ShipmentMilestone, number> = {
  processing: 0,
  exception: 1,
  on_hold: 1,
  shipped: 2,
  delivered: 3,
  cancelled: 3,
};

/** The problems a shipment can report; each becomes (at most once) a fulfillment exception on the PO. */
export type ShipmentIssueKind = 'exception' | 'on_hold' | 'cancelled';

export function isIssue(m: ShipmentMilestone): m is ShipmentIssueKind {
  return m === 'exception' || m === 'on_hold' || m === 'cancelled';
}

/**
 * The milestone a ShipBob shipment status (+ its last status detail) means. `Completed` is "left ShipBob", not
 * delivered, unless the detail says Delivered; `LabeledCreated` counts as shipped (tracking exists, reference §5).
 */
export function milestoneOfStatus(status: string | undefined, lastDetail?: string): ShipmentMilestone | undefined {
  switch (status) {
    case 'Completed':
      return lastDetail === 'Delivered' ? 'delivered' : 'shipped';
    case 'LabeledCreated':
      return 'shipped';
    case 'Exception':
      return 'exception';
    case 'OnHold':
      return 'on_hold';
    case 'Cancelled':
    case 'CleanSweeped':
      return 'cancelled';
    case 'Processing':
    case 'None':
    case 'ImportReview':
      return 'processing';
    default:
      return undefined;
  }
}

/** The higher-ranked of two milestones; on a tie the newer one (a shipment can move between exception and hold). */
export function laterMilestone(current: ShipmentMilestone, incoming: ShipmentMilestone): ShipmentMilestone {
  return MILESTONE_RANK[incoming] >= MILESTONE_RANK[current] ? incoming : current;
}
