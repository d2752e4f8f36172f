export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter: attempt 1 waits up to base, attempt n up to base * 2^(n-1), capped at max.
 * A partner's own retry hint (Retry-After) wins when it is longer.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, retryAfterMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(retryAfterMs, Math.round(ceiling * (0.5 + random() * 0.5)));
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * Runs `attempt` until it succeeds, waiting a jittered exponential backoff between tries, for as long as
 * `keepGoing()` holds. Returns true when an attempt succeeded. For connections that must come back on their own.
 */
export async function retryUntilDone(
  attempt: (n: number) => Promise<void>,
  opts: { policy: BackoffPolicy; keepGoing?: () => boolean; delayFirst?: boolean; onError?: (err: unknown, n: number) => void | Promise<void> },
): Promise<boolean> {
  const keepGoing = opts.keepGoing ?? (() => true);
  for (let n = 1; keepGoing(); n++) {
    if (opts.delayFirst || n > 1) await sleep(backoffDelayMs(n, opts.policy));
    if (!keepGoing()) break;
    try {
      await attempt(n);
      return true;
    } catch (err) {
      await opts.onError?.(err, n);
    }
  }
  return false;
}
