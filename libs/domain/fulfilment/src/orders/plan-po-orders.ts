import { createHash } from 'node:crypto';
import { formatReferenceId } from '../reference-id';
import { toRecipient } from './ship-to-address';
import type {
  DesiredOrder,
  LineIssue,
  OrderProductOut,
  OrderState,
  PoLineInput,
  PoMappingConfig,
  PoPlan,
  PurchaseOrderInput,
  RecipientOut,
} from './po-order.types';

/** Fusion statuses (display text, any case) of a line or PO that must have no ShipBob order. */
const CANCELLED = new Set(['canceled', 'cancelled']);
/** PO statuses before approval: nothing is sent yet, and nothing already sent is touched. */
const NOT_APPROVED = new Set(['incomplete', 'pending approval', 'rejected', 'withdrawn', 'pending funds reservation']);

const norm = (s: string | null | undefined): string => (s ?? '').trim().toLowerCase().replace(/_/g, ' ');

export function isCancelled(status: string | null | undefined): boolean {
  return CANCELLED.has(norm(status));
}

/** Whether the PO is approved far enough to be fulfilled (false for drafts and POs awaiting approval). */
export function isReleased(poStatus: string): boolean {
  return !NOT_APPROVED.has(norm(poStatus));
}

/** Fusion's receivable status by default: only an Open PO (and Open lines) can be received against. */
export const DEFAULT_RECEIVABLE_STATUSES: readonly string[] = ['Open'];

/**
 * Whether a PO line may become (part of) a ShipBob order: the PO and the line are both in one of the tenant's
 * receivable statuses. A line without a status of its own follows the PO. On Hold, Closed for Receiving, Closed…
 * are not: Fusion refuses receipts against them, so an order shipped for them could never be written back.
 */
export function isReceivable(poStatus: string, lineStatus: string | null | undefined, statuses: readonly string[] = DEFAULT_RECEIVABLE_STATUSES): boolean {
  const ok = new Set(statuses.map(norm));
  return ok.has(norm(poStatus)) && (lineStatus == null || lineStatus.trim() === '' || ok.has(norm(lineStatus)));
}

/**
 * A PO line quantity as whole units: a positive integer, or undefined for anything else (ShipBob takes integer
 * quantities; `10.0` is fine, `2.5` or `0` is not).
 */
export function wholeUnits(quantity: string): number | undefined {
  const t = quantity.trim();
  if (!/^\d+(\.0+)?$/.test(t)) return undefined;
  const n = Number(t.split('.')[0]);
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : undefined;
}

interface MappedLine {
  line: PoLineInput;
  product: OrderProductOut;
  fulfillmentCenterId: number;
  recipient: RecipientOut;
  shipToCode: string | null;
}

/** The reference a line's order gets at revision 0 (what an exception names when the line cannot be mapped). */
export function lineReferenceId(po: Pick<PurchaseOrderInput, 'poHeaderId'>, groupKey: string, revision = 0): string {
  return groupKey.startsWith('fc')
    ? formatReferenceId({ grouping: 'fulfillment-center', poHeaderId: po.poHeaderId, fulfillmentCenterId: groupKey.slice(2), revision })
    : formatReferenceId({ grouping: 'line', poHeaderId: po.poHeaderId, poLineId: groupKey.slice(1), revision });
}

/**
 * Maps every line of a PO: product by `item-product`, fulfillment center by `ship-to-fc` (ship-to location) then
 * `supplier-fc`, whole-unit quantity, recipient from the ship-to address. Lines that cannot be mapped become issues
 * (the rest goes on); cancelled lines (or a cancelled PO) are left out of the desired orders. Pure.
 */
