import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { WebhookReceived } from '@mlc/contracts';
import { newMeta, type EventPublisher, type OutgoingRecord } from '@mlc/platform-kafka';
import { LOGGER, MetricsRegistry, PG_POOL, PUBLISHER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { DeliveryLedger, type DeliveryRow } from './delivery.ledger';
import { GatewayUnavailableError, KafkaUnavailableError, WebhookError } from './webhook.errors';

export type WebhookPartner = 'shipbob' | 'shopify';

/** One verified (or swept) delivery, ready to become a WebhookReceived record. */
export interface InboundDelivery {
  tenantId: string;
  partner: WebhookPartner;
  /** Partner topic: `order.shipped`, `orders/create`, ... */
  topic: string;
  /** webhook-id (ShipBob), X-Shopify-Event-Id or X-Shopify-Webhook-Id (Shopify), `sweep:<gid>:<updatedAt>` (sweep). */
  deliveryId: string;
  /** What makes a redelivery a redelivery (see gateway_deliveries.dedupe_key). */
  dedupeKey: string;
  /**
   * Further keys of the same delivery (webhooks only): a delivery is a redelivery when any of its keys was published.
   * Shopify: `<topic>|<X-Shopify-Webhook-Id>` beside `<topic>|<X-Shopify-Event-Id>`.
   */
  otherDedupeKeys?: string[];
  /** Shopify orders/customers: shop + id + updated_at, what the sweep skips on. */
  recordKey: string | null;
  origin: 'webhook' | 'sweep';
  headers: Record<string, string>;
  /** The body, byte-exact (decoded as strict UTF-8). */
  body: string;
}

export interface PublishOutcome {
  status: 'published' | 'duplicate';
  deliveryId: string;
  eventId?: string;
}

export const WEBHOOK_TOPIC = {
  shipbob: 'shipbob.webhook.received.v1',
  shopify: 'shopify.webhook.received.v1',
} as const;

const SOURCE = 'webhook-gateway';

/**
 * Publishes deliveries on `<partner>.webhook.received.v1` and remembers them in `gateway_deliveries` only once Kafka
 * acknowledged, so an answered 2xx always means "on Kafka" and a redelivery is answered without a second record.
 */
@Injectable()
export class DeliveryPublisher {
  readonly ledger: DeliveryLedger;

  constructor(
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(PG_POOL) pool: Pool,
    @Inject(WEBHOOK_GATEWAY_CONFIG) private readonly config: WebhookGatewayConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
  ) {
    this.ledger = new DeliveryLedger(pool);
  }

  /** A webhook: publish unless this delivery was published before. Throws WebhookError (503) when Kafka or Postgres fail. */
  async publishOnce(d: InboundDelivery): Promise<PublishOutcome> {
    try {
      return await this.ledger.withDeliveryLock({ ...d, dedupeKeys: keysOf(d) }, async (published, client) => {
        if (published) {
          this.metrics.inc('mlc_webhooks_total', { partner: d.partner, origin: d.origin, outcome: 'duplicate' }, 1, 'webhook deliveries by outcome');
          return { status: 'duplicate', deliveryId: d.deliveryId };
        }
        const record = this.toRecord(d);
        await this.send([record], [d]);
        await this.ledger.record(this.rows(d, record.value.meta.eventId), client);
        this.metrics.inc('mlc_webhooks_total', { partner: d.partner, origin: d.origin, outcome: 'published' }, 1, 'webhook deliveries by outcome');
        return { status: 'published', deliveryId: d.deliveryId, eventId: record.value.meta.eventId };
      });
    } catch (err) {
      if (err instanceof WebhookError) throw err;
      throw new GatewayUnavailableError(`delivery ledger unavailable: ${(err as Error).message}`, err);
    }
  }

  /**
   * The sweep: publish the deliveries not published before, in one Kafka batch, then remember them. Returns how many
   * were published. Throws KafkaUnavailableError when Kafka does not acknowledge in time (nothing is remembered).
   */
  async publishBatch(tenantId: string, partner: WebhookPartner, deliveries: InboundDelivery[]): Promise<number> {
    const known = await this.ledger.publishedKeys(
      tenantId,
      partner,
      deliveries.map((d) => d.dedupeKey),
    );
    const fresh = deliveries.filter((d, i) => !known.has(d.dedupeKey) && deliveries.findIndex((x) => x.dedupeKey === d.dedupeKey) === i);
    if (!fresh.length) return 0;
    const records = fresh.map((d) => this.toRecord(d));
    await this.send(records, fresh);
    await this.ledger.record(fresh.flatMap((d, i) => this.rows(d, records[i]!.value.meta.eventId)));
    this.metrics.inc('mlc_webhooks_total', { partner, origin: 'sweep', outcome: 'published' }, fresh.length, 'webhook deliveries by outcome');
    return fresh.length;
  }

  private toRecord(d: InboundDelivery): OutgoingRecord<(typeof WEBHOOK_TOPIC)[WebhookPartner]> {
    const value: WebhookReceived = {
      meta: newMeta({ tenantId: d.tenantId, source: SOURCE }),
      partner: d.partner,
      topic: d.topic,
      deliveryId: d.deliveryId,
      headers: d.headers,
      body: d.body,
    };
    return { topic: WEBHOOK_TOPIC[d.partner], key: `${d.tenantId}:${d.deliveryId}`, value };
  }

  /** One ledger row per key of the delivery. */
  private rows(d: InboundDelivery, eventId: string): DeliveryRow[] {
    return keysOf(d).map((dedupeKey) => ({
      tenantId: d.tenantId,
      partner: d.partner,
      dedupeKey,
      deliveryId: d.deliveryId,
      topic: d.topic,
      origin: d.origin,
      recordKey: d.recordKey,
      eventId,
    }));
  }

  /**
   * Sends and waits for the acknowledgement, at most WEBHOOK_PUBLISH_TIMEOUT_MS (partners give up after 5 s). If the
   * send completes after we gave up, the deliveries are remembered then, so the partner's retry is not published twice.
   */
  private async send(records: OutgoingRecord[], deliveries: InboundDelivery[]): Promise<void> {
    if (!this.publisher.isConnected) throw new KafkaUnavailableError('Kafka is not connected');
    const timeoutMs = this.config.webhookPublishTimeoutMs;
    const sending = this.publisher.publishMany(records);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const outcome = await Promise.race([sending.then(() => 'sent' as const), timeout]);
      if (outcome === 'timeout') {
        sending
          .then(() => this.ledger.record(deliveries.flatMap((d, i) => this.rows(d, (records[i]!.value as WebhookReceived).meta.eventId))))
          .catch(() => undefined);
        throw new KafkaUnavailableError(`Kafka did not acknowledge within ${timeoutMs} ms`);
      }
    } catch (err) {
      if (err instanceof KafkaUnavailableError) throw err;
      this.log.warn('publish failed', { error: (err as Error).message, partner: deliveries[0]?.partner });
      throw new KafkaUnavailableError(`Kafka did not accept the record: ${(err as Error).message}`, err);
    } finally {
      clearTimeout(timer);
    }
  }
}

function keysOf(d: InboundDelivery): string[] {
  return [...new Set([d.dedupeKey, ...(d.otherDedupeKeys ?? [])])];
}
