import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { ShopifyClient, ShopifyCustomer, ShopifyOrder } from '@mlc/partners-shopify-client';
import { LOGGER, MetricsRegistry, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { PartnerClients, TenantDirectory } from '@mlc/tenancy';
import type { ShopifyConnection } from '@mlc/tenants';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { lockKey } from '../webhooks/delivery.ledger';
import { DeliveryPublisher, type InboundDelivery } from '../webhooks/delivery.publisher';
import { shopifyRecordKey, type ShopifyRecordKind } from '../webhooks/shopify-record-key';
import { customerWebhookBody, orderWebhookBody } from './shopify-rest-body';
import { SweepCursorRepository, type SweepResource } from './sweep-cursor.repository';

/** Records published per Kafka batch; the cursor advances after each acknowledged batch. */
const BATCH = 50;
const RESOURCES: SweepResource[] = ['orders', 'customers'];

export type SweepOutcome =
  | { status: 'swept'; intervalMs: number; published: number; skipped: number }
  | { status: 'not-due'; intervalMs: number; nextDueAt: number }
  | { status: 'locked' | 'no-connection' };

interface Swept {
  kind: ShopifyRecordKind;
  gid: string;
  id: string;
  updatedAt: string;
  body: () => string;
}

/**
 * Reconciliation sweep for one tenant: reads Shopify orders and customers updated since a durable cursor (minus an
 * overlap) and publishes, on the webhook topic, every version no webhook or earlier sweep brought. One replica sweeps
 * a tenant at a time (session advisory lock); the cursor moves only after Kafka acknowledged a batch.
 */
@Injectable()
export class ShopifySweepService {
  private readonly cursors: SweepCursorRepository;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly directory: TenantDirectory,
    private readonly clients: PartnerClients,
    private readonly deliveries: DeliveryPublisher,
    @Inject(WEBHOOK_GATEWAY_CONFIG) private readonly config: WebhookGatewayConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
  ) {
    this.cursors = new SweepCursorRepository(pool);
  }

  /** Sweeps the tenant if it has a Shopify connection, is due, and no other replica is sweeping it. */
  async sweepTenant(tenantId: string, opts: { force?: boolean; stopping?: () => boolean } = {}): Promise<SweepOutcome> {
    const snapshot = await this.directory.get(tenantId);
    const conn = snapshot.connections.shopify;
    if (!conn) return { status: 'no-connection' };
    const intervalMs = snapshot.settings.pollingIntervalsMs.shopifyOrdersMs;
    const lockClient = await this.pool.connect();
    const lock = lockKey(`mlc:gateway:sweep:${tenantId}`);
    let locked = false;
    try {
      locked = (await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [lock])).rows[0]?.ok ?? false;
      if (!locked) return { status: 'locked' };
      const startedAt = Date.now();
      const last = await this.cursors.lastRun(tenantId);
      // Another replica swept it recently: wait for its schedule (a little slack for timer jitter).
      if (!opts.force && last && startedAt - last.getTime() < intervalMs - Math.min(this.config.shopifySweepTickMs, intervalMs / 2)) {
        return { status: 'not-due', intervalMs, nextDueAt: last.getTime() + intervalMs };
      }
      await this.cursors.markRun(tenantId, RESOURCES, new Date(startedAt), new Date(startedAt - this.config.shopifySweepLookbackMs));
      const client = await this.clients.shopify(tenantId);
      let published = 0;
      let skipped = 0;
      for (const resource of RESOURCES) {
        const r = await this.sweepResource(tenantId, conn, client, resource, startedAt, opts.stopping);
        published += r.published;
        skipped += r.skipped;
      }
      this.metrics.inc('mlc_sweep_runs_total', { outcome: 'ok' }, 1, 'Shopify reconciliation sweeps by outcome');
      if (published) this.log.info('sweep published missed Shopify records', { tenantId, published, skipped });
      return { status: 'swept', intervalMs, published, skipped };
    } catch (err) {
      this.metrics.inc('mlc_sweep_runs_total', { outcome: 'failed' }, 1, 'Shopify reconciliation sweeps by outcome');
      throw err;
    } finally {
      if (locked) await lockClient.query('SELECT pg_advisory_unlock($1)', [lock]).catch(() => undefined);
      lockClient.release();
    }
  }

  private async sweepResource(
    tenantId: string,
    conn: ShopifyConnection,
    client: ShopifyClient,
    resource: SweepResource,
    startedAt: number,
    stopping: (() => boolean) | undefined,
  ): Promise<{ published: number; skipped: number }> {
    const cursor = (await this.cursors.get(tenantId, resource)) ?? new Date(startedAt - this.config.shopifySweepLookbackMs);
    const since = new Date(cursor.getTime() - this.config.shopifySweepOverlapMs);
    // Versions this recent are left to their webhook; sorted by updated_at, so everything after is too.
    const horizon = startedAt - this.config.shopifySweepSettleMs;
    const source: AsyncIterable<ShopifyOrder | ShopifyCustomer> =
      resource === 'orders' ? client.listOrdersUpdatedSince(since) : client.listCustomersUpdatedSince(since);
    let batch: Swept[] = [];
    const totals = { published: 0, skipped: 0 };
    for await (const rec of source) {
      if (Date.parse(rec.updatedAt) > horizon || stopping?.()) break;
      batch.push(
        resource === 'orders'
          ? { kind: 'order', gid: rec.gid, id: rec.id, updatedAt: rec.updatedAt, body: () => orderWebhookBody(rec as ShopifyOrder) }
          : { kind: 'customer', gid: rec.gid, id: rec.id, updatedAt: rec.updatedAt, body: () => customerWebhookBody(rec as ShopifyCustomer) },
      );
      if (batch.length >= BATCH) {
        await this.flush(tenantId, conn, resource, batch, totals);
        batch = [];
      }
    }
    await this.flush(tenantId, conn, resource, batch, totals);
    return totals;
  }

  private async flush(tenantId: string, conn: ShopifyConnection, resource: SweepResource, batch: Swept[], totals: { published: number; skipped: number }): Promise<void> {
    if (!batch.length) return;
    const keyed = batch.map((s) => ({ s, key: shopifyRecordKey(conn.shopDomain, s.kind, s.id, s.updatedAt) }));
    const seen = await this.deliveries.ledger.seenRecordKeys(tenantId, keyed.flatMap((k) => (k.key ? [k.key] : [])));
    const missed = keyed.filter((k) => !(k.key && seen.has(k.key)));
    const deliveries: InboundDelivery[] = missed.map(({ s, key }) => {
      const topic = s.kind === 'order' ? 'orders/updated' : 'customers/update';
      const deliveryId = `sweep:${s.gid}:${s.updatedAt}`;
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
        body: s.body(),
      };
    });
    const published = await this.deliveries.publishBatch(tenantId, 'shopify', deliveries);
    totals.published += published;
    totals.skipped += batch.length - published;
    const newest = Math.max(...batch.map((s) => Date.parse(s.updatedAt)));
    await this.cursors.advance(tenantId, resource, new Date(newest));
  }
}
