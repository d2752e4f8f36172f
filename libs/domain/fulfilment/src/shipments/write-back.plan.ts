import type { EventRuleValue, PoAction } from './event-rule';
import type { ShipmentState } from './shipment-state';
import type { ShipmentIssueKind } from './shipment-status';
import { MILESTONE_RANK } from './shipment-status';

/** A line of a ShipBob order we requested (from fulfilment.shipbob-order.requested.v1). */
export interface RequestedLine {
  poLineId: string;
  lineNumber: string;
  itemNumber?: string | null;
  sku?: string | null;
  quantity: number;
  uom?: string | null;
}

/** A ShipBob order we asked for and that still counts (not cancelled, not superseded by a newer revision). */
export interface ActiveOrder {
  referenceId: string;
  shipbobOrderId?: string | null;
  lines: RequestedLine[];
}

export type FusionPoUpdateKind = 'advance_shipment_notice' | 'receipt' | 'close_for_receiving' | 'fulfillment_exception';

/** A write-back command without its envelope (meta): the body of fulfilment.fusion-po-update.requested.v1. */
export interface PoUpdateCommand {
  kind: FusionPoUpdateKind;
  idempotencyKey: string;
  poHeaderId: string;
  poNumber: string;
  referenceId: string | null;
  shipbobOrderId: string | null;
  shipmentId: string | null;
  shipbobStatus: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  eventAt: string | null;
  lines: { poLineId: string; lineNumber: string; itemNumber: string | null; quantity: string; uom: string | null }[];
  exceptionReason: string | null;
  writeToFlexfield: boolean;
  /** A fulfillment_exception's note for the PO header (NoteToReceiver), when the tenant asks for it; else null. */
  poNote: string | null;
}

export interface PlanInput {
  poHeaderId: string;
  poNumber: string;
  orders: ActiveOrder[];
  shipments: ShipmentState[];
  /** The tenant's shipbob-event-rule mappings (webhook topic → action); absent topics use DEFAULT_EVENT_RULES. */
  rules: Record<string, EventRuleValue>;
  writeToFlexfield: boolean;
  /**
   * Every line of the PO that is to be fulfilled (from the latest order request), also those whose order is not
   * known yet or that could not be mapped: closing for receiving waits for all of them. Absent: the orders' lines.
   */
  linesToFulfil?: readonly string[];
  /**
   * Idempotency keys of the receipts Fusion confirmed it processed (fulfilment.fusion-po.updated.v1). A delivered
   * shipment counts its lines as received only once its receipt is in here, so the PO is closed for receiving only
   * after every receipt was confirmed. Absent: every delivered shipment counts (as before receipts were confirmed).
   */
  confirmedReceipts?: ReadonlySet<string>;
  /** Tenant switch (settings.shipmentProblemsAsPoNote): a shipment problem also becomes the PO's NoteToReceiver. */
  problemsAsPoNote?: boolean;
}

/** A ShipBob shipment problem for the exceptions queue: one per shipment and kind. */
export interface ShipmentProblem {
  kind: ShipmentIssueKind;
  code: string;
  category: string;
  entityType: 'shipbob-shipment';
  /** `<shipmentId>:<kind>`: the queue folds repeats of one problem into one row. */
  businessId: string;
  message: string;
  details: Record<string, unknown>;
}

/** How each kind of shipment problem is classified in the exceptions queue. */
export const SHIPMENT_PROBLEM_CLASSES: Record<ShipmentIssueKind, { code: string; label: string }> = {
  exception: { code: 'SHIPBOB.SHIPMENT_EXCEPTION', label: 'has an exception' },
  on_hold: { code: 'SHIPBOB.SHIPMENT_ON_HOLD', label: 'is on hold' },
  cancelled: { code: 'SHIPBOB.SHIPMENT_CANCELLED', label: 'was cancelled' },
};
/** The exceptions-queue category of shipment problems (what ShipBob reports about a shipment, not a connector failure). */
export const SHIPMENT_PROBLEM_CATEGORY = 'fulfilment';

/** The default write-back per the reference: ASN on shipment, receipt on delivery, exceptions recorded. */
export const DEFAULT_EVENT_RULES: Record<string, PoAction> = {
  'order.shipped': 'mark-shipped',
  'order.shipment.delivered': 'mark-delivered',
  'order.shipment.exception': 'mark-exception',
  'order.shipment.on_hold': 'mark-on-hold',
  'order.shipment.cancelled': 'mark-cancelled',
};

const ISSUE_TOPIC = { exception: 'order.shipment.exception', on_hold: 'order.shipment.on_hold', cancelled: 'order.shipment.cancelled' } as const;

function action(rules: PlanInput['rules'], topic: string): { action: PoAction; note?: string } {
  const r = rules[topic];
  return r ? { action: r.action, note: r.note } : { action: DEFAULT_EVENT_RULES[topic] ?? 'ignore' };
}

