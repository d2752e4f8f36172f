import { as, type Setting } from '@mlc/platform-config';

/** Settings of the orders feature of shipbob-writer (merged into the service's settings). */
export const ordersSettings = {
  shipbobMaxAttempts: {
    env: 'SHIPBOB_MAX_ATTEMPTS',
    doc: 'attempts per command for retryable failures (429, 5xx, timeouts) before it is parked; generous because rate limits pass',
    parse: as.int(1, 1000),
    default: 40,
  } as Setting<number>,
  shipbobBackoffBaseMs: {
    env: 'SHIPBOB_BACKOFF_BASE_MS',
    doc: 'first retry delay (doubles per attempt, jittered)',
    parse: as.int(1),
    default: 500,
  } as Setting<number>,
  shipbobBackoffMaxMs: {
    env: 'SHIPBOB_BACKOFF_MAX_MS',
    doc: 'longest retry delay (a longer x-retry-after still wins)',
    parse: as.int(1),
    default: 60_000,
  } as Setting<number>,
  shipbobRateWindowMs: {
    env: 'SHIPBOB_RATE_WINDOW_MS',
    doc: "ShipBob's rate-limit window (150 calls per 60 s, https://developer.shipbob.com/rate-limit); pacing spreads the calls left over it",
    parse: as.int(1),
    default: 60_000,
  } as Setting<number>,
  shipbobPaceBelowCalls: {
    env: 'SHIPBOB_PACE_BELOW_CALLS',
    doc: 'start spacing calls when x-remaining-calls drops below this, so the 429 does not come',
    parse: as.int(0),
    default: 15,
  } as Setting<number>,
  shipbobConcurrencyPerPartition: {
    env: 'SHIPBOB_WRITER_CONCURRENCY_PER_PARTITION',
    doc: 'order commands of one partition sent to ShipBob at the same time (one PO’s commands always in order, different POs side by side; the per-tenant pacing still spaces the calls); 1 = one after another (eachMessage). Above 1 the consumer reads batches; each record’s span is still the child of the span that sent it',
    parse: as.int(1, 256),
    default: 16,
  } as Setting<number>,
  shipbobProductNameCacheMs: {
    env: 'SHIPBOB_PRODUCT_NAME_CACHE_MS',
    doc: 'how long the name of a ShipBob product found by SKU (for PO lines without a description) is reused before asking ShipBob again; 0 = ask for every order',
    parse: as.int(0),
    default: 600_000,
  } as Setting<number>,
  shipbobOrderType: {
    env: 'SHIPBOB_ORDER_TYPE',
    doc: 'ShipBob order type for PO orders',
    parse: as.oneOf('DTC', 'B2B', 'DropShip'),
    default: 'DTC',
  } as Setting<'DTC' | 'B2B' | 'DropShip'>,
} satisfies Record<string, Setting<unknown>>;
