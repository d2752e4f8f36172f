import { DecodeError, type DecodeFailureReason } from '@mlc/contracts';
import { backoffDelayMs, toAppError, type AppError, type BackoffPolicy } from '@mlc/platform-errors';
import { isHoldPartition, type HoldPartition } from './hold-partition';

/**
 * What EventConsumer does with a record whose handler threw, decided without touching Kafka (so every branch is
 * unit-tested in consumer.decisions.spec.ts):
 * - `hold`: the handler threw a HoldPartition: pause the partition at this record, leave it uncommitted.
 * - `retry`: a retryable AppError (or a transient network error) before the last attempt: run the handler again
 *   after `waitMs` (jittered exponential backoff; the partner's retry hint wins when longer).
 * - `park`: not retryable, or the last attempt failed: publish ops.exception.raised.v1 with the record's bytes, then
 *   commit.
 * - `redeliver`: the consumer is stopping and the error is retryable: leave the record uncommitted, so the next owner
 *   of the partition retries it instead of it being parked for a shutdown.
 */
export type HandlerFailureDecision =
  | { kind: 'hold'; hold: HoldPartition }
  | { kind: 'retry'; error: AppError; waitMs: number }
  | { kind: 'park'; error: AppError }
  | { kind: 'redeliver'; error: AppError };

export interface RetryPolicy {
  /** Attempts for retryable errors before the record is parked (the first run counts). */
  maxAttempts: number;
  backoff: BackoffPolicy;
}

export interface FailureContext {
  /** The attempt that just failed, from 1. */
  attempt: number;
  policy: RetryPolicy;
  /** The consumer is stopping (SIGTERM, rebuild). */
  stopping: boolean;
  /** Jitter source, [0, 1); tests pin it. */
  random?: () => number;
}

export function decideHandlerFailure(err: unknown, ctx: FailureContext): HandlerFailureDecision {
  if (isHoldPartition(err)) return { kind: 'hold', hold: err };
  const error = toAppError(err);
  if (error.retryable && ctx.stopping) return { kind: 'redeliver', error };
  if (!error.retryable || ctx.attempt >= ctx.policy.maxAttempts) return { kind: 'park', error };
  return { kind: 'retry', error, waitMs: backoffDelayMs(ctx.attempt, ctx.policy.backoff, error.retryAfterMs, ctx.random) };
}

/** A record that cannot be decoded never blocks its partition: it goes, raw, to `<topic>.dlq` with this reason. */
export interface DeadLetterDecision {
  kind: 'dead-letter';
  reason: DecodeFailureReason;
  message: string;
}

export function decideUndecodable(err: unknown): DeadLetterDecision {
  const reason: DecodeFailureReason = err instanceof DecodeError ? err.reason : 'UNDECODABLE';
  return { kind: 'dead-letter', reason, message: (err instanceof Error ? err.message : String(err)).slice(0, 1000) };
}

/** The record's value is missing (a tombstone or an empty write): dead-lettered like any undecodable record. */
export function emptyValueError(): DecodeError {
  return new DecodeError('NOT_SINGLE_OBJECT', 'empty record value');
}
