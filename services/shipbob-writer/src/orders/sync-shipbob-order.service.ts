import type { TopicRecords } from '@mlc/contracts';
import type {
  ShipbobCancelResult,
  ShipbobCreateOrderInput,
  ShipbobCreateOrderResult,
  ShipbobOrder,
  ShipbobOrderType,
  ShipbobPage,
  ShipbobProduct,
} from '@mlc/partners-shipbob-client';
import { AppError } from '@mlc/platform-errors';
import { newMeta, type HandlerContext, type OutgoingRecord } from '@mlc/platform-kafka';
import type { ProductNameCache } from './product-name.cache';
import type { RateState, ShipbobPacer } from './shipbob.pacer';

type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];
type Synced = TopicRecords['fulfilment.shipbob-order.synced.v1'];
type Output = OutgoingRecord<'fulfilment.shipbob-order.synced.v1'> | OutgoingRecord<'ops.exception.raised.v1'>;

export const SOURCE = 'shipbob-writer';
export const CHANGE_AFTER_PICK = 'SHIPBOB.CHANGE_AFTER_PICK';
/** An item by SKU whose PO line has no description, and ShipBob has no product with that SKU to take a name from. */
export const MISSING_PRODUCT_NAME = 'MAPPING.MISSING_PRODUCT_NAME';

/** The ShipBob calls the writer makes (ShipbobClient). */
export interface ShipbobOrdersApi {
  readonly rateLimit: RateState;
  createOrder(input: ShipbobCreateOrderInput): Promise<ShipbobCreateOrderResult>;
  findOrdersByReferenceIds(referenceIds: readonly string[]): Promise<ShipbobOrder[]>;
  cancelOrder(orderId: number): Promise<ShipbobCancelResult>;
  listProducts(filter: { sku?: string }): Promise<ShipbobPage<ShipbobProduct>>;
}

export interface SyncDeps {
  /** The tenant's configured client and the channel it writes in. */
  shipbob(tenantId: string): Promise<{ client: ShipbobOrdersApi; channelId: string }>;
  pacer: ShipbobPacer;
  orderType: ShipbobOrderType;
  /** Names of ShipBob products by SKU already looked up (absent: every order looks its undescribed SKUs up). */
  productNames?: ProductNameCache;
}

const PICKED = ['Picked', 'Packed', 'Labeled'];

/**
 * One command -> ShipBob. Creates are idempotent by reference_id (ShipBob's 422 duplicate is read back as
 * already_existed). A create that supersedes an older revision is only made once that revision is cancelled in
 * ShipBob; a cancel ShipBob refuses because the order was picked or packed becomes an exception for a person.
 * Retryable client errors (429, 5xx, timeouts) are thrown for the consumer to back off and retry; other 4xx are
 * thrown non-retryable (parked with the partner's answer in details).
 */
export class SyncShipbobOrderService {
  constructor(private readonly deps: SyncDeps) {}

