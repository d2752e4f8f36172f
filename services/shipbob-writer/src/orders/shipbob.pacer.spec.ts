import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SHIPBOB_ERROR, ShipbobClient, ShipbobRateLimitedError } from '@mlc/partners-shipbob-client';
import { DEMO_SEED, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { PartnerPolicy } from '@mlc/platform-partner-policy';
import { ordersSettings } from './orders.settings';
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
    await pacer.call(
      't1',
      () => rate,
      async () => undefined,
    );
    assert.equal(pacer.delayFor('t1'), 0);
    rate = { remainingCalls: 4, retryAfterMs: undefined, observedAt: c.now() };
    await pacer.call(
      't1',
      () => rate,
      async () => undefined,
    );
    assert.equal(pacer.delayFor('t1'), 12_000, '60 s / (4 + 1)');
    assert.equal(pacer.delayFor('t2'), 0, 'another tenant has its own budget');
    await pacer.call(
      't1',
      () => rate,
      async () => undefined,
    );
    assert.deepEqual(c.slept, [12_000]);
  });

  it('holds every call of the tenant for x-retry-after after a 429', async () => {
    const c = clock();
    const pacer = new ShipbobPacer({ windowMs: 60_000, paceBelow: 0, now: c.now, sleep: c.sleep });
    const rate: RateState = { remainingCalls: 0, retryAfterMs: 25_000, observedAt: c.now() };
    await assert.rejects(
      pacer.call(
        't1',
        () => rate,
        async () => {
          throw new ShipbobRateLimitedError(25_000, {});
        },
      ),
      /rate limit/,
    );
    assert.equal(pacer.delayFor('t1'), 25_000);
    await pacer.call(
      't1',
      () => ({ remainingCalls: 149, retryAfterMs: undefined, observedAt: c.now() }),
      async () => undefined,
    );
    assert.deepEqual(c.slept, [25_000]);
    assert.equal(pacer.delayFor('t1'), 0);
  });

  it('after a 429 with x-retry-after: 2 and x-remaining-calls: 0 waits 2 s, not a whole window (issue 14, item 6)', async () => {
    const c = clock();
    const pacer = new ShipbobPacer({
      windowMs: ordersSettings.shipbobRateWindowMs.default!,
      paceBelow: ordersSettings.shipbobPaceBelowCalls.default!,
      now: c.now,
      sleep: c.sleep,
    });
    const limited: RateState = { remainingCalls: 0, retryAfterMs: 2000, observedAt: c.now() };
    await assert.rejects(
      pacer.call(
        't1',
        () => limited,
        async () => {
          throw new ShipbobRateLimitedError(2000, {});
        },
      ),
      /rate limit/,
    );
    assert.equal(pacer.delayFor('t1'), 2000);
    await pacer.call(
      't1',
      () => ({ remainingCalls: 149, retryAfterMs: undefined, observedAt: c.now() }),
      async () => undefined,
    );
    assert.deepEqual(c.slept, [2000]);
  });

  it("waits exactly what the sandbox's x-retry-after says (measured on the sandbox clock), and the next call is let through", async () => {
    const sandbox = new ShipbobSandbox({ seed: 3, rateLimit: { limit: 1, windowMs: 2000 } });
    const { pat, channel } = sandbox.seedData(DEMO_SEED);
    const url = await sandbox.listen();
    try {
      const now = (): number => sandbox.now();
      // One attempt per call: this is the pacer's own handling of a 429 (a client under the default partner policy
      // would ride out a 2 s x-retry-after by itself, as the writer's clients do).
      const policy = new PartnerPolicy({ partner: 'SHIPBOB', maxAttempts: 1 });
      const client = new ShipbobClient({ baseUrl: url, channelId: channel.id, auth: { kind: 'pat', token: pat }, timeoutMs: 2000, now, policy });
      const slept: number[] = [];
      const pacer = new ShipbobPacer({
        windowMs: ordersSettings.shipbobRateWindowMs.default!,
        paceBelow: ordersSettings.shipbobPaceBelowCalls.default!,
        now,
        sleep: async (ms) => {
          slept.push(ms);
          sandbox.advanceClock(ms);
        },
      });
      // Another replica of the tenant spends the window's only call, so this one meets the 429.
      await new ShipbobClient({ baseUrl: url, channelId: channel.id, auth: { kind: 'pat', token: pat }, now }).listFulfillmentCenters();
      const err = await pacer
        .call(
          't1',
          () => client.rateLimit,
          () => client.listFulfillmentCenters(),
        )
        .then(
          () => assert.fail('expected a 429'),
          (e: unknown) => e as ShipbobRateLimitedError,
        );
      assert.equal(err.code, SHIPBOB_ERROR.RATE_LIMITED);
      assert.equal(sandbox.requests().at(-1)?.status, 429);
      assert.equal(err.retryAfterMs, 2000, 'x-retry-after: 2 (seconds) -> 2000 ms');
      const fcs = await pacer.call(
        't1',
        () => client.rateLimit,
        () => client.listFulfillmentCenters(),
      );
      assert.ok(fcs.length > 0);
      assert.equal(slept.length, 1);
      assert.ok(slept[0]! > 1900 && slept[0]! <= 2000, `waited ${slept[0]} ms on the sandbox clock`);
    } finally {
      await sandbox.close();
    }
  });
});
