import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { FusionClient, FusionPurchaseOrder, FusionShipToLocation, FusionSupplier } from '@mlc/partners-fusion-client';
import { AppError } from '@mlc/platform-errors';
import { newMeta, type OutgoingRecord } from '@mlc/platform-kafka';
import type { TenantSnapshot } from '@mlc/tenants';
import type { Feed, FeedContext, FeedItemIdentity } from '../polling/feed';
import { FeedRegistry } from '../polling/feed.registry';
import { SOURCE } from '../polling/feed-runner';
import { LookupCache } from '../polling/lookup.cache';
import { toPurchaseOrderChanged } from './purchase-order.mapper';

/** Suppliers and ship-to locations change rarely; a PO page usually repeats a handful of them. */
const LOOKUP_TTL_MS = 10 * 60_000;

/** A look-up that Fusion answers "not there" or "not allowed" leaves the field empty instead of failing the PO. */
async function optional<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof AppError && (err.code === 'FUSION.NOT_FOUND' || err.code === 'FUSION.FORBIDDEN')) return null;
    throw err;
  }
}

/** Fusion purchaseOrders by LastUpdateDate → erp.purchase-order.changed.v1 (key tenantId:POHeaderId). */
@Injectable()
export class PurchaseOrdersFeed implements Feed<FusionPurchaseOrder>, OnModuleInit {
  readonly name = 'purchase-orders';
  readonly entityType = 'fusion-po';
  private readonly suppliers = new LookupCache<FusionSupplier | null>(LOOKUP_TTL_MS);
  private readonly locations = new LookupCache<FusionShipToLocation | null>(LOOKUP_TTL_MS);

  constructor(private readonly registry: FeedRegistry) {}

  onModuleInit(): void {
    this.registry.register(this as Feed<FusionPurchaseOrder> as Feed);
  }

  intervalMs(snapshot: TenantSnapshot): number {
    return snapshot.settings.pollingIntervalsMs.purchaseOrdersMs;
  }

  pages(client: FusionClient, since: Date, pageSize: number) {
    return client.listPurchaseOrdersChangedSince(since, { pageSize });
  }

  fetchOne(client: FusionClient, id: string): Promise<FusionPurchaseOrder> {
    return client.getPurchaseOrder(id);
  }

  identify(po: FusionPurchaseOrder): FeedItemIdentity {
    return { id: String(po.POHeaderId), lastUpdateDate: po.LastUpdateDate };
  }

  async toRecord(ctx: FeedContext, po: FusionPurchaseOrder): Promise<OutgoingRecord> {
    const supplier =
      po.SupplierId === undefined
        ? null
        : await this.suppliers.get(`${ctx.tenantId}:${po.SupplierId}`, () => optional(() => ctx.client.getSupplier(po.SupplierId!)));
    const locationId = po.ShipToLocationId ?? po.lines[0]?.schedules[0]?.ShipToLocationId;
    const shipTo =
      locationId === undefined
        ? null
        : await this.locations.get(`${ctx.tenantId}:${locationId}`, () => optional(() => ctx.client.getShipToLocation(locationId)));
    return {
      topic: 'erp.purchase-order.changed.v1',
      key: `${ctx.tenantId}:${po.POHeaderId}`,
      value: toPurchaseOrderChanged(po, { supplier, shipTo }, newMeta({ tenantId: ctx.tenantId, source: SOURCE })),
    };
  }
}