  async handle(cmd: Command, ctx: Pick<HandlerContext, 'exception'>): Promise<Output[]> {
    const tenantId = cmd.meta.tenantId;
    const { client, channelId } = await this.deps.shipbob(tenantId);
    const call = <T>(fn: () => Promise<T>): Promise<T> => this.deps.pacer.call(tenantId, () => client.rateLimit, fn).catch((err: unknown) => rethrow(err, cmd));
    const synced = (outcome: Synced['outcome'], order: ShipbobOrder | undefined): Output => ({
      topic: 'fulfilment.shipbob-order.synced.v1',
      key: `${tenantId}:${cmd.poHeaderId}`,
      value: {
        meta: newMeta({ tenantId, source: SOURCE, causedBy: cmd.meta }),
        outcome,
        referenceId: cmd.referenceId,
        shipbobOrderId: order ? String(order.id) : null,
        channelId,
        poHeaderId: cmd.poHeaderId,
        poNumber: cmd.poNumber,
        poLineIds: cmd.products.map((p) => p.poLineId),
        fulfillmentCenterId: order?.shipments[0]?.locationId ?? cmd.fulfillmentCenterId ?? null,
        status: order?.status ?? null,
      },
    });
    const find = async (referenceId: string): Promise<ShipbobOrder | undefined> =>
      (await call(() => client.findOrdersByReferenceIds([referenceId]))).find((o) => o.referenceId === referenceId);
    // The PO changed after ShipBob picked its order: a person decides (parked, never retried on its own).
    const changeAfterPick = (message: string, details: Record<string, unknown>) =>
      ctx.exception({
        code: CHANGE_AFTER_PICK,
        category: 'partner-rejected',
        entityType: 'shipbob-order',
        businessId: cmd.referenceId,
        message,
        details,
      });

    if (cmd.action === 'cancel') {
      const order = await find(cmd.referenceId);
      if (!order || isCancelled(order)) return [synced('already_cancelled', order)];
      const result = await call(() => client.cancelOrder(order.id));
      if (result.status === 'Success') return [synced('cancelled', { ...order, status: 'Cancelled' })];
      const reasons = result.shipments.filter((s) => !s.cancelled).map((s) => s.reason ?? 'refused');
      if (result.status === 'Failure' && reasons.every((r) => /already (been )?cancel/i.test(r))) return [synced('already_cancelled', order)];
      return [
        changeAfterPick(
          `ShipBob refused to cancel order ${order.id} (${cmd.referenceId}) for PO ${cmd.poNumber}: ${reasons.join('; ')}. The PO changed after ShipBob picked it; a person must decide.`,
          {
            shipbobOrderId: String(order.id),
            cancelStatus: result.status,
            shipments: result.shipments,
            poHeaderId: cmd.poHeaderId,
            reason: cmd.reason,
          },
        ),
      ];
    }

    if (cmd.supersedesReferenceId) {
      const previous = await find(cmd.supersedesReferenceId);
      if (previous && !isCancelled(previous)) {
        const picked = previous.shipments.some(
          (s) => s.statusDetails.some((d) => PICKED.includes(d)) || s.status === 'Completed' || s.status === 'LabeledCreated',
        );
        return [
          changeAfterPick(
            `Not created: ${cmd.referenceId} replaces ${cmd.supersedesReferenceId} (ShipBob order ${previous.id}), which is ${picked ? 'already picked or shipped' : `still ${previous.status}`} and was not cancelled. Replay once the old order is cancelled in ShipBob.`,
            {
              supersedesReferenceId: cmd.supersedesReferenceId,
              previousOrderId: String(previous.id),
              previousStatus: previous.status,
              poHeaderId: cmd.poHeaderId,
            },
          ),
        ];
      }
    }
    const lookup = (sku: string) => async () => nameOf(await call(() => client.listProducts({ sku })), sku);
    const names = await this.productNames(cmd, (sku) => this.deps.productNames?.get(tenantId, channelId, sku, lookup(sku)) ?? lookup(sku)());
    const unnamed = cmd.products.filter((p) => p.sku && !names.has(p.sku));
    if (unnamed.length) {
      return [
        ctx.exception({
          code: MISSING_PRODUCT_NAME,
          category: 'missing-mapping',
          entityType: 'shipbob-order',
          businessId: cmd.referenceId,
          message: `Not created: ShipBob has no product with SKU ${unnamed.map((p) => p.sku).join(', ')} and PO ${cmd.poNumber} line ${unnamed.map((p) => p.lineNumber).join(', ')} has no description to name it by (ShipBob: "Name is required because no product with reference_id … exists"). Give the line a description or create the product in ShipBob, then replay.`,
          details: {
            poHeaderId: cmd.poHeaderId,
            lines: unnamed.map((p) => ({ poLineId: p.poLineId, lineNumber: p.lineNumber, sku: p.sku, itemNumber: p.itemNumber ?? null })),
          },
        }),
      ];
    }
    const res = await call(() => client.createOrder(this.toOrderInput(cmd, names)));
    return [synced(res.created ? 'created' : 'already_existed', res.order)];
  }

