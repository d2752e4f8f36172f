import type { TopicRecords } from '@mlc/contracts';
import {
  isOlderLastUpdate,
  isReleased,
  unchangedSinceOrder,
  pendingReferenceId,
  planPurchaseOrder,
  reconcileOrders,
  type OrderAction,
  type PoMappingConfig,
  type PurchaseOrderInput,
} from '@mlc/domain-fulfilment';
import { AppError } from '@mlc/platform-errors';
import { newMeta, type HandlerContext, type OutgoingRecord } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import type { TenantSnapshot } from '@mlc/tenants';
import type { PoOrderStateStore } from './po-order-state.repository';
import { toPurchaseOrderInput } from './purchase-order.input';

type PoEvent = TopicRecords['erp.purchase-order.changed.v1'];
type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];

export const SOURCE = 'mapper';

export interface MapPurchaseOrderDeps {
  /** The tenant's configuration; `fresh` bypasses the snapshot cache. */
  tenant(tenantId: string, opts?: { fresh?: boolean }): Promise<Pick<TenantSnapshot, 'configVersion' | 'settings' | 'mappings'>>;
  store: PoOrderStateStore;
  /** Publishes the commands; resolves once Kafka acknowledged them. */
  publish(records: OutgoingRecord<'fulfilment.shipbob-order.requested.v1'>[]): Promise<void>;
  log: Pick<Logger, 'info' | 'warn'>;
}

export interface MapResult {
  commands: OutgoingRecord<'fulfilment.shipbob-order.requested.v1'>[];
  exceptions: OutgoingRecord<'ops.exception.raised.v1'>[];
  stale: boolean;
}

/**
 * One PO event -> ShipBob order commands. Lines that cannot be mapped become exception records (returned for the
 * consumer to publish) while the others go on. Commands are published here, before the per-group state is stored:
 * a crash in between re-sends the same commands (same reference ids, so no second order); state written first
 * could lose them.
 */
export class MapPurchaseOrderService {
  constructor(private readonly deps: MapPurchaseOrderDeps) {}

