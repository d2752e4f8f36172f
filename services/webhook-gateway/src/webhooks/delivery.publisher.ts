import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { WebhookReceived } from '@mlc/contracts';
import { newMeta, type EventPublisher, type OutgoingRecord } from '@mlc/platform-kafka';
import { LOGGER, MetricsRegistry, PG_POOL, PUBLISHER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { DeliveryLedger, deliveryKeyId, type Claim, type DeliveryKey, type DeliveryRow } from './delivery.ledger';
import { GatewayOverloadedError, GatewayUnavailableError, KafkaUnavailableError, WebhookError } from './webhook.errors';

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

/** A webhook waiting for its batch: answered exactly once (published, duplicate, or a 503 error). */
interface Waiting {
  d: InboundDelivery;
  /** Its record, made on arrival in the webhook's own context: its meta carries the delivery's trace (traceparent). */
  record: OutgoingRecord<(typeof WEBHOOK_TOPIC)[WebhookPartner]>;
  keys: DeliveryKey[];
  /** Estimated size of its record (body plus headers and metadata), for the batch and pending-bytes bounds. */
  bytes: number;
  /** When it is answered 503 unless acknowledged (arrival + WEBHOOK_PUBLISH_TIMEOUT_MS), epoch ms. */
  deadline: number;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve(o: PublishOutcome): void;
  reject(err: unknown): void;
}

/**
 * Batches being claimed and sent at once. One, as in the bare gateway of the benchmark: everything that arrives while
 * a batch is claimed and sent shares the next batch, so a burst costs few ledger round trips and Kafka sends (each has
 * a fixed CPU cost, and CPU is what bounds a busy gateway; with three batches at once the batches were smaller and a
 * webhook cost about a third more CPU). A batch's ledger commit, after its answers, overlaps the next batch's claim;
 * same-key deliveries in two batches are serialised by the locks.
 */
const MAX_BATCHES_IN_FLIGHT = 1;

/** What a record costs beyond its body (metadata, headers, Avro framing), for the byte bounds; generous. */
const RECORD_OVERHEAD_BYTES = 1_024;

/**
 * Publishes deliveries on `<partner>.webhook.received.v1` and remembers them in `gateway_deliveries` only once Kafka
 * acknowledged, so an answered 2xx always means "on Kafka" and a redelivery is answered without a second record.
 *
 * Webhooks are coalesced: while batches are being published, the webhooks that arrive wait, and the next batch takes
 * all of them (up to WEBHOOK_MAX_BODY_BYTES of records): one ledger transaction (advisory locks and one statement
 * that finds duplicates and inserts the others' rows, see DeliveryLedger.claim) and one Kafka send (acks from all
 * in-sync replicas, idempotent producer) for all of them. Each webhook is answered 2xx only after that send was
 * acknowledged. The ledger claim stays on the critical path (it decides what is a duplicate before anything is sent);
 * its commit follows the answer (see publishWaiting).
 *
 * Back-pressure: at most WEBHOOK_MAX_PENDING webhooks (and WEBHOOK_MAX_PENDING_BYTES of bodies) wait or are being
 * published; one more is answered 503 + Retry-After at once (GatewayOverloadedError), and a webhook not acknowledged
 * within WEBHOOK_PUBLISH_TIMEOUT_MS of its arrival is answered 503 (KafkaUnavailableError). A webhook answered 503
 * while still queued is never sent; one answered 503 after its batch was claimed may still be published: its claim
 * (rows and locks) stays open until the send settles and is committed once Kafka acknowledges, so the partner's retry
 * waits on the lock and is answered `duplicate`, not published twice. A batch whose send timed out keeps its slot until
 * the send settles: a stuck broker fills the bounded queue, which does not grow without limit.
 */
@Injectable()
export class DeliveryPublisher implements OnApplicationShutdown {
  readonly ledger: DeliveryLedger;
  private queue: Waiting[] = [];
  private pending = 0;
  private pendingBytes = 0;
  private inFlight = 0;
  private stopping = false;
  private readonly counts = new Map<string, { labels: Record<string, string>; n: number }>();
  private countsScheduled = false;

  constructor(
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(PG_POOL) pool: Pool,
    @Inject(WEBHOOK_GATEWAY_CONFIG) private readonly config: WebhookGatewayConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
  ) {
    this.ledger = new DeliveryLedger(pool);
  }

  /**
   * A webhook: publish unless this delivery was published before, in the next coalesced batch. Throws WebhookError
   * (503) when Kafka or Postgres fail, when the gateway has too much pending, or when Kafka does not acknowledge in time.
   */
  publishOnce(d: InboundDelivery): Promise<PublishOutcome> {
    if (this.stopping) return Promise.reject(new GatewayUnavailableError('the gateway is stopping'));
    if (!this.publisher.isConnected) return Promise.reject(new KafkaUnavailableError('Kafka is not connected'));
    const bytes = Buffer.byteLength(d.body) + RECORD_OVERHEAD_BYTES;
    if (this.pending >= this.config.webhookMaxPending || (this.pending > 0 && this.pendingBytes + bytes > this.config.webhookMaxPendingBytes)) {
      this.metrics.inc('mlc_webhooks_total', { partner: d.partner, origin: d.origin, outcome: 'overloaded' }, 1, 'webhook deliveries by outcome');
      return Promise.reject(new GatewayOverloadedError(this.pending, this.pendingBytes));
    }
    return new Promise<PublishOutcome>((resolve, reject) => {
      const w: Waiting = {
        d,
        record: this.toRecord(d),
        keys: keysOf(d).map((dedupeKey) => ({ tenantId: d.tenantId, partner: d.partner, dedupeKey })),
        bytes,
        deadline: Date.now() + this.config.webhookPublishTimeoutMs,
        settled: false,
        timer: undefined,
        resolve,
        reject,
      };
      w.timer = setTimeout(() => this.expire(w), this.config.webhookPublishTimeoutMs);
      this.pending++;
      this.pendingBytes += bytes;
      this.queue.push(w);
      this.pump();
    });
  }

  onApplicationShutdown(): void {
    this.stopping = true;
  }

  /** Answers a webhook once; later outcomes of the same webhook are ignored. */
  private settle(w: Waiting, outcome: PublishOutcome | Error): void {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    this.pending--;
    this.pendingBytes -= w.bytes;
    if (outcome instanceof Error) {
      w.reject(outcome);
    } else {
      this.count(w.d.partner, w.d.origin, outcome.status);
      w.resolve(outcome);
    }
  }

  /**
   * Counts an answered webhook in `mlc_webhooks_total`: the counts of one turn of the event loop (a batch's answers)
   * are added at once, before any later request is read.
   */
  private count(partner: WebhookPartner, origin: InboundDelivery['origin'], outcome: PublishOutcome['status']): void {
    const key = `${partner}|${origin}|${outcome}`;
    const c = this.counts.get(key);
    if (c) c.n++;
    else this.counts.set(key, { labels: { partner, origin, outcome }, n: 1 });
    if (!this.countsScheduled) {
      this.countsScheduled = true;
      setImmediate(() => this.flushCounts());
    }
  }

  private flushCounts(): void {
    for (const { labels, n } of this.counts.values()) this.metrics.inc('mlc_webhooks_total', labels, n, 'webhook deliveries by outcome');
    this.counts.clear();
    this.countsScheduled = false;
  }

  /** The webhook's time is up: 503. Still queued: it leaves the queue and is never sent. */
  private expire(w: Waiting): void {
    if (w.settled) return;
    const i = this.queue.indexOf(w);
    if (i >= 0) this.queue.splice(i, 1);
    this.settle(w, new KafkaUnavailableError(`Kafka did not acknowledge within ${this.config.webhookPublishTimeoutMs} ms`));
  }

  /** Starts batches while fewer than MAX_BATCHES_IN_FLIGHT are being published. */
  private pump(): void {
    while (this.inFlight < MAX_BATCHES_IN_FLIGHT && this.queue.length) {
      const batch = this.takeBatch();
      if (!batch.length) return;
      this.inFlight++;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.pump();
      };
      void this.publishWaiting(batch, release).finally(release);
    }
  }

  /**
   * Takes waiting webhooks in arrival order while their records fit in WEBHOOK_MAX_BODY_BYTES (the first one always).
   * A webhook sharing a key with one already taken (two copies of one delivery) stays queued for the next batch, where
   * it is found published and answered `duplicate`.
   */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const keys = new Set<string>();
    let bytes = 0;
    for (const w of this.queue) {
      if (w.settled) continue;
      const ids = w.keys.map(deliveryKeyId);
      if (ids.some((k) => keys.has(k)) || (batch.length > 0 && bytes + w.bytes > this.config.webhookMaxBodyBytes)) {
        rest.push(w);
        continue;
      }
      for (const k of ids) keys.add(k);
      bytes += w.bytes;
      batch.push(w);
    }
    this.queue = rest;
    return batch;
  }

  /**
   * One batch: claim its deliveries in the ledger (locks, duplicates found, rows of the others inserted, uncommitted),
   * send the fresh ones in one Kafka send, commit once acknowledged, answer.
   */
  private async publishWaiting(batch: Waiting[], release: () => void): Promise<void> {
    const records = batch.map((w) => w.record);
    const rows = batch.map((w, i) => this.rows(w.d, records[i]!.value.meta.eventId));
    let claim: Claim | undefined;
    const fresh: number[] = [];
    let unsettledSend: Promise<void> | undefined;
    let acked = false;
    try {
      claim = await this.ledger.claim(rows);
      for (const [i, w] of batch.entries()) {
        if (claim.duplicates.has(i)) this.settle(w, { status: 'duplicate', deliveryId: w.d.deliveryId });
        else fresh.push(i);
      }
      if (!fresh.length) return void (await claim.commit());
      // Webhooks already answered 503 (deadline passed during the claim) are sent all the same: their rows are kept,
      // so the partner's retry is answered `duplicate`.
      this.metrics.inc('mlc_webhook_sends_total', {}, 1, 'Kafka sends of webhook records (each carries one coalesced batch)');
      // Each record's `send` span is a child of its own webhook's span (the traceparent in its meta), though they share a send.
      const sending = this.publisher.publishEachInItsTrace(fresh.map((i) => records[i]!));
      // Each webhook is answered 503 by its own timer at its deadline; wait until the last deadline of the batch.
      const outcome = await within(sending, Math.max(0, ...fresh.map((i) => batch[i]!.deadline - Date.now())));
      if (outcome === 'timeout') {
        unsettledSend = sending;
        throw new KafkaUnavailableError(`Kafka did not acknowledge within ${this.config.webhookPublishTimeoutMs} ms`);
      }
      acked = true;
      // Answered as soon as Kafka acknowledged, before the ledger commit: the records are on Kafka, so nothing can be
      // lost, and nothing is doubled by it either. A copy of one of these deliveries arriving now waits on its advisory
      // lock until the commit and then finds the row (`duplicate`). Should the commit fail, the rows are written
      // again on their own below; only if that fails too could a later redelivery be published a second time, and
      // answering after the commit would not avoid that: the partner would get a 503 and certainly redeliver.
      for (const i of fresh) this.settle(batch[i]!, { status: 'published', deliveryId: batch[i]!.d.deliveryId, eventId: records[i]!.value.meta.eventId });
      // The next batch may start while this one commits (its copies of these deliveries wait on their locks).
      release();
      await claim.commit().catch(async (err: Error) => {
        this.log.error('committing the delivery ledger failed after Kafka acknowledged; recording again', { error: err.message, deliveries: fresh.length });
        await this.ledger.record(fresh.flatMap((i) => rows[i]!));
      });
    } catch (err) {
      // A send that timed out keeps its claim (rows and locks) until it settles, below.
      if (!unsettledSend) await claim?.rollback();
      const error =
        err instanceof WebhookError
          ? err
          : claim && !acked
            ? new KafkaUnavailableError(`Kafka did not accept the record: ${(err as Error).message}`, err)
            : new GatewayUnavailableError(`delivery ledger unavailable: ${(err as Error).message}`, err);
      if (!(err instanceof WebhookError)) this.log.warn('publish failed', { error: (err as Error).message, deliveries: batch.length });
      for (const w of batch) this.settle(w, error);
    }
    if (unsettledSend && claim) {
      // The send may still be acknowledged. Its claim stays open until then: a partner's retry of one of its webhooks
      // waits on the delivery's lock instead of publishing it again, and finds it published (`duplicate`) once the send
      // was acknowledged and the claim committed, or claims it anew when the send failed (rolled back). This batch's
      // slot stays taken until it settles (back-pressure: webhooks queue up to the bound, then get 503).
      const open = claim;
      const late = fresh.flatMap((i) => rows[i]!);
      await unsettledSend.then(
        () =>
          open.commit().catch(async (err: Error) => {
            this.log.error('committing late-acknowledged webhooks failed; recording again', { error: err.message, deliveries: fresh.length });
            await this.ledger.record(late).catch((e: Error) => this.log.error('recording late-acknowledged webhooks failed', { error: e.message }));
          }),
        () => open.rollback(),
      );
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

/** Resolves 'sent' when `p` resolves within `ms`, 'timeout' otherwise; rejects when `p` rejects in time. */
async function within(p: Promise<void>, ms: number): Promise<'sent' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p.then(() => 'sent' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
