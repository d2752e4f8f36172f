import type { Kafka } from 'kafkajs';
import type { Client, Pool, QueryResultRow } from 'pg';
import { waitFor } from './wait-for';

interface WaitOptions {
  timeoutMs?: number;
  what?: string;
}

/**
 * How many records of `topics` consumer group `groupId` has not committed yet (sum over partitions of the end offset
 * minus the committed one; a partition the group never committed counts from its first record).
 */
export async function consumerLag(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await lagWith(admin, groupId, topics);
  } finally {
    await admin.disconnect();
  }
}

async function lagWith(admin: ReturnType<Kafka['admin']>, groupId: string, topics: readonly string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  let lag = 0;
  for (const topic of topics) {
    const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const at = Number(done.find((d) => d.partition === p.partition)?.offset ?? -1);
      lag += Number(p.high) - (at < 0 ? Number(p.low) : at);
    }
  }
  return lag;
}

/**
 * Waits until consumer group `groupId` has committed every record now on `topics` (lag 0): whatever it does with a
 * record (rows written, records published: our consumers publish before they commit) is done. The barrier for "and
 * nothing else happens": publish the record, wait for lag 0, then assert that no second write or message came.
 */
export async function waitForLagZero(kafka: Kafka, groupId: string, topics: readonly string[], opts: WaitOptions = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let last = -1;
    await waitFor(
      async () => {
        last = await lagWith(admin, groupId, topics);
        return last === 0;
      },
      {
        timeoutMs: opts.timeoutMs ?? 30_000,
        intervalMs: 100,
        what: () => `${opts.what ?? `group ${groupId} to catch up on ${topics.join(', ')}`} (lag ${last})`,
      },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Waits until `sql` returns at least one row (`until` narrows it further) and resolves with the rows. */
export async function waitForRows<R extends QueryResultRow>(
  pg: Client | Pool,
  sql: string,
  params: unknown[] = [],
  opts: WaitOptions & { until?: (rows: R[]) => boolean } = {},
): Promise<R[]> {
  return waitFor(
    async () => {
      const { rows } = await pg.query<R>(sql, params);
      return rows.length > 0 && (opts.until?.(rows) ?? true) ? rows : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 20_000, what: opts.what ?? `rows from ${sql}` },
  );
}

/** A partner sandbox's request log, as `SandboxServer.requests()` keeps it (a request is logged once answered). */
export interface LoggedRequestLike {
  seq: number;
  method: string;
  path: string;
  query: string;
  status: number;
}

/**
 * Waits until `count` more answered requests that `match` have reached `sandbox` after this call: the barrier for a
 * poller's "nothing more comes", e.g. two more first pages of a feed mean one whole poll cycle ran after the change.
 */
export async function waitForRequests(
  sandbox: { requests(): readonly LoggedRequestLike[] },
  match: (r: LoggedRequestLike) => boolean,
  count = 1,
  opts: WaitOptions = {},
): Promise<void> {
  const log = sandbox.requests();
  const from = log.length ? log[log.length - 1]!.seq : 0;
  await waitFor(() => sandbox.requests().filter((r) => r.seq > from && match(r)).length >= count, {
    timeoutMs: opts.timeoutMs ?? 20_000,
    what: opts.what ?? `${count} more matching requests in the sandbox log`,
  });
}
