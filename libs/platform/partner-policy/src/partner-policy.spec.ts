import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@mlc/platform-errors';
import { CircuitOpenError, PartnerPolicy, type RequestKind } from './partner-policy';
import { parseRetryAfter, retryAfterMsFromHeaders } from './retry-after';

/** A simulated clock: the policy's waits move it instead of passing (the fast tier stays fast). */
class Clock {
  t = Date.parse('2026-12-07T06:00:00.000Z');
  waits: number[] = [];
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.t += ms;
  };
}

/** An in-process partner: each request is answered by the next scripted answer (the last one repeats). */
class ScriptedPartner {
  /** Arrival times on the simulated clock when one is set, else real time. */
  clock: Clock | undefined;
  private server!: Server;
  url = '';
  arrivals: number[] = [];
  script: Array<(res: ServerResponse) => void> = [];

  async start(): Promise<void> {
    this.server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      this.arrivals.push(this.clock ? this.clock.now() : Date.now());
      const answer = this.script[Math.min(this.arrivals.length - 1, this.script.length - 1)];
      answer?.(res);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/thing`;
  }

  reset(...script: Array<(res: ServerResponse) => void>): void {
    this.arrivals = [];
    this.clock = undefined;
    this.script = script;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const ok = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
const status =
  (code: number, headers: Record<string, string> = {}) =>
  (res: ServerResponse) =>
    res.writeHead(code, headers).end('{}');

/** The smallest partner client: one fetch per attempt, answers turned into AppErrors the way the real clients do. */
async function call(policy: PartnerPolicy, url: string, kind: RequestKind, key = 'acme:test', now: () => number = Date.now): Promise<unknown> {
  return policy.execute(key, { name: 'GET /thing', kind }, async (signal) => {
    let res: Response;
    try {
      res = await fetch(url, { method: kind === 'once' ? 'POST' : 'GET', signal });
    } catch (err) {
      throw new AppError('TEST.UNAVAILABLE', 'unreachable', { retryable: true, cause: err });
    }
    const body = await res.text();
    const retryAfterMs = retryAfterMsFromHeaders(res.headers, now());
    if (res.status === 429) throw new AppError('TEST.RATE_LIMITED', 'slow down', { retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    if (res.status >= 500)
      throw new AppError('TEST.UNAVAILABLE', `answered ${res.status}`, { retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    if (res.status >= 400) throw new AppError('TEST.REJECTED', `answered ${res.status}`);
    return JSON.parse(body) as unknown;
  });
}

const fast = { backoff: { baseMs: 10, maxMs: 20 }, minAttemptMs: 50 };

describe('PartnerPolicy', () => {
  const partner = new ScriptedPartner();
  before(() => partner.start());
  after(() => partner.stop());

  it('reads Retry-After as seconds or an HTTP-date, and x-retry-after as seconds; the longest hint wins', () => {
    const now = Date.parse('2026-12-07T06:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('Mon, 07 Dec 2026 06:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Mon, 07 Dec 2026 05:59:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon-ish 12', now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
    assert.equal(retryAfterMsFromHeaders(new Headers({ 'x-retry-after': '7', 'retry-after': '2' }), now), 7000);
    assert.equal(retryAfterMsFromHeaders(new Headers({}), now), undefined);
  });

  it('honours Retry-After in seconds: the retry is not sent sooner than told', async () => {
    partner.reset(status(429, { 'retry-after': '3' }), ok);
    const clock = (partner.clock = new Clock());
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast, now: clock.now, sleep: clock.sleep });
    assert.deepEqual(await call(policy, partner.url, 'idempotent', 'acme:test', clock.now), { ok: true });
    assert.equal(partner.arrivals.length, 2);
    assert.ok(partner.arrivals[1]! - partner.arrivals[0]! >= 3000, `waited ${partner.arrivals[1]! - partner.arrivals[0]!} ms`);
  });

  it('honours Retry-After in seconds in real time too (no simulated clock)', async () => {
    partner.reset(status(429, { 'retry-after': '1' }), ok);
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast });
    assert.deepEqual(await call(policy, partner.url, 'idempotent'), { ok: true });
    assert.ok(partner.arrivals[1]! - partner.arrivals[0]! >= 1000, `waited ${partner.arrivals[1]! - partner.arrivals[0]!} ms`);
  });

  it('honours Retry-After as an HTTP-date: the retry arrives at or after that date', async () => {
    partner.reset((res) => status(503, { 'retry-after': new Date(clock.now() + 5_000).toUTCString() })(res), ok);
    const clock = (partner.clock = new Clock());
    const date = clock.now() + 5_000;
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast, now: clock.now, sleep: clock.sleep });
    assert.deepEqual(await call(policy, partner.url, 'idempotent', 'acme:test', clock.now), { ok: true });
    assert.equal(partner.arrivals.length, 2);
    assert.ok(partner.arrivals[1]! >= date, `retried ${date - partner.arrivals[1]!} ms before the date`);
  });

  it("honours ShipBob's x-retry-after (seconds), also on a request that must not be repeated (a 429 was not acted on)", async () => {
    partner.reset(status(429, { 'x-retry-after': '4', 'x-remaining-calls': '0' }), ok);
    const clock = (partner.clock = new Clock());
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast, now: clock.now, sleep: clock.sleep });
    assert.deepEqual(await call(policy, partner.url, 'once', 'acme:test', clock.now), { ok: true });
    assert.ok(partner.arrivals[1]! - partner.arrivals[0]! >= 4000);
  });

  it('never repeats a non-idempotent request without a key after a failure it may have acted on (503)', async () => {
    partner.reset(status(503), ok);
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast });
    await assert.rejects(call(policy, partner.url, 'once'), (e: AppError) => e.code === 'TEST.UNAVAILABLE' && e.retryable);
    assert.equal(partner.arrivals.length, 1);
    partner.reset(status(503), ok);
    assert.deepEqual(await call(policy, partner.url, 'idempotent'), { ok: true });
    assert.equal(partner.arrivals.length, 2);
  });

  it('does not retry what is not retryable (a 400)', async () => {
    partner.reset(status(400), ok);
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast });
    await assert.rejects(call(policy, partner.url, 'idempotent'), (e: AppError) => e.code === 'TEST.REJECTED');
    assert.equal(partner.arrivals.length, 1);
  });

  it('bounds the total time: a hint longer than the budget is handed to the caller (retryAfterMs) instead of waited for', async () => {
    partner.reset(status(429, { 'retry-after': '30' }), ok);
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast, maxTotalMs: 2_000 });
    const started = Date.now();
    await assert.rejects(call(policy, partner.url, 'idempotent'), (e: AppError) => e.code === 'TEST.RATE_LIMITED' && e.retryAfterMs === 30_000);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(partner.arrivals.length, 1);
  });

  it('bounds the total time when the partner hangs: attempts are cut to what is left of the budget', async () => {
    partner.reset(() => undefined); // never answers
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast, maxTotalMs: 600, attemptTimeoutMs: 250, maxAttempts: 10 });
    const started = Date.now();
    await assert.rejects(call(policy, partner.url, 'idempotent'), (e: AppError) => e.code === 'TEST.UNAVAILABLE');
    const took = Date.now() - started;
    assert.ok(took < 1_300, `took ${took} ms (10 attempts unbounded would take 2.5 s)`);
    assert.ok(partner.arrivals.length >= 1 && partner.arrivals.length <= 3);
  });

  it('opens the circuit after repeated failures (fail fast, retryable, no request sent), half-opens after the pause and closes on success', async () => {
    partner.reset(status(503));
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast, maxAttempts: 1, circuitThreshold: 3, circuitOpenMs: 300 });
    for (let i = 0; i < 3; i++) await assert.rejects(call(policy, partner.url, 'idempotent'), (e: AppError) => e.code === 'TEST.UNAVAILABLE');
    assert.equal(policy.circuitState('acme:test'), 'open');
    await assert.rejects(
      call(policy, partner.url, 'idempotent'),
      (e: AppError) => e instanceof CircuitOpenError && e.retryable && e.code === 'TEST.UNAVAILABLE' && (e.retryAfterMs ?? 0) > 0,
    );
    assert.equal(partner.arrivals.length, 3, 'nothing sent while open');
    // another tenant's circuit is its own
    partner.reset(ok);
    assert.deepEqual(await call(policy, partner.url, 'idempotent', 'other:test'), { ok: true });
    // after the pause one trial call goes through; a failure opens it again at once
    await new Promise((r) => setTimeout(r, 350)); // the thing under test: the circuit's open period (circuitOpenMs 300)
    partner.reset(status(503));
    await assert.rejects(call(policy, partner.url, 'idempotent'), (e: AppError) => !(e instanceof CircuitOpenError));
    assert.equal(partner.arrivals.length, 1);
    assert.equal(policy.circuitState('acme:test'), 'open');
    await new Promise((r) => setTimeout(r, 350)); // the open period again, after the failed trial
    partner.reset(ok);
    assert.deepEqual(await call(policy, partner.url, 'idempotent'), { ok: true });
    assert.equal(policy.circuitState('acme:test'), 'closed');
  });

  it('rate limits neither open the circuit nor count as failures', async () => {
    partner.reset(status(429, { 'retry-after': '0' }));
    const policy = new PartnerPolicy({ partner: 'TEST', ...fast, maxAttempts: 1, circuitThreshold: 2 });
    for (let i = 0; i < 4; i++) await assert.rejects(call(policy, partner.url, 'idempotent'), (e: AppError) => e.code === 'TEST.RATE_LIMITED');
    assert.equal(policy.circuitState('acme:test'), 'closed');
  });
});
