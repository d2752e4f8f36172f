import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleSessions } from './console.sessions';

const who = { keyId: 'key#00000000', tenant: '*', actor: 'Ada (key#00000000)' };

describe('ConsoleSessions', () => {
  it('hands out opaque ids and CSRF tokens that differ per session and never contain the key', () => {
    const s = new ConsoleSessions(60_000, 30_000);
    const a = s.create('secret-operator-key', who, 'Ada');
    const b = s.create('secret-operator-key', who, 'Ada');
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.csrf, b.csrf);
    assert.ok(a.id.length >= 40 && !a.id.includes('secret'));
    assert.equal(s.get(a.id)?.key, 'secret-operator-key');
    assert.equal(s.get('not-a-session'), undefined);
    assert.equal(s.get(undefined), undefined);
  });

  it('ends a session when idle too long, and at its lifetime even when used', () => {
    let now = 0;
    const s = new ConsoleSessions(60_000, 10_000, () => now);
    const idle = s.create('k', who, 'Ada');
    now = 10_000;
    assert.equal(s.get(idle.id), undefined, 'idle for 10 s');

    const busy = s.create('k', who, 'Ada');
    for (now = 10_000; now < 70_000; now += 5_000) assert.ok(s.get(busy.id), `used at ${now}`);
    now = 70_000;
    assert.equal(s.get(busy.id), undefined, 'past its lifetime');
  });

  it('ends a session at sign-out', () => {
    const s = new ConsoleSessions(60_000, 10_000);
    const a = s.create('k', who, 'Ada');
    s.delete(a.id);
    assert.equal(s.get(a.id), undefined);
    assert.equal(s.size, 0);
  });
});