export function planPurchaseOrder(po: PurchaseOrderInput, cfg: PoMappingConfig): PoPlan {
  const plan: PoPlan = { desired: new Map(), issues: [], heldGroups: new Set(), heldLines: new Set(), linesToFulfil: [], lineSources: new Map() };
  const perFc = cfg.orderGrouping === 'per-po-and-fulfillment-center';
  const poCancelled = isCancelled(po.status);
  const mapped: MappedLine[] = [];

  for (const line of po.lines) {
    if (poCancelled || isCancelled(line.status)) continue;
    const shipToCode = line.shipToLocationCode ?? po.shipToLocationCode ?? null;
    const fc = fulfillmentCenterFor(po, shipToCode, cfg);
    const groupKey = perFc ? (fc === undefined ? null : `fc${fc}`) : `l${line.poLineId}`;
    if (!isReceivable(po.status, line.status, cfg.receivableStatuses)) {
      // Not receivable now (On Hold, Closed for Receiving…): no order is made for it, and one made before is left
      // as it is (not cancelled): the line may be released again, or was closed by our own receipts.
      plan.heldLines.add(line.poLineId);
      if (groupKey) plan.heldGroups.add(groupKey);
      continue;
    }
    plan.linesToFulfil.push(line.poLineId);
    plan.lineSources.set(line.poLineId, JSON.stringify([line.itemNumber?.trim() ?? null, line.quantity.trim(), line.uom ?? null, shipToCode]));
    const where = `PO ${po.orderNumber} (POHeaderId ${po.poHeaderId}) line ${line.lineNumber} (POLineId ${line.poLineId})`;
    const issue = (code: LineIssue['code'], category: LineIssue['category'], mappingKey: string | null, message: string): void => {
      plan.issues.push({
        code,
        category,
        poLineId: line.poLineId,
        lineNumber: line.lineNumber,
        mappingKey,
        message: `${where}: ${message}`,
        groupKey,
        fulfillmentCenterId: fc ?? null,
      });
    };
    const before = plan.issues.length;

    const item = line.itemNumber?.trim();
    const mapping = item ? cfg.itemProduct[item] : undefined;
    if (!item) issue('VALIDATION.MISSING_ITEM', 'invalid-value', null, 'the line has no item number, so no ShipBob product can be chosen');
    else if (!mapping) issue('MAPPING.MISSING_PRODUCT', 'missing-mapping', `item-product:${item}`, `no item-product mapping for item ${item}`);
    else if (!mapping.shipbobSku && mapping.shipbobProductId === undefined)
      issue(
        'MAPPING.PRODUCT_WITHOUT_SKU',
        'missing-mapping',
        `item-product:${item}`,
        `the item-product mapping for item ${item} names neither a ShipBob SKU nor a product id`,
      );

    if (fc === undefined) {
      const keys = [shipToCode ? `ship-to-fc:${shipToCode}` : null, ...supplierKeys(po).map((k) => `supplier-fc:${k}`)].filter(Boolean).join(' or ');
      issue(
        'MAPPING.MISSING_FULFILLMENT_CENTER',
        'missing-mapping',
        keys || 'ship-to-fc',
        `no fulfillment center mapped (tried ${keys || 'no ship-to location and no supplier'})`,
      );
    }

    const quantity = wholeUnits(line.quantity);
    if (quantity === undefined)
      issue(
        'VALIDATION.INVALID_QUANTITY',
        'invalid-value',
        null,
        `quantity ${JSON.stringify(line.quantity)}${line.uom ? ` ${line.uom}` : ''} is not a positive whole number of units`,
      );

    const address = (shipToCode ? (cfg.shipToAddress?.[shipToCode] ?? po.shipToAddresses?.[shipToCode]) : undefined) ?? po.shipToAddress;
    const recipient = toRecipient(address, shipToCode);
    if (!recipient)
      issue(
        'MAPPING.MISSING_RECIPIENT',
        'missing-mapping',
        shipToCode ? `ship-to-address:${shipToCode}` : 'ship-to-address',
        `ShipBob needs a recipient name, address line, city and country; the ship-to location ${shipToCode ?? '(none)'} has no usable address (set it once with the ship-to-address mapping)`,
      );

    if (plan.issues.length > before) {
      plan.heldLines.add(line.poLineId);
      if (groupKey) plan.heldGroups.add(groupKey);
      continue;
    }
    mapped.push({
      line,
      shipToCode,
      fulfillmentCenterId: fc!,
      recipient: recipient!,
      product: {
        poLineId: line.poLineId,
        lineNumber: line.lineNumber,
        itemNumber: item!,
        sku: mapping!.shipbobSku ?? null,
        productId: mapping!.shipbobProductId ?? null,
        name: line.description?.trim() || null,
        quantity: quantity!,
        uom: line.uom ?? null,
      },
    });
  }

  const groups = new Map<string, MappedLine[]>();
  for (const m of mapped) {
    const key = perFc ? `fc${m.fulfillmentCenterId}` : `l${m.line.poLineId}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const [groupKey, members] of groups) {
    if (plan.heldGroups.has(groupKey)) continue;
    const first = members[0]!;
    const products = members.map((m) => m.product).sort((a, b) => compareLineNumbers(a.lineNumber, b.lineNumber) || a.poLineId.localeCompare(b.poLineId));
    plan.desired.set(groupKey, {
      groupKey,
      grouping: perFc ? 'fulfillment-center' : 'line',
      fulfillmentCenterId: first.fulfillmentCenterId,
      recipient: first.recipient,
      products,
      lineIds: products.map((p) => p.poLineId),
      contentHash: contentHash(first.fulfillmentCenterId, first.shipToCode, products),
      sourceHash: sourceHash(
        plan,
        products.map((p) => p.poLineId),
      )!,
    });
  }
  return plan;
}

function supplierKeys(po: PurchaseOrderInput): string[] {
  return [...new Set([po.supplierSite, po.supplier, ...(po.supplierKeys ?? [])].map((k) => k?.trim()).filter((k): k is string => !!k))];
}

function fulfillmentCenterFor(po: PurchaseOrderInput, shipToCode: string | null, cfg: PoMappingConfig): number | undefined {
  if (shipToCode) {
    const hit = cfg.shipToFc[shipToCode];
    if (hit) return hit.fulfillmentCenterId;
  }
  for (const k of supplierKeys(po)) {
    const hit = cfg.supplierFc[k];
    if (hit) return hit.fulfillmentCenterId;
  }
  return undefined;
}

function compareLineNumbers(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** Hash of the Fusion side of these lines (PoPlan.lineSources); undefined when one of them is not in the plan. */
export function sourceHash(plan: Pick<PoPlan, 'lineSources'>, lineIds: readonly string[]): string | undefined {
  const sources = [...lineIds].sort().map((id) => plan.lineSources.get(id));
  if (sources.some((s) => s === undefined)) return undefined;
  return createHash('sha256')
    .update(JSON.stringify([...lineIds].sort().map((id, i) => [id, sources[i]])))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Whether a line's problem is old news: the line is in an active order whose Fusion-side lines are exactly as they
 * were when that order was requested. Then its order stands as it is, and a PO event that moved only LastUpdateDate
 * (our own close, a note, an operator's corrected replay followed by the original) must not raise the problem again
 * under the next revision's reference. Unknown for orders stored before their source hash was kept (false).
 */
export function unchangedSinceOrder(plan: Pick<PoPlan, 'lineSources'>, state: readonly OrderState[], poLineId: string): boolean {
  const s = state.find((x) => x.state === 'active' && x.lineIds.includes(poLineId));
  return !!s?.sourceHash && sourceHash(plan, s.lineIds) === s.sourceHash;
}

/** What a change is measured by: per line its item, units and UOM, plus the fulfillment center and ship-to. */
function contentHash(fc: number, shipTo: string | null, products: OrderProductOut[]): string {
  const body = JSON.stringify({ fc, shipTo, lines: products.map((p) => [p.poLineId, p.itemNumber, p.quantity, p.uom]) });
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}
