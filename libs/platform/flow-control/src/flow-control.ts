import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { AvroCodec } from '@mlc/contracts';
import { AppError, sleep } from '@mlc/platform-errors';
import { deleteEphemeralGroup, HoldPartition, topicName, type EventPublisher } from '@mlc/platform-kafka';
import { flowControlRecord } from './flow-control.record';

export const FLOW_PAUSED = 'FLOW.PAUSED';

/** Thrown (retryable) by `assertRunning` while a flow is paused: the record stays in Kafka and is retried later. */
export class FlowPausedError extends AppError {
  constructor(tenantId: string, partner: string, reason: string, retryAfterMs: number) {
    super(FLOW_PAUSED, `the ${partner} flow of tenant ${tenantId} is paused: ${reason}`, { retryable: true, retryAfterMs, details: { tenantId, partner } });
  }
}

export interface FlowStateEntry {
  tenantId: string;
  partner: string;
  state: 'paused' | 'resumed';
  reason: string;
  actor: string;
  /** occurredAt of the change (ms). */
  at: number;
  eventId: string;
}

/** Partner error codes that mean "the credentials were refused" (401/403 after a token refresh). */
export const AUTH_FAILURE_CODES: readonly string[] = ['SHIPBOB.AUTH', 'FUSION.AUTH', 'SHOPIFY.AUTH'];

export interface GuardOptions {
  /** Which errors count as an authentication failure. Default: a code in AUTH_FAILURE_CODES. */
  isAuthFailure?: (err: unknown) => boolean;
}

export interface FlowControlOptions {
  topicSuffix?: string;
  /** How often a waiting writer re-checks the state (and heartbeats). Default 1000 ms. */
  pollMs?: number;
  /** Consecutive authentication failures after which `reportAuthFailure` pauses the flow by itself. Default 5. */
  authFailureLimit?: number;
  /** Publisher for `reportAuthFailure`; without one a writer can only read the state. */
  publisher?: EventPublisher;
  /** The service name recorded as the source/actor of self-pauses. */
  service?: string;
}

/**
 * The pause/resume state of every tenant's flow towards each partner, read from ops.flow-control.changed.v1 (from
 * the beginning, into memory, one private consumer group per instance so every replica hears every change).
 *
 * Writers call `waitWhilePaused(tenantId, partner, heartbeat)` before they call a partner: while the flow is
 * paused the record is held (the handler waits, heartbeating so the group keeps the partition), nothing is
 * committed and nothing is lost; on resume it goes on. `assertRunning` is the alternative that throws a retryable
 * FlowPausedError instead (the consumer's retry/backoff holds the record; it parks after its last attempt, so
 * prefer waitWhilePaused for long pauses). `reportAuthFailure` / `reportSuccess` let a connection that keeps
 * failing authentication pause itself and say so.
 *
 * `guard(tenantId, partner, fn)` puts these together for a Kafka handler: while the flow is paused (or its state is
 * not loaded yet) it throws a HoldPartition, so the EventConsumer pauses only that partition and reads the record
 * again on resume (other partitions, hence most other tenants, keep flowing; the records behind it in the same
 * partition wait with it); an authentication failure is counted, made retryable while the flow still runs, and
 * turned into a hold once the flow paused itself; a success resets the count.
 */
