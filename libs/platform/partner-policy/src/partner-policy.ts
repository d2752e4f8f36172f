import {
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IRetryBackoffContext,
} from 'cockatiel';
import { AppError, backoffDelayMs, type BackoffPolicy } from '@mlc/platform-errors';

/**
 * What a request is, as far as repeating it goes.
 * - `idempotent`: sending it twice has the effect of sending it once (a GET, a PUT/PATCH of the same values, a
 *   metafieldsSet upsert, a DELETE by id), or a key makes a repeat harmless (ShipBob's order `reference_id`).
 * - `once`: a repeat could do it twice (a Fusion create). Retried only where the partner certainly did not act on
 *   it: a rate-limit refusal (429 / THROTTLED) or a connection that was never made (see `notSent`).
 */
export type RequestKind = 'idempotent' | 'once';

export interface PartnerCall {
  /** Short name for errors and logs: `GET /order`, `OrderById`. */
  name: string;
  kind: RequestKind;
}

export interface PartnerPolicyOptions {
  /** The partner's error-code prefix (`SHIPBOB`, `FUSION`, `SHOPIFY`), used in the circuit-open error. */
  partner: string;
  /** Most attempts per call, the first included. Default 3. */
  maxAttempts?: number;
  /**
   * Longest total time of one call, waits included (default 20 s): no retry starts when its wait plus
   * `minAttemptMs` would pass it, and each attempt's timeout is cut to what is left. The consumer's own retry is
   * the outer loop, so a longer hint is handed to it (the error's `retryAfterMs`) rather than waited for here.
   */
  maxTotalMs?: number;
  /** Timeout of one attempt (default 15 s), passed to the attempt as an AbortSignal. */
  attemptTimeoutMs?: number;
  /** A retry is only started when at least this much of the total time is left after its wait. Default 1 s. */
  minAttemptMs?: number;
  /** Backoff between attempts when the partner gave no hint (jittered exponential). Default 250 ms .. 4 s. */
  backoff?: BackoffPolicy;
  /** Consecutive failed calls (retryable failures other than rate limits) that open the circuit. Default 5. */
  circuitThreshold?: number;
  /** How long the circuit stays open before one trial call (half-open). Default 30 s. */
  circuitOpenMs?: number;
  /** Clock (tests). */
  now?: () => number;
  /** How the policy waits between attempts (tests move a simulated clock instead). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** Thrown (retryable) while a partner's circuit is open: fail fast, the consumer backs off for `retryAfterMs`. */
export class CircuitOpenError extends AppError {
  constructor(partner: string, key: string, retryAfterMs: number) {
    super(
      `${partner}.UNAVAILABLE`,
      `${partner} calls of ${key} are suspended after repeated failures (circuit open); next trial in ${Math.ceil(retryAfterMs / 1000)} s`,
      {
        retryable: true,
        retryAfterMs,
        details: { circuit: 'open', key },
      },
    );
  }
}

/** A rate-limit refusal: the partner did not act on the request, whatever its kind. */
export function isRateLimit(err: unknown): boolean {
  return err instanceof AppError && /RATE_LIMITED|THROTTLED/.test(err.code);
}

/** The request never reached the partner (refused or unresolvable connection): safe to repeat, whatever its kind. */
export function notSent(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  if (err.details['notSent'] === true) return true;
  let cause: unknown = err.cause;
  for (let i = 0; i < 4 && cause instanceof Error; i++) {
    if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)$/.test(String((cause as NodeJS.ErrnoException).code ?? ''))) return true;
    cause = cause.cause;
  }
  return false;
}

/**
 * The one retry / timeout / circuit-breaker layer of every partner client (the INNER loop; the Kafka consumer's
 * retry-or-park is the outer one). For one key (a tenant's connection to one partner):
 * - retries retryable AppErrors a few times, never sooner than the partner said (`retryAfterMs`, from Retry-After /
 *   x-retry-after / Shopify's cost), and only requests safe to repeat (see RequestKind);
 * - bounds the total time of a call (`maxTotalMs`), so a consumer's session is not blown;
 * - opens a circuit after `circuitThreshold` failed calls in a row, then fails fast with a retryable
 *   CircuitOpenError until one trial call (half-open) succeeds.
 * Built on cockatiel (retry + ConsecutiveBreaker circuit).
 */