function kindOf(a: PoAction): FusionPoUpdateKind | undefined {
  switch (a) {
    case 'mark-shipped':
      return 'advance_shipment_notice';
    case 'mark-delivered':
    case 'receive':
      return 'receipt';
    case 'mark-exception':
    case 'mark-on-hold':
    case 'mark-cancelled':
      return 'fulfillment_exception';
    default:
      return undefined;
  }
}

/**
 * Splits a shipment's units over the order's lines: by SKU, in line order, each line up to its requested quantity
 * (the last line of a SKU takes any excess). Without usable products the whole order is taken as shipped.
 */
export function allocate(order: ActiveOrder, shipment: ShipmentState): Map<string, number> {
  const out = new Map<string, number>();
  const bySku = new Map<string, RequestedLine[]>();
  for (const l of order.lines) if (l.sku) bySku.set(l.sku, [...(bySku.get(l.sku) ?? []), l]);
  const usable = shipment.products?.filter((p) => bySku.has(p.sku)) ?? [];
  if (!usable.length) {
    for (const l of order.lines) out.set(l.poLineId, l.quantity);
    return out;
  }
  for (const p of usable) {
    const lines = bySku.get(p.sku)!;
    let left = p.quantity;
    lines.forEach((l, i) => {
      const room = Math.max(0, l.quantity - (out.get(l.poLineId) ?? 0));
      const take = i === lines.length - 1 ? left : Math.min(room, left);
      if (take > 0) out.set(l.poLineId, (out.get(l.poLineId) ?? 0) + take);
      left -= take;
    });
  }
  return out;
}

const byLineNumber = (a: { lineNumber: string }, b: { lineNumber: string }) =>
  Number(a.lineNumber) - Number(b.lineNumber) || a.lineNumber.localeCompare(b.lineNumber);

/**
 * Every write-back a PO's known state calls for, each with a deterministic idempotency key per (kind, shipment,
 * lines). The caller emits only keys it has not emitted before, so replays, duplicates and reordered webhooks
 * converge on the same set: one ASN per shipped shipment (with tracking), one receipt per delivered shipment, one
 * exception per problem kind, and one close for receiving once every line has been delivered in full.
 */
export function planWriteBack(input: PlanInput): PoUpdateCommand[] {
  const out: PoUpdateCommand[] = [];
  const lineInfo = new Map<string, RequestedLine>();
  for (const o of input.orders) for (const l of o.lines) lineInfo.set(l.poLineId, l);
  const delivered = new Map<string, number>();
  let lastDelivery: string | undefined;

  const command = (
    kind: FusionPoUpdateKind,
    key: string,
    order: ActiveOrder | undefined,
    s: ShipmentState | undefined,
    qty: Map<string, number>,
    extra: Partial<PoUpdateCommand> = {},
  ): PoUpdateCommand => {
    const lines = [...qty]
      .map(([poLineId, q]) => {
        const l = lineInfo.get(poLineId);
        return { poLineId, lineNumber: l?.lineNumber ?? '', itemNumber: l?.itemNumber ?? null, quantity: String(q), uom: l?.uom ?? null };
      })
      .sort(byLineNumber);
    return {
      kind,
      idempotencyKey: `${key}:l${lines.map((l) => l.poLineId).join('.')}`,
      poHeaderId: input.poHeaderId,
      poNumber: input.poNumber,
      referenceId: order?.referenceId ?? null,
      shipbobOrderId: s?.shipbobOrderId ?? order?.shipbobOrderId ?? null,
      shipmentId: s?.shipmentId ?? null,
      shipbobStatus: s?.shipbobStatus ?? null,
      carrier: s?.carrier ?? null,
      trackingNumber: s?.trackingNumber ?? null,
      trackingUrl: s?.trackingUrl ?? null,
      eventAt: null,
      exceptionReason: null,
      writeToFlexfield: false,
      poNote: null,
      ...extra,
      lines,
    };
  };

  const shipments = [...input.shipments].sort((a, b) => a.shipmentId.localeCompare(b.shipmentId, undefined, { numeric: true }));
  for (const s of shipments) {
    const order = input.orders.find((o) => o.referenceId === s.referenceId);
    if (!order || !order.lines.length) continue;
    const qty = allocate(order, s);
    let receiptKey: string | undefined;
    const reached = (topic: string, milestoneReached: boolean, eventAt: string | undefined) => {
      if (!milestoneReached) return;
      const rule = action(input.rules, topic);
      const kind = kindOf(rule.action);
      if (kind === 'advance_shipment_notice' && !s.trackingNumber) return; // an ASN waits for tracking
      if (kind === 'receipt' || kind === 'advance_shipment_notice') {
        const cmd = command(kind, `${kind}:s${s.shipmentId}`, order, s, qty, { eventAt: eventAt ?? null });
        if (kind === 'receipt') receiptKey = cmd.idempotencyKey;
        out.push(cmd);
      }
    };
    const shipped = MILESTONE_RANK[s.milestone] >= MILESTONE_RANK.shipped && s.milestone !== 'cancelled';
    reached('order.shipped', shipped, s.shippedAt);
    reached('order.shipment.delivered', s.milestone === 'delivered', s.deliveredAt);
    for (const issue of s.issues) {
      const rule = action(input.rules, ISSUE_TOPIC[issue.kind]);
      const kind = kindOf(rule.action);
      if (!kind) continue;
      if (kind !== 'fulfillment_exception') continue; // receipts/ASNs come from shipped/delivered only
      const reason = [issue.reason, rule.note].filter(Boolean).join(' - ') || issue.kind;
      const note = `ShipBob shipment ${s.shipmentId} ${SHIPMENT_PROBLEM_CLASSES[issue.kind].label}: ${reason}`;
      out.push(
        command(kind, `${kind}:s${s.shipmentId}:${issue.kind}`, order, s, qty, {
          shipbobStatus: issue.shipbobStatus ?? s.shipbobStatus ?? null,
          eventAt: issue.at ?? null,
          exceptionReason: `${rule.action}: ${reason}`,
          writeToFlexfield: input.writeToFlexfield,
          poNote: input.problemsAsPoNote ? note : null,
        }),
      );
    }
    // A delivered shipment's lines count as received once Fusion confirmed its receipt (when confirmations are known).
    const received = !input.confirmedReceipts || (receiptKey !== undefined && input.confirmedReceipts.has(receiptKey));
    if (s.milestone === 'delivered' && received) {
      for (const [lineId, q] of qty) delivered.set(lineId, (delivered.get(lineId) ?? 0) + q);
      if (s.deliveredAt && (!lastDelivery || s.deliveredAt > lastDelivery)) lastDelivery = s.deliveredAt;
    }
  }

  // A line the PO still expects but no known order holds (its request not read yet, or not mappable) is not delivered.
  const pending = (input.linesToFulfil ?? []).some((id) => !lineInfo.has(id));
  const allDelivered = lineInfo.size > 0 && !pending && [...lineInfo.values()].every((l) => (delivered.get(l.poLineId) ?? 0) >= l.quantity);
  const deliveredRule = kindOf(action(input.rules, 'order.shipment.delivered').action);
  if (allDelivered && deliveredRule === 'receipt') {
    const qty = new Map([...lineInfo.values()].map((l) => [l.poLineId, delivered.get(l.poLineId) ?? 0] as const));
    out.push(command('close_for_receiving', `close_for_receiving:po${input.poHeaderId}`, undefined, undefined, qty, { eventAt: lastDelivery ?? null }));
  }
  return out;
}