export class FlowControl {
  private readonly states = new Map<string, FlowStateEntry>();
  private consumer: Consumer | undefined;
  private groupId: string | undefined;
  private readonly codec = new AvroCodec();
  private readonly authFailures = new Map<string, number>();
  private caughtUp: Promise<void> | undefined;
  private loaded = false;
  private markReady!: () => void;
  /** Resolves once the state up to the end of the topic (at the first start) is loaded. */
  readonly ready: Promise<void> = new Promise((r) => (this.markReady = r));

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: FlowControlOptions = {},
  ) {}

  /** Starts reading the topic; resolves once the state up to the current end of the topic is loaded. */
  async start(): Promise<void> {
    const topic = topicName('ops.flow-control.changed.v1', this.opts.topicSuffix);
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => void admin.disconnect());
    const pending = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
    let markCaughtUp!: () => void;
    this.caughtUp = new Promise((r) => (markCaughtUp = r));
    if (!pending.size) markCaughtUp();
    this.groupId = `flow-control.${randomBytes(6).toString('hex')}`;
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (message.value) {
          try {
            this.apply(this.codec.decodeFor('ops.flow-control.changed.v1', message.value).value);
          } catch {
            // An undecodable record cannot change a state; the projector dead-letters it.
          }
        }
        const end = pending.get(partition);
        if (end !== undefined && BigInt(message.offset) + 1n >= end) {
          pending.delete(partition);
          if (!pending.size) markCaughtUp();
        }
      },
    });
    await this.caughtUp;
    this.loaded = true;
    this.markReady();
  }

  /** True once the state is loaded (`start` caught up); until then a guard holds records rather than guess. */
  isLoaded(): boolean {
    return this.loaded;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    // The group is this instance's alone (a broadcast read): remove it rather than leave one behind per start.
    if (this.groupId) await deleteEphemeralGroup(this.kafka, this.groupId);
    this.groupId = undefined;
  }

  /** Applies one change (newest by occurredAt, then event id, wins). Exposed for tests and in-process use. */
  apply(change: {
    meta: { tenantId: string; occurredAt: number; eventId: string };
    partner: string;
    state: 'paused' | 'resumed';
    reason: string;
    actor: string;
  }): void {
    const k = `${change.meta.tenantId}:${change.partner}`;
    const cur = this.states.get(k);
    if (cur && (cur.at > change.meta.occurredAt || (cur.at === change.meta.occurredAt && cur.eventId >= change.meta.eventId))) return;
    this.states.set(k, {
      tenantId: change.meta.tenantId,
      partner: change.partner,
      state: change.state,
      reason: change.reason,
      actor: change.actor,
      at: change.meta.occurredAt,
      eventId: change.meta.eventId,
    });
  }

  state(tenantId: string, partner: string): FlowStateEntry | undefined {
    return this.states.get(`${tenantId}:${partner}`);
  }

  list(): FlowStateEntry[] {
    return [...this.states.values()];
  }

  isPaused(tenantId: string, partner: string): boolean {
    return this.state(tenantId, partner)?.state === 'paused';
  }

  /** Throws a retryable FlowPausedError while the flow is paused. */
  assertRunning(tenantId: string, partner: string): void {
    const s = this.state(tenantId, partner);
    if (s?.state === 'paused') throw new FlowPausedError(tenantId, partner, s.reason, 30_000);
  }

  /** Waits (heartbeating) until the flow is not paused, or the signal aborts. Returns how long it waited (ms). */
  async waitWhilePaused(tenantId: string, partner: string, heartbeat?: () => Promise<void>, signal?: AbortSignal): Promise<number> {
    const started = Date.now();
    while (this.isPaused(tenantId, partner) && !signal?.aborted) {
      await sleep(this.opts.pollMs ?? 1_000, signal);
      await heartbeat?.().catch(() => undefined);
    }
    return Date.now() - started;
  }

  /**
   * A HoldPartition for a record of this tenant's flow: released once the state is loaded and the flow is not
   * paused (or the consumer gives the partition up).
   */
  hold(tenantId: string, partner: string): HoldPartition {
    const s = this.state(tenantId, partner);
    const reason = !this.loaded ? 'flow-control state not loaded yet' : `the ${partner} flow of tenant ${tenantId} is paused: ${s?.reason ?? ''}`;
    return new HoldPartition(reason, async (signal) => {
      await Promise.race([this.ready, new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
      await this.waitWhilePaused(tenantId, partner, undefined, signal);
    });
  }

  /** Throws a HoldPartition while the flow is paused or its state is not loaded yet. */
  holdIfPaused(tenantId: string, partner: string): void {
    if (!this.loaded || this.isPaused(tenantId, partner)) throw this.hold(tenantId, partner);
  }

  /**
   * Runs a handler's partner work for one tenant under flow control (see the class comment): holds the record while
   * the flow is paused; counts authentication failures, pausing the flow by itself after `authFailureLimit` in a
   * row (the record is then held, not parked); resets the count on success.
   */
  async guard<T>(tenantId: string, partner: string, fn: () => Promise<T>, opts: GuardOptions = {}): Promise<T> {
    this.holdIfPaused(tenantId, partner);
    let out: T;
    try {
      out = await fn();
    } catch (err) {
      if (!(opts.isAuthFailure ?? isAuthFailure)(err)) throw err;
      const e = err as AppError;
      await this.reportAuthFailure(tenantId, partner, e.message);
      if (this.isPaused(tenantId, partner)) throw this.hold(tenantId, partner);
      // Retried (with the consumer's backoff) until the connection works again or the flow pauses itself.
      throw new AppError(e.code, e.message, {
        retryable: true,
        details: { ...e.details, authFailures: this.authFailures.get(`${tenantId}:${partner}`) ?? 0 },
        cause: err,
      });
    }
    this.reportSuccess(tenantId, partner);
    return out;
  }

  /** Counts a partner authentication failure; after `authFailureLimit` in a row the flow pauses itself. */
  async reportAuthFailure(tenantId: string, partner: string, message: string): Promise<boolean> {
    const k = `${tenantId}:${partner}`;
    const n = (this.authFailures.get(k) ?? 0) + 1;
    this.authFailures.set(k, n);
    if (n < (this.opts.authFailureLimit ?? 5) || this.isPaused(tenantId, partner) || !this.opts.publisher) return false;
    const service = this.opts.service ?? 'flow-control';
    const record = flowControlRecord({
      tenantId,
      partner,
      state: 'paused',
      reason: `paused by itself after ${n} authentication failures in a row: ${message}`.slice(0, 500),
      actor: service,
      source: service,
    });
    await this.opts.publisher.publish(record);
    this.apply(record.value);
    this.authFailures.delete(k);
    return true;
  }

  reportSuccess(tenantId: string, partner: string): void {
    this.authFailures.delete(`${tenantId}:${partner}`);
  }
}

function isAuthFailure(err: unknown): boolean {
  return err instanceof Error && AUTH_FAILURE_CODES.includes((err as { code?: string }).code ?? '');
}
