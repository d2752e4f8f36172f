import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '@mlc/contracts';
import { AppError } from '@mlc/platform-errors';
import { decideHandlerFailure, decideUndecodable, emptyValueError, type FailureContext } from './consumer.decisions';
import { HoldPartition } from './hold-partition';

const policy = { maxAttempts: 3, backoff: { baseMs: 200, maxMs: 1_000 } };
const at = (attempt: number, more: Partial<FailureContext> = {}): FailureContext => ({ attempt, policy, stopping: false, random: () => 0, ...more });
const retryable = (retryAfterMs?: number) => new AppError('SHIPBOB.RATE_LIMITED', 'slow down', { retryable: true, retryAfterMs });
const permanent = () => new AppError('MAPPING.MISSING', 'no product for SKU-1');

describe('consumer decisions: a handler that threw', () => {
  it('holds the partition on a HoldPartition, whatever the attempt or stopping', () => {
    const hold = new HoldPartition('flow paused', async () => undefined);
    for (const ctx of [at(1), at(3), at(1, { stopping: true })]) {
      const d = decideHandlerFailure(hold, ctx);
      assert.equal(d.kind, 'hold');
      assert.equal(d.kind === 'hold' && d.hold, hold);
    }
  });

  it('retries a retryable error before the last attempt, waiting the jittered exponential backoff', () => {
    // attempt n waits between half and all of min(max, base * 2^(n-1)); random 0 gives the half.
    assert.deepEqual(decideHandlerFailure(retryable(), at(1)), { kind: 'retry', error: retryable(), waitMs: 100 });
    assert.deepEqual(decideHandlerFailure(retryable(), at(2)), { kind: 'retry', error: retryable(), waitMs: 200 });
    const full = decideHandlerFailure(retryable(), at(2, { random: () => 0.999999 }));
    assert.equal(full.kind === 'retry' && full.waitMs, 400);
    const capped = decideHandlerFailure(retryable(), {
      attempt: 9,
      policy: { maxAttempts: 10, backoff: policy.backoff },
      stopping: false,
      random: () => 0.999999,
    });
    assert.equal(capped.kind === 'retry' && capped.waitMs, 1_000);
  });

  it("waits the partner's retry hint when it is longer than the backoff", () => {
    const d = decideHandlerFailure(retryable(30_000), at(1));
    assert.equal(d.kind, 'retry');
    assert.equal(d.kind === 'retry' && d.waitMs, 30_000);
  });

  it('parks a retryable error once the last attempt failed', () => {
    const d = decideHandlerFailure(retryable(), at(3));
    assert.equal(d.kind, 'park');
    assert.equal(d.kind === 'park' && d.error.code, 'SHIPBOB.RATE_LIMITED');
    assert.equal(decideHandlerFailure(retryable(), at(4)).kind, 'park');
  });

  it('parks a non-retryable error at once, keeping its code', () => {
    const d = decideHandlerFailure(permanent(), at(1));
    assert.equal(d.kind, 'park');
    assert.equal(d.kind === 'park' && d.error.code, 'MAPPING.MISSING');
  });

  it('classifies plain errors: a dropped connection is retried, anything else parked as UNEXPECTED', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const r = decideHandlerFailure(reset, at(1));
    assert.equal(r.kind, 'retry');
    assert.equal(r.kind === 'retry' && r.error.code, 'CONNECTION');
    const bug = decideHandlerFailure(new TypeError("Cannot read properties of undefined (reading 'lines')"), at(1));
    assert.equal(bug.kind, 'park');
    assert.equal(bug.kind === 'park' && bug.error.code, 'UNEXPECTED');
    const thrownString = decideHandlerFailure('boom', at(1));
    assert.equal(thrownString.kind === 'park' && thrownString.error.message, 'boom');
  });

  it('leaves a retryable failure uncommitted for the next owner while stopping, even on the last attempt', () => {
    assert.equal(decideHandlerFailure(retryable(), at(1, { stopping: true })).kind, 'redeliver');
    assert.equal(decideHandlerFailure(retryable(), at(3, { stopping: true })).kind, 'redeliver');
  });

  it('still parks a non-retryable failure while stopping (running it again cannot help)', () => {
    assert.equal(decideHandlerFailure(permanent(), at(1, { stopping: true })).kind, 'park');
  });

  it('uses the real jitter when none is given: within [half, all] of the ceiling', () => {
    for (let i = 0; i < 50; i++) {
      const d = decideHandlerFailure(retryable(), { attempt: 2, policy, stopping: false });
      assert.ok(d.kind === 'retry' && d.waitMs >= 200 && d.waitMs <= 400, JSON.stringify(d));
    }
  });
});

describe('consumer decisions: a record that does not decode', () => {
  it("dead-letters with the codec's reason", () => {
    for (const reason of ['NOT_SINGLE_OBJECT', 'UNKNOWN_FINGERPRINT', 'WRONG_RECORD', 'UNDECODABLE'] as const) {
      assert.deepEqual(decideUndecodable(new DecodeError(reason, `bad: ${reason}`)), { kind: 'dead-letter', reason, message: `bad: ${reason}` });
    }
  });

  it('dead-letters an empty value as not single-object encoded', () => {
    assert.deepEqual(decideUndecodable(emptyValueError()), { kind: 'dead-letter', reason: 'NOT_SINGLE_OBJECT', message: 'empty record value' });
  });

  it('dead-letters any other failure as UNDECODABLE, the message cut to 1000 characters', () => {
    const d = decideUndecodable(new RangeError('x'.repeat(5000)));
    assert.equal(d.reason, 'UNDECODABLE');
    assert.equal(d.message.length, 1000);
    assert.equal(decideUndecodable(42).message, '42');
  });
});
