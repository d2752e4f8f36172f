import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { AppError } from '@mlc/platform-errors';
import { SecretBox } from '../crypto/secret-box';
import { createTenantsDataSource } from '../data-source';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { TokenManager, type TokenSource } from './token-manager';

/**
 * A tiny OAuth token endpoint that rotates refresh tokens like ShipBob: each refresh token works once, a reused
 * one gets 400 invalid_grant. It counts calls.
 */
class FakeTokenEndpoint {
  calls = 0;
  private valid = new Set<string>(['refresh-0']);
  private n = 0;
  private server: Server | undefined;
  url = '';
  expiresIn = 3600;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.calls += 1;
        const form = new URLSearchParams(body);
        const rt = form.get('refresh_token') ?? '';
        // Answer a little later so both replicas are surely waiting at the same time.
        setTimeout(() => {
          if (!this.valid.has(rt)) {
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
            return;
          }
          this.valid.delete(rt);
          this.n += 1;
          const next = `refresh-${this.n}`;
          this.valid.add(next);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ access_token: `access-${this.n}`, token_type: 'Bearer', expires_in: this.expiresIn, refresh_token: next }));
        }, 50);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/connect/token`;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

function source(endpoint: FakeTokenEndpoint, key: string): TokenSource {
  return {
    key,
    initialRefreshToken: 'refresh-0',
    fetch: async ({ refreshToken }) => {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken ?? '' }),
      });
      if (res.status !== 200) throw new AppError('SHIPBOB.TOKEN_REFUSED', `token endpoint answered ${res.status}`, { details: { status: res.status } });
      const b = (await res.json()) as { access_token: string; expires_in: number; refresh_token: string };
      return { accessToken: b.access_token, expiresInMs: b.expires_in * 1000, refreshToken: b.refresh_token };
    },
  };
}

describe('TokenManager against real Postgres', () => {
  let db: TestDatabase;
  let ds1: DataSource;
  let ds2: DataSource;
  const box = new SecretBox(SecretBox.generateKey('k1'));
  let clock = Date.now();
  const now = () => clock;

  before(async () => {
    db = await testDatabase('tenants_tokens');
    ds1 = createTenantsDataSource(db.url);
    ds2 = createTenantsDataSource(db.url);
    await ds1.initialize();
    await ds2.initialize();
  });
  after(async () => {
    await ds1?.destroy();
    await ds2?.destroy();
    await db?.drop();
  });

  it('two replicas refreshing at once make exactly one token call and share its result', async () => {
    const endpoint = new FakeTokenEndpoint();
    await endpoint.start();
    try {
      const a = new TokenManager({ dataSource: ds1, secretBox: box, now });
      const b = new TokenManager({ dataSource: ds2, secretBox: box, now });
      const [t1, t2] = await Promise.all([a.getToken(source(endpoint, 'acme:shipbob')), b.getToken(source(endpoint, 'acme:shipbob'))]);
      assert.equal(endpoint.calls, 1);
      assert.equal(t1, 'access-1');
      assert.equal(t2, 'access-1');
      // Stored sealed: the table holds neither token in clear.
      const [row] = (await ds1.query(`SELECT ciphertext, key_id FROM partner_tokens WHERE cache_key = 'acme:shipbob'`)) as Array<{
        ciphertext: string;
        key_id: string;
      }>;
      assert.equal(row?.key_id, 'k1');
      assert.ok(!row!.ciphertext.includes('access-1') && !row!.ciphertext.includes('refresh-1'));

      // Near expiry (inside the margin) both refresh again: still one call, continuing the rotated chain.
      clock += 3600_000 - 30_000;
      const [t3, t4] = await Promise.all([a.getToken(source(endpoint, 'acme:shipbob')), b.getToken(source(endpoint, 'acme:shipbob'))]);
      assert.equal(endpoint.calls, 2);
      assert.deepEqual([t3, t4], ['access-2', 'access-2']);
      // Many concurrent callers in one replica: still served from memory.
      await Promise.all(Array.from({ length: 20 }, () => a.getToken(source(endpoint, 'acme:shipbob'))));
      assert.equal(endpoint.calls, 2);
    } finally {
      await endpoint.stop();
    }
  });

  it('withToken retries once with a fresh token after a 401, and only once', async () => {
    const endpoint = new FakeTokenEndpoint();
    await endpoint.start();
    try {
      const tm = new TokenManager({ dataSource: ds1, secretBox: box, now });
      const src = source(endpoint, 'beta:shipbob');
      const seen: string[] = [];
      const result = await tm.withToken(src, async (token) => {
        seen.push(token);
        if (token === 'access-1') throw Object.assign(new Error('unauthorized'), { status: 401 });
        return `ok with ${token}`;
      });
      assert.equal(result, 'ok with access-2');
      assert.deepEqual(seen, ['access-1', 'access-2']);
      assert.equal(endpoint.calls, 2);

      let attempts = 0;
      await assert.rejects(
        tm.withToken(src, async () => {
          attempts += 1;
          throw new AppError('SHIPBOB.UNAUTHORIZED', 'still 401');
        }),
        /still 401/,
      );
      assert.equal(attempts, 2);

      // A non-401 failure is not retried.
      let other = 0;
      await assert.rejects(
        tm.withToken(src, async () => {
          other += 1;
          throw new AppError('SHIPBOB.SERVER_ERROR', 'boom', { details: { status: 500 } });
        }),
        /boom/,
      );
      assert.equal(other, 1);
    } finally {
      await endpoint.stop();
    }
  });

  it('a replica whose token was already replaced by another takes the new one instead of refreshing', async () => {
    const endpoint = new FakeTokenEndpoint();
    await endpoint.start();
    try {
      const a = new TokenManager({ dataSource: ds1, secretBox: box, now });
      const b = new TokenManager({ dataSource: ds2, secretBox: box, now });
      const src = source(endpoint, 'gamma:shipbob');
      assert.equal(await a.getToken(src), 'access-1');
      assert.equal(await b.getToken(src), 'access-1');
      assert.equal(await a.getToken(src, { rejected: 'access-1' }), 'access-2');
      // b saw a 401 with access-1 as well: it finds access-2 in the table.
      assert.equal(await b.getToken(src, { rejected: 'access-1' }), 'access-2');
      assert.equal(endpoint.calls, 2);
    } finally {
      await endpoint.stop();
    }
  });

  it('a stored token sealed under a key this replica lacks counts as no token: a new one is obtained and overwrites it', async () => {
    const endpoint = new FakeTokenEndpoint();
    await endpoint.start();
    try {
      const src = source(endpoint, 'delta:shipbob');
      assert.equal(await new TokenManager({ dataSource: ds1, secretBox: box, now }).getToken(src), 'access-1');
      // The key is lost: this replica starts with a new one under the same id.
      const newKey = new SecretBox(SecretBox.generateKey('k1'));
      const lost = new TokenManager({ dataSource: ds1, secretBox: newKey, now });
      // The rotated refresh token went with the old key; the connection's own refresh token is refused (used up).
      await assert.rejects(lost.getToken(src), /token endpoint answered 400/);
      endpoint['valid'].add('refresh-0');
      assert.equal(await lost.getToken(src), 'access-2');
      const [row] = (await ds1.query(`SELECT ciphertext FROM partner_tokens WHERE cache_key = 'delta:shipbob'`)) as Array<{ ciphertext: string }>;
      assert.equal(JSON.parse(newKey.open({ keyId: 'k1', ciphertext: row!.ciphertext }, 'partner-token:delta:shipbob')).accessToken, 'access-2');
    } finally {
      await endpoint.stop();
    }
  });
});
