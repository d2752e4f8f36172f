import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';
import { AppError } from '@mlc/platform-errors';

/** How long a write waits for another replica's write of the same document before it backs off and is retried. */
const DEFAULT_WAIT_MS = 30_000;

/**
 * Claims on partner writes across replicas: a PostgreSQL session advisory lock per document (or entity) held from the
 * ledger check through the partner create to the ledger row that records it. Kafka gives a record to one consumer at
 * a time only while that consumer keeps its group membership: a replica starved of CPU past its session timeout, or
 * one still busy when a rebalance ends, goes on with a record whose partition another replica already reads again.
 * Both would look the document up, find nothing and create it. With the claim the second waits, then finds the
 * first's ledger row (or the document in the partner) and creates nothing.
 *
 * The lock is the session's, so a replica killed mid-write frees it at once (PostgreSQL ends the session); the next
 * holder looks the document up before creating, as after any crash. Claims nest: a name already held in this async
 * context is not claimed again (an invoice's claim on its order, then on its customer, while a customer command holds
 * only the customer's). Claim names in one context are always taken in the same order (order before customer).
 */
export class WriteClaims {
  private readonly held = new AsyncLocalStorage<ReadonlySet<string>>();

  constructor(
    private readonly pool: Pool,
    private readonly waitMs = DEFAULT_WAIT_MS,
  ) {}

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const held = this.held.getStore();
    if (held?.has(name)) return fn();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (err: Error): void => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await this.lock(client, name);
    } catch (err) {
      client.off('error', onError);
      client.release(err as Error);
      throw err;
    }
    try {
      return await this.held.run(new Set([...(held ?? []), name]), fn);
    } finally {
      try {
        if (!broken) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
      } catch (err) {
        broken = err as Error;
      }
      client.off('error', onError);
      // A session that lost its connection (or could not unlock) is not given back: ending it frees the lock.
      client.release(broken);
    }
  }

  private async lock(client: PoolClient, name: string): Promise<void> {
    try {
      await client.query(`SET lock_timeout = ${Math.max(1, Math.round(this.waitMs))}`);
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [name]);
      await client.query('SET lock_timeout = 0');
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      throw new AppError('FUSION_WRITER.WRITE_IN_PROGRESS', `another replica is writing ${name}; retried once it is done`, {
        retryable: true,
        retryAfterMs: 1_000,
        details: { claim: name },
      });
    }
  }
}
