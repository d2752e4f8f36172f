import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxHttpError, SandboxServer } from './sandbox.server';
import { WebhookDispatcher } from './webhook.dispatcher';

describe('SandboxServer', () => {
  const sandbox = new SandboxServer('test', 42);
  let url = '';
  before(async () => {
    sandbox.route('GET', '/things/:id', (req) => ({ status: 200, body: { id: req.params['id'] } }));
    sandbox.route('POST', '/things', (req) => {
      const body = req.json<{ name?: string }>();
      if (!body.name) throw new SandboxHttpError(422, { error: 'name is required' });
      return { status: 201, body };
    });
    url = await sandbox.listen();
  });
  after(() => sandbox.close());

  it('routes with params and logs requests with secrets redacted', async () => {
    const res = await fetch(`${url}/things/a%20b`, { headers: { authorization: 'Bearer secret-token' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: 'a b' });
    const logged = sandbox.requests().at(-1)!;
    assert.equal(logged.path, '/things/a%20b');
    assert.equal(logged.headers['authorization'], '[redacted]');
  });

  it('answers partner errors, 404 and 405 distinctly', async () => {
    const bad = await fetch(`${url}/things`, { method: 'POST', body: '{}' });
    assert.equal(bad.status, 422);
    assert.deepEqual(await bad.json(), { error: 'name is required' });
    assert.equal((await fetch(`${url}/nothing`)).status, 404);
    assert.equal((await fetch(`${url}/things/1`, { method: 'DELETE' })).status, 405);
    const notJson = await fetch(`${url}/things`, { method: 'POST', body: 'nope' });
    assert.equal(notJson.status, 400);
  });

  it('applies a 429 storm and an outage through the admin API, then recovers', async () => {
    await fetch(`${url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ rateLimitUntil: Date.now() + 60_000, rateLimitRetryAfterSec: 3 }),
    });
    const limited = await fetch(`${url}/things/1`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    await fetch(`${url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ outageFrom: Date.now() - 1, outageUntil: Date.now() + 60_000 }),
    });
    assert.equal((await fetch(`${url}/things/1`)).status, 503);
    await fetch(`${url}/__admin/faults`, { method: 'POST', body: '{}' });
    assert.equal((await fetch(`${url}/things/1`)).status, 200);
  });
});

describe('WebhookDispatcher', () => {
  it('retries on the scaled schedule until a 2xx, recording every attempt', async () => {
    let calls = 0;
    const receiver = createServer((req, res) => {
      calls += 1;
      res.writeHead(calls < 3 ? 500 : 200).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    const d = new WebhookDispatcher({ retryScheduleSec: [10, 60, 600], timeoutSec: 5, timeScale: 1000 });
    d.send({ id: 'w1', topic: 't', url: `http://127.0.0.1:${port}/hook`, body: '{}', headers: () => ({}) });
    await d.idle();
    receiver.close();
    assert.deepEqual(
      d.attempts.map((a) => a.status),
      [500, 500, 200],
    );
  });
});
