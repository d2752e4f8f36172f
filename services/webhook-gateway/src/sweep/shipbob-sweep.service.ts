import { Injectable } from '@nestjs/common';
import type { ShipbobClient } from '@mlc/partners-shipbob-client';
import type { InboundDelivery } from '../webhooks/delivery.publisher';
import { shipbobMilestone, shipmentRecordKey, transactionRecordKey } from '../webhooks/shipbob-record-key';
import { chargeWebhookBody, shipmentWebhookBody, SWEEP_TOPIC } from './shipbob-sweep-body';
import type { SweepResource } from './sweep-cursor.repository';
import { TenantSweep } from './tenant-sweep';

/** Records published per Kafka batch. */
const BATCH = 50;
/** Billing page size (`Billing.TransactionRequestFilterV3.page_size`, 1-1000). */
const CHARGES_PAGE = 100;
const RESOURCES: SweepResource[] = ['shipbob-orders', 'shipbob-charges'];
const RUNS = { metric: 'mlc_shipbob_sweep_runs_total', help: 'ShipBob sweeps by outcome' };
const RECORDS = 'mlc_shipbob_sweep_records_total';

export type ShipbobSweepOutcome =
  | { status: 'swept'; intervalMs: number; published: number; skipped: number }
  | { status: 'deferred'; intervalMs: number; published: number; skipped: number }
  | { status: 'not-due'; intervalMs: number; nextDueAt: number }
  | { status: 'locked' | 'no-connection' };

/** One shipment state or charge read back, as the webhook it stands for. */
interface Candidate {
  topic: string;
  /** `sweep:shipment:<id>:<milestone>[:<tracking>]` or `sweep:transaction:<id>`. */
  deliveryId: string;
  recordKey: string;
  body: string;
}

interface Totals {
  published: number;
  skipped: number;
  /** Stopped early (shutdown, or the rate-limit reserve reached): the cursor was not moved. */
  stopped?: boolean;
}

/** Stop before the next ShipBob call when the shared budget is down to the reserve (last answer's `x-remaining-calls`). */
class ReserveReached extends Error {}

/**
 * ShipBob sweep for one tenant: reads back what webhooks should have brought, so a lost webhook is still written back.
 *
 * - Orders of the tenant's channel changed in [cursor − overlap, now − settle] (`GET /order` by
 *   `LastUpdateStartDate`/`LastUpdateEndDate` and by `LastTrackingUpdateStartDate`/`LastTrackingUpdateEndDate`,
 *   `Page`/`Limit`), each shipment in a state the write-back cares about (shipped + tracking, delivered, exception,
 *   on hold, cancelled) published as the webhook of that state on `shipbob.webhook.received.v1`.
 * - Billing charges since the cursor (`POST /transactions:query`, `transaction_types: [Charge]`, `Cursor` paging),
 *   each published as a `billing.charge.created` webhook.
 *
 * A state or charge already recorded in `gateway_deliveries` (by its webhook or an earlier sweep: same record key) is
 * skipped; the mapper merges a swept state and its late webhook into one write-back anyway. Each cursor moves to the
 * end of the window only after everything read in it was acknowledged by Kafka. One replica sweeps a tenant at a time.
 */
@Injectable()
export class ShipbobSweepService extends TenantSweep {
  /** Sweeps the tenant if it has a ShipBob connection, is due, and no other replica is sweeping it. */
  async sweepTenant(tenantId: string, opts: { force?: boolean; stopping?: () => boolean } = {}): Promise<ShipbobSweepOutcome> {
    const snapshot = await this.directory.get(tenantId);
    if (!snapshot.connections.shipbob) return { status: 'no-connection' };
    const intervalMs = snapshot.settings.pollingIntervalsMs.shipbobOrdersMs;
    const run = {
      lockName: `mlc:gateway:shipbob-sweep:${tenantId}`,
      tenantId,
      resources: RESOURCES,
      intervalMs,
      tickMs: this.config.shipbobSweepTickMs,
      lookbackMs: this.config.shipbobSweepLookbackMs,
      force: opts.force,
    };
    return this.runIfDue(run, RUNS, async (startedAt): Promise<ShipbobSweepOutcome> => {
      const client = await this.clients.shipbob(tenantId);
      const until = new Date(startedAt - this.config.shipbobSweepSettleMs);
      const stop = (): boolean => {
        if (opts.stopping?.()) return true;
        const r = client.rateLimit;
        // The budget is shared with shipbob-writer (same credentials): leave it the reserve, sweep again later.
        if (r.remainingCalls !== undefined && r.remainingCalls < this.config.shipbobSweepReserveCalls && Date.now() - r.observedAt < 60_000)
          throw new ReserveReached();
        return false;
      };
      const totals: Totals = { published: 0, skipped: 0 };
      let orders = 0;
      let deferred = false;
      try {
        await this.sweepOrders(tenantId, client, until, stop, totals);
        orders = totals.published;
        if (!totals.stopped) await this.sweepCharges(tenantId, client, until, stop, totals);
      } catch (err) {
        if (!(err instanceof ReserveReached)) throw err;
        deferred = true;
        this.log.info('ShipBob sweep stopped to leave the rate-limit reserve to the writers; the cursor stays', {
          tenantId,
          remainingCalls: client.rateLimit.remainingCalls,
          reserve: this.config.shipbobSweepReserveCalls,
        });
      }
      const { published, skipped } = totals;
      this.metrics.inc(RUNS.metric, { outcome: deferred ? 'deferred' : 'ok' }, 1, RUNS.help);
      if (published) this.log.info('ShipBob sweep published states no webhook brought', { tenantId, published, skipped, orders, charges: published - orders });
      return { status: deferred ? 'deferred' : 'swept', intervalMs, published, skipped };
    });
  }

