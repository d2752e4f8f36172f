import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryAccessToken } from './memory-access-token';

describe('memoryAccessToken (one-off clients)', () => {
  it('shares one grant between concurrent callers, renews before expiry and on a forced refresh', async () => {
    let t = 0;
    let grants = 0;
    const source = memoryAccessToken(
      async () => {
        grants++;
        await new Promise((r) => setImmediate(r));
        return { accessToken: `tok-${grants}`, expiresInMs: 3_600_000 };
      },
      { skewMs: 60_000, now: () => t },
    );
    assert.deepEqual(await Promise.all([source(false), source(false), source(false)]), ['tok-1', 'tok-1', 'tok-1']);
    assert.equal(grants, 1);
    t = 3_600_000 - 60_001;
    assert.equal(await source(false), 'tok-1');
    t = 3_600_000 - 59_999;
    assert.equal(await source(false), 'tok-2', 'renewed inside the skew');
    assert.equal(await source(true), 'tok-3', 'forced after a 401');
    assert.equal(grants, 3);
  });

  it('starts from an initial token and keeps nothing when a grant fails', async () => {
    let fail = true;
    const source = memoryAccessToken(
      async () => {
        if (fail) throw new Error('refused');
        return { accessToken: 'granted' };
      },
      { initial: { accessToken: 'static' } },
    );
    assert.equal(await source(false), 'static');
    await assert.rejects(source(true), /refused/);
    fail = false;
    assert.equal(await source(false), 'granted');
  });
});