export class PartnerPolicy {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly openedAt = new Map<string, number>();
  private readonly o: Required<Omit<PartnerPolicyOptions, 'now' | 'sleep'>>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: PartnerPolicyOptions) {
    this.o = {
      partner: opts.partner,
      maxAttempts: opts.maxAttempts ?? 3,
      maxTotalMs: opts.maxTotalMs ?? 20_000,
      attemptTimeoutMs: opts.attemptTimeoutMs ?? 15_000,
      minAttemptMs: opts.minAttemptMs ?? 1_000,
      backoff: opts.backoff ?? { baseMs: 250, maxMs: 4_000 },
      circuitThreshold: opts.circuitThreshold ?? 5,
      circuitOpenMs: opts.circuitOpenMs ?? 30_000,
    };
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get options(): Readonly<Required<Omit<PartnerPolicyOptions, 'now' | 'sleep'>>> {
    return this.o;
  }

  /** `closed`, `open` or `half-open` for a key. */
  circuitState(key: string): 'closed' | 'open' | 'half-open' {
    const s = this.breakers.get(key)?.state;
    return s === 1 || s === 3 ? 'open' : s === 2 ? 'half-open' : 'closed';
  }

  /**
   * Runs `attempt` under the policy for `key`. `attempt` gets the signal to pass to fetch (this attempt's timeout)
   * and must throw AppErrors (retryable or not, with `retryAfterMs` when the partner named a delay).
   */
  async execute<T>(key: string, call: PartnerCall, attempt: (signal: AbortSignal, n: number) => Promise<T>): Promise<T> {
    const started = this.now();
    let planned = 0;
    let n = 0;
    const shouldRetry = (err: Error): boolean => {
      if (!(err instanceof AppError) || !err.retryable || err instanceof CircuitOpenError) return false;
      if (call.kind === 'once' && !isRateLimit(err) && !notSent(err)) return false;
      if (n >= this.o.maxAttempts) return false;
      const wait = backoffDelayMs(n, this.o.backoff, err.retryAfterMs ?? 0);
      if (this.now() - started + wait + this.o.minAttemptMs > this.o.maxTotalMs) return false;
      planned = wait;
      return true;
    };
    // cockatiel decides and loops; the wait itself is ours (before the next attempt), so a test clock can drive it.
    const backoff: IBackoff<IRetryBackoffContext<unknown>> = { duration: 0, next: () => backoff };
    const retryPolicy = retry(handleWhen(shouldRetry), { maxAttempts: this.o.maxAttempts - 1, backoff });
    // The circuit counts calls (retries included), not attempts.
    const policy = wrap(this.breaker(key), retryPolicy);
    try {
      return await policy.execute(async () => {
        if (n > 0 && planned > 0) await this.sleep(planned);
        n++;
        const left = this.o.maxTotalMs - (this.now() - started);
        return attempt(AbortSignal.timeout(Math.max(1, Math.min(this.o.attemptTimeoutMs, left))), n);
      });
    } catch (err) {
      if (isBrokenCircuitError(err)) {
        const since = this.openedAt.get(key) ?? this.now();
        throw new CircuitOpenError(this.o.partner, key, Math.max(1_000, this.o.circuitOpenMs - (this.now() - since)));
      }
      throw err;
    }
  }

  private breaker(key: string): CircuitBreakerPolicy {
    let b = this.breakers.get(key);
    if (!b) {
      // Rate limits are the partner pacing us (honoured above), not a failure: they neither open nor close it.
      const failure = handleWhen((err) => err instanceof AppError && err.retryable && !isRateLimit(err) && !(err instanceof CircuitOpenError));
      b = circuitBreaker(failure, { halfOpenAfter: this.o.circuitOpenMs, breaker: new ConsecutiveBreaker(this.o.circuitThreshold) });
      b.onBreak(() => this.openedAt.set(key, this.now()));
      this.breakers.set(key, b);
    }
    return b;
  }
}

/** One policy per partner per process, shared by every client of that partner (circuits are per key inside). */
const shared = new Map<string, PartnerPolicy>();

export function sharedPartnerPolicy(partner: string, opts: Omit<PartnerPolicyOptions, 'partner'> = {}): PartnerPolicy {
  let p = shared.get(partner);
  if (!p) {
    p = new PartnerPolicy({ partner, ...opts });
    shared.set(partner, p);
  }
  return p;
}