  /** [cursor − overlap, until]: the window of one resource (the cursor is `until` of the last completed sweep). */
  private async window(tenantId: string, resource: SweepResource, until: Date): Promise<{ from: Date; cursor: Date } | undefined> {
    const cursor = (await this.cursors.get(tenantId, resource)) ?? new Date(Date.now() - this.config.shipbobSweepLookbackMs);
    const from = new Date(cursor.getTime() - this.config.shipbobSweepOverlapMs);
    return from < until ? { from, cursor } : undefined;
  }

  /** Orders changed in the window, each shipment state the write-back cares about as its webhook; `totals` counts as it goes. */
  private async sweepOrders(tenantId: string, client: ShipbobClient, until: Date, stop: () => boolean, totals: Totals): Promise<void> {
    const w = await this.window(tenantId, 'shipbob-orders', until);
    if (!w || stop()) return;
    let batch: Candidate[] = [];
    // Pages are read lazily: the check before each order is also the check before each next page.
    for await (const order of client.ordersChangedBetween(w.from.toISOString(), until.toISOString())) {
      // Stopping: nothing after this is read, and the cursor stays where it was (the next sweep reads it all again).
      if (stop()) {
        totals.stopped = true;
        await this.flush(tenantId, 'shipbob-orders', batch, totals);
        return;
      }
      for (const s of order.shipments) {
        const lastDetail = s.details?.at(-1)?.name ?? s.statusDetails.at(-1);
        const milestone = shipbobMilestone(s.status, lastDetail);
        if (!milestone) continue;
        const tracking = milestone === 'shipped' ? s.tracking?.trackingNumber : undefined;
        batch.push({
          topic: SWEEP_TOPIC[milestone],
          deliveryId: `sweep:shipment:${s.id}:${milestone}${milestone === 'shipped' ? `:${tracking ?? ''}` : ''}`,
          recordKey: shipmentRecordKey(String(s.id), milestone, tracking),
          body: shipmentWebhookBody(milestone, order, s),
        });
      }
      if (batch.length >= BATCH) {
        await this.flush(tenantId, 'shipbob-orders', batch, totals);
        batch = [];
      }
    }
    await this.flush(tenantId, 'shipbob-orders', batch, totals);
    await this.cursors.advance(tenantId, 'shipbob-orders', until);
  }

  private async sweepCharges(tenantId: string, client: ShipbobClient, until: Date, stop: () => boolean, totals: Totals): Promise<void> {
    const w = await this.window(tenantId, 'shipbob-charges', until);
    if (!w) return;
    let cursor: string | undefined;
    do {
      if (stop()) {
        totals.stopped = true;
        return;
      }
      const page = await client.queryTransactions({
        fromDate: w.from.toISOString(),
        toDate: until.toISOString(),
        transactionTypes: ['Charge'],
        sortOrder: 'Ascending',
        pageSize: CHARGES_PAGE,
        cursor,
      });
      await this.flush(
        tenantId,
        'shipbob-charges',
        page.items.map((t) => ({
          topic: 'billing.charge.created',
          deliveryId: `sweep:transaction:${t.transactionId}`,
          recordKey: transactionRecordKey(t.transactionId),
          body: chargeWebhookBody(t),
        })),
        totals,
      );
      cursor = page.nextCursor;
    } while (cursor);
    await this.cursors.advance(tenantId, 'shipbob-charges', until);
  }

  /** Publishes the candidates no webhook or earlier sweep brought (record keys), waiting for Kafka's acknowledgement. */
  private async flush(tenantId: string, resource: SweepResource, batch: Candidate[], totals: Totals): Promise<void> {
    if (!batch.length) return;
    const seen = await this.deliveries.ledger.seenRecordKeys(
      tenantId,
      batch.map((c) => c.recordKey),
    );
    const missed = batch.filter((c, i) => !seen.has(c.recordKey) && batch.findIndex((x) => x.recordKey === c.recordKey) === i);
    const deliveries: InboundDelivery[] = missed.map((c) => ({
      tenantId,
      partner: 'shipbob',
      topic: c.topic,
      deliveryId: c.deliveryId,
      dedupeKey: `${c.topic}|${c.deliveryId}`,
      recordKey: c.recordKey,
      origin: 'sweep',
      headers: { 'mlc-origin': 'sweep', 'x-webhook-topic': c.topic, 'content-type': 'application/json', 'mlc-swept-at': new Date().toISOString() },
      body: c.body,
    }));
    const published = deliveries.length ? await this.deliveries.publishBatch(tenantId, 'shipbob', deliveries) : 0;
    totals.published += published;
    totals.skipped += batch.length - published;
    if (published) this.metrics.inc(RECORDS, { resource, outcome: 'published' }, published, 'ShipBob states and charges read back by the sweep, by outcome');
    if (batch.length - published)
      this.metrics.inc(RECORDS, { resource, outcome: 'skipped' }, batch.length - published, 'ShipBob states and charges read back by the sweep, by outcome');
    for (const d of deliveries) this.log.info('ShipBob sweep published a state no webhook brought', { tenantId, topic: d.topic, deliveryId: d.deliveryId });
  }
}
