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
