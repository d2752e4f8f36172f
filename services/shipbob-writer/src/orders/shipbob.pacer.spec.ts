import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShipbobRateLimitedError } from '@mlc/partners-shipbob-client';
import { ShipbobPacer, type RateState } from './shipbob.pacer';

function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('ShipbobPacer', () => {
  it('does not wait while plenty of calls are left, spreads the rest over the window when they run low', async () => {
    const c = clock();
    const pacer = new ShipbobPacer({ windowMs: 60_000, paceBelow: 10, now: c.now, sleep: c.sleep });
    let rate: RateState = { remainingCalls: 100, retryAfterMs: undefined, observedAt: c.now() };
    await pacer.call('t1', () => rate, async () => undefined);
    assert.equal(pacer.delayFor('t1'), 0);
    rate = { remainingCalls: 4, retryAfterMs: undefined, observedAt: c.now() };
    await pacer.call('t1', () => rate, async () => undefined);
    assert.equal(pacer.delayFor('t1'), 12_000, '60 s / (4 + 1)');
    assert.equal(pacer.delayFor('t2'), 0, 'another tenant has its own budget');
    await pacer.call('t1', () => rate, async () => undefined);
    assert.deepEqual(c.slept, [12_000]);
  });

  it('holds every call of the tenant for x-retry-after after a 429', async () => {
    const c = clock();
    const pacer = new ShipbobPacer({ windowMs: 60_000, paceBelow: 0, now: c.now, sleep: c.sleep });
    const rate: RateState = { remainingCalls: 0, retryAfterMs: 25_000, observedAt: c.now() };
    await assert.rejects(
      pacer.call('t1', () => rate, async () => {
        throw new ShipbobRateLimitedError(25_000, {});
      }),
      /rate limit/,
    );
    assert.equal(pacer.delayFor('t1'), 25_000);
    await pacer.call('t1', () => ({ remainingCalls: 149, retryAfterMs: undefined, observedAt: c.now() }), async () => undefined);
    assert.deepEqual(c.slept, [25_000]);
    assert.equal(pacer.delayFor('t1'), 0);
  });
});
