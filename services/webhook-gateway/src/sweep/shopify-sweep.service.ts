import { Injectable } from '@nestjs/common';
import { ShopifyError, type ShopifyClient, type ShopifyCustomer, type ShopifyOrder, type ShopifyOrderVersion } from '@mlc/partners-shopify-client';
import type { ShopifyConnection } from '@mlc/tenants';
import type { InboundDelivery } from '../webhooks/delivery.publisher';
import { shopifyRecordKey } from '../webhooks/shopify-record-key';
import { customerWebhookBody, orderWebhookBody } from './shopify-rest-body';
import { assertTimeZone } from './shop-time';
import type { SweepResource } from './sweep-cursor.repository';
import { TenantSweep } from './tenant-sweep';

/** Records published per Kafka batch; the cursor advances after each acknowledged batch. */
const BATCH = 50;
const RESOURCES: SweepResource[] = ['orders', 'customers'];
const RUNS = { metric: 'mlc_sweep_runs_total', help: 'Shopify reconciliation sweeps by outcome' };
/** The code logged for an order the sweep could not read whole (and so did not publish). */
export const ORDER_INCOMPLETE = 'SHOPIFY.ORDER_INCOMPLETE';

export type SweepOutcome =
  | { status: 'swept'; intervalMs: number; published: number; skipped: number; incomplete: number }
  | { status: 'not-due'; intervalMs: number; nextDueAt: number }
  | { status: 'locked' | 'no-connection' };

/** An order is listed by version only (id, updatedAt) and read whole only when no webhook or earlier sweep brought it. */
type Swept =
  { kind: 'order'; gid: string; id: string; updatedAt: string } | { kind: 'customer'; gid: string; id: string; updatedAt: string; rec: ShopifyCustomer };

interface Totals {
  published: number;
  skipped: number;
  /** Orders that could not be read whole: not published, logged and counted. */
  incomplete: number;
  /** updated_at (ms) of the oldest incomplete order: the cursor stays at or before it, so the next sweep retries it. */
  holdMs?: number;
}

/**
 * Reconciliation sweep for one tenant: reads Shopify orders and customers updated since a durable cursor (minus an
 * overlap) and publishes, on the webhook topic, every version no webhook or earlier sweep brought. One replica sweeps
 * a tenant at a time (session advisory lock); the cursor moves only after Kafka acknowledged a batch.
 *
 * Orders are listed by version first (id and updatedAt, one query point an order) and only the missed ones are read
 * whole (OrderById, about 50 points each): reading every order of the overlap whole held a shop on the Standard plan
 * (100 points/s) to about 2 orders/s, so after a burst the sweep spent its time re-reading what webhooks had brought.
 *
 * An order read with more line items or shipping lines than its page fetched is completed first
 * (ShopifyClient.completeOrder); one that cannot be (a page too costly even at 1, a non-retryable answer) is not
 * published: it is logged as SHOPIFY.ORDER_INCOMPLETE, counted in `mlc_sweep_incomplete_orders_total`, and the cursor
 * stays at its updated_at so every later sweep tries it again. Times in the bodies are written in the shop's time zone
 * (`shop { ianaTimezone }`, read once per sweep), as webhooks write them.
 */
@Injectable()
export class ShopifySweepService extends TenantSweep {
  /** Sweeps the tenant if it has a Shopify connection, is due, and no other replica is sweeping it. */
  async sweepTenant(tenantId: string, opts: { force?: boolean; stopping?: () => boolean } = {}): Promise<SweepOutcome> {
    const snapshot = await this.directory.get(tenantId);
    const conn = snapshot.connections.shopify;
    if (!conn) return { status: 'no-connection' };
    const intervalMs = snapshot.settings.pollingIntervalsMs.shopifyOrdersMs;
    const run = {
      lockName: `mlc:gateway:sweep:${tenantId}`,
      tenantId,
      resources: RESOURCES,
      intervalMs,
      tickMs: this.config.shopifySweepTickMs,
      lookbackMs: this.config.shopifySweepLookbackMs,
      force: opts.force,
    };
    return this.runIfDue(run, RUNS, async (startedAt): Promise<SweepOutcome> => {
      const client = await this.clients.shopify(tenantId);
      const timeZone = (await client.shop()).ianaTimezone;
      assertTimeZone(timeZone);
      let published = 0;
      let skipped = 0;
      let incomplete = 0;
      for (const resource of RESOURCES) {
        const r = await this.sweepResource(tenantId, conn, client, resource, startedAt, timeZone, opts.stopping);
        published += r.published;
        skipped += r.skipped;
        incomplete += r.incomplete;
      }
      this.metrics.inc(RUNS.metric, { outcome: 'ok' }, 1, RUNS.help);
      if (published || incomplete) this.log.info('sweep published missed Shopify records', { tenantId, published, skipped, incomplete });
      return { status: 'swept', intervalMs, published, skipped, incomplete };
    });
  }

