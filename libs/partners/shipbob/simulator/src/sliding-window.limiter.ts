/** Outcome of one request against the limiter. */
export interface RateDecision {
  allowed: boolean;
  /** Calls left in the window after this one (0 when refused). */
  remaining: number;
  /** Seconds until a call would be allowed again (only when refused). */
  retryAfterSec: number;
}

/**
 * ShipBob's limit: 150 requests per minute in a sliding window, per user per application, across all APIs
 * (https://developer.shipbob.com/rate-limit). Time comes from the caller so the sandbox clock can move it.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    public limit = 150,
    public windowMs = 60_000,
  ) {}

  take(key: string, nowMs: number): RateDecision {
    let list = this.hits.get(key) ?? [];
    const last = list[list.length - 1];
    if (last !== undefined && nowMs < last) {
      // The sandbox clock went back: keep what is inside the window, in time order.
      list = list.filter((t) => t > nowMs - this.windowMs).sort((a, b) => a - b);
    } else {
      // Hits are in time order: drop the expired ones from the front (constant time per call however many are kept,
      // so a bench with the limit lifted does not scan every call of the last minute on each request).
      let expired = 0;
      while (expired < list.length && list[expired]! <= nowMs - this.windowMs) expired++;
      if (expired) list.splice(0, expired);
    }
    this.hits.set(key, list);
    if (list.length >= this.limit) {
      const oldest = list[0] ?? nowMs;
      return { allowed: false, remaining: 0, retryAfterSec: Math.max(1, Math.ceil((oldest + this.windowMs - nowMs) / 1000)) };
    }
    list.push(nowMs);
    return { allowed: true, remaining: this.limit - list.length, retryAfterSec: 0 };
  }

  reset(): void {
    this.hits.clear();
  }
}
