/**
 * The names of ShipBob products by SKU, per tenant and channel, for items whose PO line has no description (see
 * SyncShipbobOrderService.productNames). Without it every such order costs a GET /product?SKU= before its POST /order:
 * in a burst of one tenant's orders for the same few SKUs that doubled the calls on ShipBob's rate budget and the
 * writer's time. A found name is kept for `ttlMs`; lookups of one SKU made side by side share one call; a SKU ShipBob
 * does not know (no name) and a failed lookup are not kept, so a product created meanwhile is seen by the next order.
 */
export class ProductNameCache {
  private readonly entries = new Map<string, { name: Promise<string | undefined>; expiresAt: number }>();

  constructor(
    private readonly opts: {
      /** How long a found name is used (0: never kept, every order asks ShipBob). */
      ttlMs: number;
      /** Names kept at most (the oldest go first). */
      maxEntries?: number;
      now?: () => number;
    },
  ) {}

  /** The name of `sku` in the tenant's ShipBob channel: cached, or looked up with `lookup` (shared by concurrent callers). */
  get(tenantId: string, channelId: string, sku: string, lookup: () => Promise<string | undefined>): Promise<string | undefined> {
    if (this.opts.ttlMs <= 0) return lookup();
    const key = `${tenantId}\u0000${channelId}\u0000${sku}`;
    const now = (this.opts.now ?? Date.now)();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.name;
    const entry = { name: lookup(), expiresAt: now + this.opts.ttlMs };
    this.entries.delete(key);
    this.entries.set(key, entry);
    const forget = (): void => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    entry.name.then((name) => name === undefined && forget(), forget);
    const max = this.opts.maxEntries ?? 10_000;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(oldest);
    }
    return entry.name;
  }
}
