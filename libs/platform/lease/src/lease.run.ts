import { performance } from 'node:perf_hooks';
import type { PoolClient } from 'pg';
import type { PgLeaseStore } from './lease.store';

/** A lease held for the length of one piece of work (`runUnderLease`). */
export interface RunLease {
  name: string;
  token: string;
  /** Aborted when a renewal found the lease taken over, or none succeeded within the TTL. */
  signal: AbortSignal;
  /** The fencing check, to run inside the transaction that commits the work. */
  fence(client: Pick<PoolClient, 'query'>): Promise<void>;
}

/**
 * Runs `body` while holding lease `name` (renewed every TTL/3, released at the end), or resolves `{ held: false }`
 * at once when another owner holds it. Unlike a session advisory lock, the lease outlives a PostgreSQL restart: the
 * owner's renewals reconnect and keep it, and nobody else starts the work meanwhile.
 */
export async function runUnderLease<T>(
  store: PgLeaseStore,
  name: string,
  opts: { owner: string; ttlMs: number },
  body: (lease: RunLease) => Promise<T>,
): Promise<{ held: false } | { held: true; value: T }> {
  const sentAt = performance.now();
  const [grant] = await store.acquire([name], opts.owner, opts.ttlMs);
  if (!grant) return { held: false };
  const abort = new AbortController();
  let validUntil = sentAt + opts.ttlMs;
  let renewing = false;
  const timer = setInterval(
    () => {
      if (renewing || abort.signal.aborted) return;
      renewing = true;
      const at = performance.now();
      store
        .renew([grant], opts.owner, opts.ttlMs)
        .then((r) => {
          if (r.length) validUntil = at + opts.ttlMs;
          else abort.abort(new Error(`lease ${name} was taken over`));
        })
        .catch(() => {
          if (performance.now() >= validUntil) abort.abort(new Error(`lease ${name} could not be renewed within its TTL`));
        })
        .finally(() => (renewing = false));
    },
    Math.max(50, Math.floor(opts.ttlMs / 3)),
  );
  timer.unref();
  const lease: RunLease = {
    name,
    token: grant.token,
    signal: abort.signal,
    fence: (client) => store.assertHeld(client, name, grant.token),
  };
  try {
    return { held: true, value: await body(lease) };
  } finally {
    clearInterval(timer);
    await store.release([grant], opts.owner).catch(() => undefined);
  }
}
