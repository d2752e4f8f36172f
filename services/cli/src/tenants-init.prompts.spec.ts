import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Asker } from './tenants-init.prompts';

describe('init prompts', () => {
  it('on a terminal, echoes a typed answer but not a typed secret', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    let shown = '';
    const q = new Asker(input, (t) => (shown += t));
    const name = q.ask('Client id', { def: 'MLC_INTEGRATION' });
    input.write('visible-id\r');
    assert.equal(await name, 'visible-id');
    const secret = q.ask('Client secret', { secret: true });
    input.write('hunter2-secret\r');
    assert.equal(await secret, 'hunter2-secret');
    q.close();
    assert.match(shown, /Client id \[MLC_INTEGRATION\]: /);
    assert.match(shown, /visible-id/, 'an ordinary answer is echoed');
    assert.match(shown, /Client secret \(not shown\): /);
    assert.ok(!shown.includes('hunter2'), 'the secret is not echoed');
  });

  it('from a pipe: defaults on empty lines, choices re-asked, a clear error when the answers run out', async () => {
    const input = new PassThrough();
    let shown = '';
    const q = new Asker(input, (t) => (shown += t));
    input.end('\nstaging\ndemo\n');
    assert.equal(await q.ask('Tenant name', { def: 'acme' }), 'acme');
    assert.equal(await q.choose('Mode', ['live', 'demo'] as const, 'live'), 'demo');
    assert.match(shown, /please answer one of: live, demo/);
    await assert.rejects(q.ask('Fusion base URL'), /the input ended before every question was answered \(at "Fusion base URL"\); nothing was written/);
    q.close();
  });
});