/**
 * The shipment problems (exception, on hold, cancelled) the PO's shipments report and the tenant's rules turn into a
 * fulfillment exception: each once per shipment and kind, classified, naming the PO, its lines, the shipment and
 * ShipBob's reason.
 */
export function planShipmentProblems(input: Pick<PlanInput, 'poHeaderId' | 'poNumber' | 'orders' | 'shipments' | 'rules'>): ShipmentProblem[] {
  const out: ShipmentProblem[] = [];
  for (const s of input.shipments) {
    const order = input.orders.find((o) => o.referenceId === s.referenceId);
    if (!order || !order.lines.length) continue;
    const lines = [...order.lines].sort(byLineNumber);
    for (const issue of s.issues) {
      const rule = action(input.rules, ISSUE_TOPIC[issue.kind]);
      if (kindOf(rule.action) !== 'fulfillment_exception') continue;
      const cls = SHIPMENT_PROBLEM_CLASSES[issue.kind];
      const reason = issue.reason ?? issue.shipbobStatus ?? issue.kind;
      const lineText = `line${lines.length > 1 ? 's' : ''} ${lines.map((l) => l.lineNumber).join(', ')}`;
      out.push({
        kind: issue.kind,
        code: cls.code,
        category: SHIPMENT_PROBLEM_CATEGORY,
        entityType: 'shipbob-shipment',
        businessId: `${s.shipmentId}:${issue.kind}`,
        message: `ShipBob shipment ${s.shipmentId} (order ${s.shipbobOrderId ?? order.shipbobOrderId ?? '?'}, reference ${s.referenceId}) for PO ${input.poNumber} ${lineText} ${cls.label}: ${reason}${rule.note ? ` (${rule.note})` : ''}`,
        details: {
          poHeaderId: input.poHeaderId,
          poNumber: input.poNumber,
          poLines: lines.map((l) => ({ poLineId: l.poLineId, lineNumber: l.lineNumber, itemNumber: l.itemNumber ?? null })),
          shipmentId: s.shipmentId,
          shipbobOrderId: s.shipbobOrderId ?? order.shipbobOrderId ?? null,
          referenceId: s.referenceId,
          shipbobStatus: issue.shipbobStatus ?? null,
          reason: issue.reason ?? null,
          at: issue.at ?? null,
        },
      });
    }
  }
  return out;
}