  private async sweepResource(
    tenantId: string,
    conn: ShopifyConnection,
    client: ShopifyClient,
    resource: SweepResource,
    startedAt: number,
    timeZone: string,
    stopping: (() => boolean) | undefined,
  ): Promise<Totals> {
    const cursor = (await this.cursors.get(tenantId, resource)) ?? new Date(startedAt - this.config.shopifySweepLookbackMs);
    const since = new Date(cursor.getTime() - this.config.shopifySweepOverlapMs);
    // Versions this recent are left to their webhook; sorted by updated_at, so everything after is too.
    const horizon = startedAt - this.config.shopifySweepSettleMs;
    const source: AsyncIterable<ShopifyOrderVersion | ShopifyCustomer> =
      resource === 'orders' ? client.listOrderVersionsUpdatedSince(since) : client.listCustomersUpdatedSince(since);
    let batch: Swept[] = [];
    const totals: Totals = { published: 0, skipped: 0, incomplete: 0 };
    const flush = async (): Promise<void> => {
      await this.flush(tenantId, conn, client, resource, batch, totals, timeZone);
      batch = [];
    };
    for await (const rec of source) {
      if (Date.parse(rec.updatedAt) > horizon || stopping?.()) break;
      const base = { gid: rec.gid, id: rec.id, updatedAt: rec.updatedAt };
      batch.push(resource === 'orders' ? { ...base, kind: 'order' } : { ...base, kind: 'customer', rec: rec as ShopifyCustomer });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    return totals;
  }

  /**
   * A missed order whole, or null when it is not to be published now: it changed while being completed (its newer
   * version comes later in this or the next sweep) or it cannot be completed (logged, counted, cursor held).
   */
  private async whole(tenantId: string, client: ShopifyClient, order: ShopifyOrder, totals: Totals): Promise<ShopifyOrder | null> {
    if (!order.lineItemsTruncated && !order.shippingLinesTruncated) return order;
    try {
      const done = await client.completeOrder(order);
      if (!done)
        this.log.info('swept order changed while its line items were read; its newer version follows', {
          tenantId,
          orderId: order.id,
          updatedAt: order.updatedAt,
        });
      return done;
    } catch (err) {
      // A retryable failure (throttled, unavailable) fails the sweep as any read does; the next sweep starts over.
      if (!(err instanceof ShopifyError) || err.retryable) throw err;
      totals.incomplete++;
      const at = Date.parse(order.updatedAt);
      totals.holdMs = totals.holdMs === undefined ? at : Math.min(totals.holdMs, at);
      this.metrics.inc(
        'mlc_sweep_incomplete_orders_total',
        { tenant: tenantId },
        1,
        'Shopify orders the sweep could not read whole (not published; retried by later sweeps)',
      );
      this.log.error('swept order could not be read whole: not published, retried by the next sweep', {
        tenantId,
        code: ORDER_INCOMPLETE,
        orderId: order.id,
        updatedAt: order.updatedAt,
        lineItemsRead: order.lineItems.length,
        lineItemsTruncated: order.lineItemsTruncated,
        shippingLinesTruncated: order.shippingLinesTruncated,
        cause: err.code,
        error: err.message,
      });
      return null;
    }
  }

  private async flush(
    tenantId: string,
    conn: ShopifyConnection,
    client: ShopifyClient,
    resource: SweepResource,
    batch: Swept[],
    totals: Totals,
    timeZone: string,
  ): Promise<void> {
    if (!batch.length) return;
    const keyed = batch.map((s) => ({ s, key: shopifyRecordKey(conn.shopDomain, s.kind, s.id, s.updatedAt) }));
    const seen = await this.deliveries.ledger.seenRecordKeys(
      tenantId,
      keyed.flatMap((k) => (k.key ? [k.key] : [])),
    );
    const missed: Array<{ kind: Swept['kind']; gid: string; updatedAt: string; key: string | null; body: string }> = [];
    for (const { s, key } of keyed) {
      if (key && seen.has(key)) continue;
      if (s.kind === 'customer') {
        missed.push({ kind: s.kind, gid: s.gid, updatedAt: s.updatedAt, key, body: customerWebhookBody(s.rec, timeZone) });
        continue;
      }
      const read = await client.getOrder(s.id);
      // Deleted since it was listed: nothing to publish (its orders/delete webhook is not ours to invent).
      if (!read) continue;
      const order = await this.whole(tenantId, client, read, totals);
      if (!order) continue;
      // Changed since it was listed: the version read is published under its own updatedAt (and record key).
      const k = order.updatedAt === s.updatedAt ? key : shopifyRecordKey(conn.shopDomain, 'order', order.id, order.updatedAt);
      if (k && k !== key && (await this.deliveries.ledger.seenRecordKeys(tenantId, [k])).has(k)) continue;
      missed.push({ kind: s.kind, gid: order.gid, updatedAt: order.updatedAt, key: k, body: orderWebhookBody(order, timeZone) });
    }
    const deliveries: InboundDelivery[] = missed.map(({ kind, gid, updatedAt, key, body }) => {
      const topic = kind === 'order' ? 'orders/updated' : 'customers/update';
      const deliveryId = `sweep:${gid}:${updatedAt}`;
      return {
        tenantId,
        partner: 'shopify',
        topic,
        deliveryId,
        dedupeKey: `${topic}|${deliveryId}`,
        recordKey: key,
        origin: 'sweep',
        headers: {
          'mlc-origin': 'sweep',
          'x-shopify-topic': topic,
          'x-shopify-shop-domain': conn.shopDomain,
          'x-shopify-triggered-at': new Date().toISOString(),
          'content-type': 'application/json',
        },
        body,
      };
    });
    const published = deliveries.length ? await this.deliveries.publishBatch(tenantId, 'shopify', deliveries) : 0;
    totals.published += published;
    totals.skipped += batch.length - published;
    const newest = Math.max(...batch.map((s) => Date.parse(s.updatedAt)));
    // Never past an order that could not be read whole: the next sweep (reading from cursor − overlap, `>=`) retries it.
    await this.cursors.advance(tenantId, resource, new Date(totals.holdMs === undefined ? newest : Math.min(newest, totals.holdMs)));
  }
}
