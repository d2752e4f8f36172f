const HOLD = Symbol.for('mlc.hold-partition');

/**
 * Thrown by a handler to hold its record in Kafka until `until` resolves, without blocking other partitions: the
 * EventConsumer pauses fetching from the record's partition (kafkajs consumer.pause), leaves the record uncommitted,
 * seeks back to it and resumes the partition once `until` resolves (or the consumer stops), so the record is read and
 * handled again then. Nothing is parked, nothing is retried meanwhile, and the other partitions keep flowing; records
 * behind the held one in the same partition wait with it (per-key order is kept). Used by flow control (a paused
 * tenant flow) — a partition is the smallest unit Kafka can hold.
 */
export class HoldPartition extends Error {
  readonly [HOLD] = true;

  constructor(
    readonly reason: string,
    /** Resolves when the record may be handled again; the signal aborts when the consumer stops or is rebuilt. */
    readonly until: (signal: AbortSignal) => Promise<unknown>,
  ) {
    super(reason);
    this.name = 'HoldPartition';
  }
}

/** True for a HoldPartition, also across copies of this module. */
export function isHoldPartition(err: unknown): err is HoldPartition {
  return typeof err === 'object' && err !== null && (err as { [HOLD]?: boolean })[HOLD] === true;
}
