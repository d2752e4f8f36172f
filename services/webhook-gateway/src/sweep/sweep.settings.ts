import { as, type Setting } from '@mlc/platform-config';

/** Settings of the sweep feature of webhook-gateway (merged into the service's settings). */
export const sweepSettings = {
  shopifySweepEnabled: {
    env: 'SHOPIFY_SWEEP_ENABLED',
    doc: 'run the Shopify reconciliation sweep (each tenant on its settings.pollingIntervalsMs.shopifyOrdersMs)',
    parse: as.bool,
    default: true,
  } as Setting<boolean>,
  shopifySweepTickMs: {
    env: 'SHOPIFY_SWEEP_TICK_MS',
    doc: 'how often the scheduler looks for tenants whose sweep is due, in ms',
    parse: as.int(100, 600_000),
    default: 1_000,
  } as Setting<number>,
  shopifySweepOverlapMs: {
    env: 'SHOPIFY_SWEEP_OVERLAP_MS',
    doc: 'how far before its cursor each sweep re-reads (late commits, coarse timestamps), in ms; re-read records are skipped',
    parse: as.int(0, 7 * 86_400_000),
    default: 300_000,
  } as Setting<number>,
  shopifySweepSettleMs: {
    env: 'SHOPIFY_SWEEP_SETTLE_MS',
    doc: 'records updated less than this long ago are left to their webhook and picked up by a later sweep, in ms',
    parse: as.int(0, 86_400_000),
    default: 60_000,
  } as Setting<number>,
  shopifySweepLookbackMs: {
    env: 'SHOPIFY_SWEEP_LOOKBACK_MS',
    doc: "where a tenant's first sweep starts, in ms before now",
    parse: as.int(0, 60 * 86_400_000),
    default: 86_400_000,
  } as Setting<number>,
};

/** Settings of the ShipBob sweep (orders, shipments and billing charges read back; see README "ShipBob sweep"). */
export const shipbobSweepSettings = {
  shipbobSweepEnabled: {
    env: 'SHIPBOB_SWEEP_ENABLED',
    doc: 'run the ShipBob sweep (each tenant on its settings.pollingIntervalsMs.shipbobOrdersMs)',
    parse: as.bool,
    default: true,
  } as Setting<boolean>,
  shipbobSweepTickMs: {
    env: 'SHIPBOB_SWEEP_TICK_MS',
    doc: 'how often the scheduler looks for tenants whose ShipBob sweep is due, in ms',
    parse: as.int(100, 600_000),
    default: 1_000,
  } as Setting<number>,
  shipbobSweepOverlapMs: {
    env: 'SHIPBOB_SWEEP_OVERLAP_MS',
    doc: 'how far before its cursor each ShipBob sweep re-reads (late commits, clock skew), in ms; states already published are skipped',
    parse: as.int(0, 7 * 86_400_000),
    default: 600_000,
  } as Setting<number>,
  shipbobSweepSettleMs: {
    env: 'SHIPBOB_SWEEP_SETTLE_MS',
    doc: 'the window of a ShipBob sweep ends this long before it starts (recent changes are left to their webhook), in ms',
    parse: as.int(0, 86_400_000),
    default: 60_000,
  } as Setting<number>,
  shipbobSweepReserveCalls: {
    env: 'SHIPBOB_SWEEP_RESERVE_CALLS',
    doc: "ShipBob calls (x-remaining-calls, shared by every client of the credentials) the sweep leaves to the writers: below this it stops and tries again at the tenant's next interval",
    parse: as.int(0, 150),
    default: 50,
  } as Setting<number>,
  shipbobSweepLookbackMs: {
    env: 'SHIPBOB_SWEEP_LOOKBACK_MS',
    doc: "where a tenant's first ShipBob sweep starts, in ms before now",
    parse: as.int(0, 60 * 86_400_000),
    default: 86_400_000,
  } as Setting<number>,
};