  async handle(event: PoEvent, ctx: Pick<HandlerContext, 'exception'>): Promise<MapResult> {
    const tenantId = event.meta.tenantId;
    const po = toPurchaseOrderInput(event);
    const configOf = (snapshot: Pick<TenantSnapshot, 'configVersion' | 'settings' | 'mappings'>): PoMappingConfig => ({
      configVersion: snapshot.configVersion,
      orderGrouping: snapshot.settings.orderGrouping,
      itemProduct: snapshot.mappings['item-product'],
      shipToFc: snapshot.mappings['ship-to-fc'],
      shipToAddress: snapshot.mappings['ship-to-address'],
      receivableStatuses: snapshot.settings.receivablePoStatuses,
      supplierFc: snapshot.mappings['supplier-fc'],
    });
    let cfg = configOf(await this.deps.tenant(tenantId));
    const { orders: state, lastUpdateDate } = await this.deps.store.load(tenantId, po.poHeaderId);

    if (lastUpdateDate !== undefined && isOlderLastUpdate(po.lastUpdateDate, lastUpdateDate)) {
      this.deps.log.warn('stale purchase-order event ignored', { tenantId, poHeaderId: po.poHeaderId, eventDate: po.lastUpdateDate, seenDate: lastUpdateDate });
      return { commands: [], exceptions: [], stale: true };
    }
    if (!isReleased(po.status)) {
      this.deps.log.info('purchase order not approved yet; nothing sent', { tenantId, poHeaderId: po.poHeaderId, status: po.status });
      return { commands: [], exceptions: [], stale: false };
    }

    let plan = planPurchaseOrder(po, cfg);
    if (plan.issues.length) {
      // Before calling a line unmappable, look past the snapshot cache: an operator who just fixed the mapping and
      // replays at once must not get the same exception back from a copy a few seconds old.
      const fresh = configOf(await this.deps.tenant(tenantId, { fresh: true }));
      if (fresh.configVersion !== cfg.configVersion) {
        cfg = fresh;
        plan = planPurchaseOrder(po, cfg);
      }
    }
    // One exception per order reference, naming every problem of it: the exceptions queue keeps one row per
    // reference, so separate exceptions for a line's recipient and its product would show only the last one.
    const byReference = new Map<string, typeof plan.issues>();
    for (const issue of plan.issues) {
      // A line whose order stands and whose Fusion side has not changed since: the problem (a mapping removed, an
      // address that no longer reads) does not touch that order, and is not raised again under a new revision.
      if (unchangedSinceOrder(plan, state, issue.poLineId)) continue;
      const ref = pendingReferenceId(po.poHeaderId, issue.groupKey ?? `l${issue.poLineId}`, state);
      byReference.set(ref, [...(byReference.get(ref) ?? []), issue]);
    }
    const exceptions = [...byReference].map(([businessId, issues]) => {
      const first = issues[0]!;
      return ctx.exception({
        code: first.code,
        category: first.category,
        entityType: 'shipbob-order',
        businessId,
        message: issues.length === 1 ? first.message : `${issues.length} problems: ${issues.map((i) => `[${i.code}] ${i.message}`).join('; ')}`,
        details: {
          poHeaderId: po.poHeaderId,
          poNumber: po.orderNumber,
          poLineId: first.poLineId,
          lineNumber: first.lineNumber,
          mappingKey: first.mappingKey,
          mappingVersion: cfg.configVersion,
          problems: issues.map((i) => ({
            code: i.code,
            category: i.category,
            poLineId: i.poLineId,
            lineNumber: i.lineNumber,
            mappingKey: i.mappingKey,
            message: i.message,
          })),
        },
      });
    });

    const { actions, nextState } = reconcileOrders(po.poHeaderId, plan, state);
    const commands = actions.map((a) => this.command(tenantId, event, po, a, cfg.configVersion, plan.linesToFulfil));
    if (commands.length) {
      try {
        await this.deps.publish(commands);
      } catch (err) {
        throw new AppError('MAPPER.PUBLISH_FAILED', `could not publish ShipBob order commands: ${(err as Error).message}`, { retryable: true, cause: err });
      }
    }
    if (nextState.length || lastUpdateDate !== po.lastUpdateDate)
      await this.deps.store.save(tenantId, po.poHeaderId, nextState, po.lastUpdateDate, event.meta.eventId);
    return { commands, exceptions, stale: false };
  }

  private command(
    tenantId: string,
    event: PoEvent,
    po: PurchaseOrderInput,
    a: OrderAction,
    mappingVersion: number,
    linesToFulfil: string[],
  ): OutgoingRecord<'fulfilment.shipbob-order.requested.v1'> {
    const base = {
      meta: newMeta({ tenantId, source: SOURCE, causedBy: event.meta }),
      poHeaderId: po.poHeaderId,
      poNumber: po.orderNumber,
      poLastUpdateDate: po.lastUpdateDate,
      shippingMethod: 'Standard',
      mappingVersion,
      poLinesToFulfil: linesToFulfil,
    };
    let value: Command;
    if (a.action === 'cancel') {
      const lines = new Map(po.lines.map((l) => [l.poLineId, l]));
      value = {
        ...base,
        action: 'cancel',
        referenceId: a.previous.referenceId,
        revision: a.previous.revision,
        supersedesReferenceId: null,
        fulfillmentCenterId: a.previous.fulfillmentCenterId,
        recipient: null,
        // The lines the cancelled order held (quantity 0: nothing is to be shipped for them under this reference).
        products: a.previous.lineIds.map((id) => ({
          poLineId: id,
          lineNumber: lines.get(id)?.lineNumber ?? '',
          itemNumber: lines.get(id)?.itemNumber ?? null,
          sku: null,
          productId: null,
          quantity: 0,
          uom: lines.get(id)?.uom ?? null,
        })),
        reason: a.reason,
      };
    } else {
      value = {
        ...base,
        action: 'create',
        referenceId: a.referenceId,
        revision: a.revision,
        supersedesReferenceId: a.supersedesReferenceId,
        fulfillmentCenterId: a.order.fulfillmentCenterId,
        recipient: a.order.recipient,
        products: a.order.products,
        reason: a.reason,
      };
    }
    return { topic: 'fulfilment.shipbob-order.requested.v1', key: `${tenantId}:${po.poHeaderId}`, value };
  }
}
