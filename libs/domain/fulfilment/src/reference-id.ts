/**
 * The ShipBob `reference_id` of an order we create: deterministic from the Fusion PO, the line (or the
 * fulfillment center when lines are grouped) and the revision, so it is the idempotency key of the order (ShipBob
 * refuses a second order with the same reference_id in a channel) and the way back from a ShipBob event to the PO.
 *
 *   per line:                    po<poHeaderId>-l<poLineId>-r<revision>     e.g. po300000047507590-l300000047507591-r0
 *   per PO and fulfillment center po<poHeaderId>-fc<fulfillmentCenterId>-r<revision>
 */
export type OrderReference =
  | { grouping: 'line'; poHeaderId: string; poLineId: string; revision: number }
  | { grouping: 'fulfillment-center'; poHeaderId: string; fulfillmentCenterId: string; revision: number };

const PATTERN = /^po([0-9A-Za-z]+)-(l|fc)([0-9A-Za-z]+)-r(\d+)$/;

export function formatReferenceId(ref: OrderReference): string {
  const part = ref.grouping === 'line' ? `l${ref.poLineId}` : `fc${ref.fulfillmentCenterId}`;
  return `po${ref.poHeaderId}-${part}-r${ref.revision}`;
}

/** The reference's parts, or undefined when the order was not created by ml-connector. */
export function parseReferenceId(referenceId: string): OrderReference | undefined {
  const m = PATTERN.exec(referenceId);
  if (!m) return undefined;
  const revision = Number(m[4]);
  return m[2] === 'l'
    ? { grouping: 'line', poHeaderId: m[1]!, poLineId: m[3]!, revision }
    : { grouping: 'fulfillment-center', poHeaderId: m[1]!, fulfillmentCenterId: m[3]!, revision };
}
