import { sleep } from '@mlc/platform-errors';
import { SHIPBOB_ERROR } from '@mlc/partners-shipbob-client';

/** What the pacer reads after each call (ShipbobClient.rateLimit). */
export interface RateState {
  remainingCalls: number | undefined;
  retryAfterMs: number | undefined;
  observedAt: number;
}

export interface PacerOptions {
  /** ShipBob's sliding window (60 s). */
  windowMs: number;
  /** Spacing starts when fewer calls than this are left. */
  paceBelow: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every wait the pacer imposes (the service records it as mlc_rate_limit_wait*). */
  onWait?: (tenantId: string, waitMs: number) => void;
}

interface TenantPace {
  remaining: number | undefined;
  observedAt: number;
  blockedUntil: number;
  lastCallAt: number;
}

/**
 * Per-tenant pacing of ShipBob calls (ShipBob counts per user and application, so one tenant's budget is shared by
 * all its records). Before the 429: when `x-remaining-calls` runs low, calls are spread so the budget left lasts a
 * whole window (window / (remaining + 1) apart). After a 429: every call of the tenant waits out `x-retry-after`
 * (seconds, https://developer.shipbob.com/rate-limit) and no longer: the `x-remaining-calls: 0` of the 429 does not
 * also space the next call a whole window out (that turned `x-retry-after: 2` into a 60 s wait).
 */
export class ShipbobPacer {
  private readonly tenants = new Map<string, TenantPace>();
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly opts: PacerOptions) {
    this.now = opts.now ?? Date.now;
    this.wait = opts.sleep ?? ((ms) => sleep(ms));
  }

  /** How long the next call of this tenant should wait now. */
  delayFor(tenantId: string): number {
    const t = this.tenants.get(tenantId);
    if (!t) return 0;
    const now = this.now();
    let delay = Math.max(0, t.blockedUntil - now);
    if (t.remaining !== undefined && t.remaining < this.opts.paceBelow) {
      const spacing = Math.ceil(this.opts.windowMs / (t.remaining + 1));
      delay = Math.max(delay, t.lastCallAt + spacing - now);
    }
    return Math.min(delay, this.opts.windowMs);
  }

  /** Runs one ShipBob call for the tenant: waits its turn, then records what the answer said about the budget. */
  async call<T>(tenantId: string, rate: () => RateState, fn: () => Promise<T>): Promise<T> {
    const delay = this.delayFor(tenantId);
    const t = this.state(tenantId);
    // The slot is taken before waiting: calls of one tenant made side by side (several partitions, several keys of
    // one partition) are spaced one after another, not all sent when the same spacing ends.
    t.lastCallAt = this.now() + delay;
    if (delay > 0) {
      this.opts.onWait?.(tenantId, delay);
      await this.wait(delay);
    }
    try {
      const out = await fn();
      this.observe(t, rate());
      return out;
    } catch (err) {
      this.observe(t, rate());
      const e = err as { code?: string; retryAfterMs?: number };
      if (e.code === SHIPBOB_ERROR.RATE_LIMITED) {
        t.blockedUntil = Math.max(t.blockedUntil, this.now() + (e.retryAfterMs ?? this.opts.windowMs));
        t.remaining = undefined; // ShipBob said when calls resume; the budget after that is unknown until the next answer
      }
      throw err;
    }
  }

  private observe(t: TenantPace, r: RateState): void {
    if (r.observedAt < t.observedAt) return;
    t.observedAt = r.observedAt;
    t.remaining = r.remainingCalls;
    if (r.retryAfterMs !== undefined && r.remainingCalls === 0) {
      t.blockedUntil = Math.max(t.blockedUntil, r.observedAt + r.retryAfterMs);
      t.remaining = undefined; // the wait is x-retry-after, not a window spread over zero calls left
    }
  }

  private state(tenantId: string): TenantPace {
    let t = this.tenants.get(tenantId);
    if (!t) {
      t = { remaining: undefined, observedAt: 0, blockedUntil: 0, lastCallAt: 0 };
      this.tenants.set(tenantId, t);
    }
    return t;
  }
}