  /**
   * The `name` of every item by SKU. ShipBob's OpenAPI 2026-01 lists `name` as required on an item by reference_id
   * (Orders.AddProductToOrderByReferenceIdModel) and ShipBob needs it to create a product for a SKU it does not know:
   * the PO line's description; for a line without one, the name of ShipBob's existing product with that SKU (one
   * GET /product?SKU= per such SKU, kept a while in ProductNameCache). A SKU with neither is left out of the map.
   */
  private async productNames(cmd: Command, find: (sku: string) => Promise<string | undefined>): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const p of cmd.products) if (p.sku && p.name?.trim() && !names.has(p.sku)) names.set(p.sku, p.name.trim());
    for (const sku of new Set(cmd.products.filter((p) => p.sku && !names.has(p.sku)).map((p) => p.sku!))) {
      const name = await find(sku);
      if (name) names.set(sku, name);
    }
    return names;
  }

  toOrderInput(cmd: Command, names: ReadonlyMap<string, string> = new Map()): ShipbobCreateOrderInput {
    const r = cmd.recipient;
    if (!r)
      throw new AppError('SHIPBOB.INVALID_COMMAND', `command ${cmd.referenceId} has no recipient; ShipBob requires one`, {
        details: { referenceId: cmd.referenceId },
      });
    if (!cmd.products.length)
      throw new AppError('SHIPBOB.INVALID_COMMAND', `command ${cmd.referenceId} has no products`, { details: { referenceId: cmd.referenceId } });
    const only = cmd.products.length === 1 ? cmd.products[0] : undefined;
    return {
      referenceId: cmd.referenceId,
      orderNumber: only?.lineNumber ? `${cmd.poNumber}-${only.lineNumber}` : cmd.poNumber,
      type: this.deps.orderType,
      shippingMethod: cmd.shippingMethod ?? 'Standard',
      ...(cmd.fulfillmentCenterId !== null && cmd.fulfillmentCenterId !== undefined ? { locationId: cmd.fulfillmentCenterId } : {}),
      recipient: {
        name: r.name,
        ...(r.email ? { email: r.email } : {}),
        ...(r.phone ? { phoneNumber: r.phone } : {}),
        address: {
          address1: r.address1,
          ...(r.address2 ? { address2: r.address2 } : {}),
          city: r.city,
          ...(r.state ? { state: r.state } : {}),
          country: r.country,
          ...(r.postalCode ? { zipCode: r.postalCode } : {}),
        },
      },
      // By SKU (with the product name) when the mapping gives one, else by ShipBob product id: one model per item.
      lines: cmd.products.map((p) =>
        p.sku
          ? { sku: p.sku, ...(names.has(p.sku) ? { name: names.get(p.sku)! } : p.name?.trim() ? { name: p.name.trim() } : {}), quantity: p.quantity }
          : { ...(p.productId !== null && p.productId !== undefined ? { productId: p.productId } : {}), quantity: p.quantity },
      ),
      tags: [
        { name: 'fusion_po_number', value: cmd.poNumber },
        { name: 'fusion_po_header_id', value: cmd.poHeaderId },
      ],
    };
  }
}

/** The name ShipBob gives the product variant with this SKU (its product's name when the variant has none). */
function nameOf(page: ShipbobPage<ShipbobProduct>, sku: string): string | undefined {
  const variant = page.items.flatMap((prod) => prod.variants.map((v) => ({ prod, v }))).find(({ v }) => v.sku === sku);
  return variant?.v.name || variant?.prod.name || undefined;
}

function isCancelled(o: ShipbobOrder): boolean {
  return o.status === 'Cancelled' || (o.shipments.length > 0 && o.shipments.every((s) => s.status === 'Cancelled'));
}

/** Client errors keep their code and retry semantics; the reference is added to what a parked record shows. */
function rethrow(err: unknown, cmd: Command): never {
  if (err instanceof AppError) {
    throw new AppError(err.code, `${err.message} (order ${cmd.referenceId})`, {
      retryable: err.retryable,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      details: { ...err.details, referenceId: cmd.referenceId, action: cmd.action },
      cause: err,
    });
  }
  throw err;
}
