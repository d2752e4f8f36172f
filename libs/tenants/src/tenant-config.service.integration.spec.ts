import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError } from '@mlc/platform-errors';
import { SecretBox } from './crypto/secret-box';
import { createTenantsDataSource } from './data-source';
import { seedDemoTenant } from './demo/seed-demo-tenant';
import { ConnectionPingService } from './ping/connection-ping.service';
import { InMemoryTenantChangePublisher } from './tenant-change.publisher';
import { TenantConfigService } from './tenant-config.service';
import { TenantValidationError } from './tenants.errors';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';

const K1 = SecretBox.generateKey('k1');
const K2 = SecretBox.generateKey('k2');
const CANARY = `canary-${randomBytes(12).toString('hex')}`;
const WHSEC_A = `whsec_${randomBytes(24).toString('base64')}`;

async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function thrown(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('TenantConfigService against real Postgres', () => {
  let db: TestDatabase;
  let dsA: DataSource;
  let dsB: DataSource;
  const events = new InMemoryTenantChangePublisher();
  let svc: TenantConfigService;
  let reader: TenantConfigService;
  const errorsSeen: string[] = [];

  before(async () => {
    db = await testDatabase('tenants_svc');
    dsA = createTenantsDataSource(db.url);
    dsB = createTenantsDataSource(db.url);
    await dsA.initialize();
    await dsB.initialize();
    svc = new TenantConfigService({ dataSource: dsA, secretBox: new SecretBox(K1), publisher: events });
    // Another replica with its own cache and a short TTL.
    reader = new TenantConfigService({
      dataSource: dsB,
      secretBox: new SecretBox(K1),
      publisher: new InMemoryTenantChangePublisher(),
      snapshotCacheTtlMs: 300,
    });
  });
  after(async () => {
    await dsA?.destroy();
    await dsB?.destroy();
    await db?.drop();
  });

  it('creates a tenant with connections and mappings and serves a decrypted, versioned snapshot', async () => {
    const created = await svc.createTenant({ id: 'acme', name: 'Acme Ltd' }, 'alice');
    assert.equal(created.configVersion, 1);
    assert.equal(created.settings.orderGrouping, 'per-po-line');
    assert.equal(created.settings.pollingIntervalsMs.purchaseOrdersMs, 300_000);

    await svc.setConnection(
      'acme',
      {
        partner: 'fusion',
        baseUrl: 'https://acme.fa.ocs.oraclecloud.com',
        auth: {
          type: 'oauth2-client-credentials',
          tokenUrl: 'https://idcs-acme.identity.oraclecloud.com/oauth2/v1/token',
          clientId: 'acme-client',
          clientSecret: CANARY,
          scope: 'urn:opc:resource:consumer::all',
        },
      },
      'alice',
    );
    await svc.setConnection(
      'acme',
      {
        partner: 'shipbob',
        baseUrl: 'https://api.shipbob.com',
        channelId: 12345,
        webhookSecrets: [WHSEC_A],
        auth: {
          type: 'oauth2',
          tokenUrl: 'https://auth.shipbob.com/connect/token',
          clientId: 'sb-client',
          clientSecret: 'sb-secret-1',
          refreshToken: 'sb-refresh-1',
        },
      },
      'alice',
    );
    await svc.setConnection(
      'acme',
      {
        partner: 'shopify',
        baseUrl: 'https://acme.myshopify.com',
        shopDomain: 'acme.myshopify.com',
        apiVersion: '2026-07',
        webhookSecrets: ['shp-hook-1', 'shp-hook-2'],
        auth: { type: 'access-token', accessToken: 'shpat_abc' },
      },
      'alice',
    );
    await svc.setMapping('acme', 'item-product', 'AS54888', { shipbobSku: 'SKU-1' }, 'alice');
    await svc.setMapping('acme', 'ship-to-fc', 'Seattle', { fulfillmentCenterId: 8 }, 'alice');
    await svc.setMapping('acme', 'shipbob-event-rule', 'order.shipped', { action: 'mark-shipped' }, 'alice');
    await svc.updateTenant('acme', { settings: { orderGrouping: 'per-po-and-fulfillment-center', pollingIntervalsMs: { purchaseOrdersMs: 1234 } } }, 'alice');

    const snap = await svc.getTenantSnapshot('acme');
    assert.equal(snap.configVersion, 8);
    assert.deepEqual(snap.connections.fusion?.auth, {
      type: 'oauth2-client-credentials',
      tokenUrl: 'https://idcs-acme.identity.oraclecloud.com/oauth2/v1/token',
      clientId: 'acme-client',
      clientSecret: CANARY,
      scope: 'urn:opc:resource:consumer::all',
    });
    assert.equal(snap.connections.shipbob?.channelId, '12345');
    assert.deepEqual(snap.connections.shipbob?.webhookSecrets, [WHSEC_A]);
    assert.deepEqual(snap.connections.shopify?.webhookSecrets, ['shp-hook-1', 'shp-hook-2']);
    assert.deepEqual(snap.mappings['item-product'], { AS54888: { shipbobSku: 'SKU-1' } });
    assert.deepEqual(snap.mappings['ship-to-fc'], { Seattle: { fulfillmentCenterId: 8 } });
    assert.equal(snap.settings.orderGrouping, 'per-po-and-fulfillment-center');
    assert.equal(snap.settings.pollingIntervalsMs.purchaseOrdersMs, 1234);
    assert.equal(snap.settings.pollingIntervalsMs.receiptsMs, 600_000);

    // Same value again: no new version.
    await svc.setMapping('acme', 'item-product', 'AS54888', { shipbobSku: 'SKU-1' }, 'alice');
    assert.equal((await svc.getTenant('acme')).configVersion, 8);
  });

  it('versions every change in the history (who, when, old -> new, secrets masked) and publishes it', async () => {
    await svc.setConnection(
      'acme',
      {
        partner: 'fusion',
        baseUrl: 'https://acme2.fa.ocs.oraclecloud.com',
        auth: {
          type: 'oauth2-client-credentials',
          tokenUrl: 'https://idcs-acme.identity.oraclecloud.com/oauth2/v1/token',
          clientId: 'acme-client',
          scope: 'urn:opc:resource:consumer::all',
        },
      },
      'bob',
    );
    const snap = await svc.getTenantSnapshot('acme');
    assert.equal(snap.connections.fusion?.baseUrl, 'https://acme2.fa.ocs.oraclecloud.com');
    assert.equal((snap.connections.fusion?.auth as { clientSecret: string }).clientSecret, CANARY, 'omitted secret is kept');

    const [latest] = await svc.history('acme', { limit: 1 });
    assert.equal(latest?.actor, 'bob');
    assert.equal(latest?.version, 9);
    assert.equal(latest?.entity, 'connection');
    assert.equal((latest?.oldValue as { baseUrl: string }).baseUrl, 'https://acme.fa.ocs.oraclecloud.com');
    assert.equal((latest?.newValue as { baseUrl: string }).baseUrl, 'https://acme2.fa.ocs.oraclecloud.com');
    assert.equal((latest?.newValue as { auth: { clientSecret: string } }).auth.clientSecret, '[secret]');

    const versions = events.changes.filter((c) => c.tenantId === 'acme').map((c) => c.version);
    assert.deepEqual(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const sbChange = events.changes.find((c) => c.entity === 'connection' && c.key === 'shipbob');
    assert.deepEqual((sbChange?.newValue as { webhookSecrets: string[] }).webhookSecrets, ['[secret]']);

    const conflict = await thrown(svc.setMapping('acme', 'item-product', 'X', { shipbobProductId: 1 }, 'bob', 3));
    assert.equal(conflict.code, 'TENANTS.CONFLICT');
  });

  it('a mapping changed on one replica is seen through the other replica’s cache within seconds', async () => {
    assert.equal((await reader.getTenantSnapshot('acme')).mappings['item-product']['AS54888']?.shipbobSku, 'SKU-1');
    await svc.setMapping('acme', 'item-product', 'AS54888', { shipbobSku: 'SKU-1-NEW', shipbobProductId: 77 }, 'carol');
    const started = Date.now();
    const seen = await poll(
      () => reader.getTenantSnapshot('acme'),
      (s) => s.mappings['item-product']['AS54888']?.shipbobSku === 'SKU-1-NEW',
      3000,
    );
    assert.ok(Date.now() - started < 3000);
    assert.equal(seen.configVersion, 10);
    // invalidate() makes it immediate.
    await svc.setMapping('acme', 'item-product', 'AS54888', { shipbobSku: 'SKU-1-NEWER' }, 'carol');
    reader.invalidate('acme');
    assert.equal((await reader.getTenantSnapshot('acme')).mappings['item-product']['AS54888']?.shipbobSku, 'SKU-1-NEWER');
  });

  it('rejects bad input naming exactly which field is wrong and why', async () => {
    const e1 = await thrown(
      svc.setConnection(
        'acme',
        {
          partner: 'shipbob',
          baseUrl: 'http://api.shipbob.com',
          channelId: 'abc',
          webhookSecrets: [WHSEC_A, CANARY],
          auth: { type: 'oauth2', tokenUrl: 'https://auth.shipbob.com/connect/token', clientId: 'x', refreshToken: 'r' },
        },
        'eve',
      ),
    );
    assert.ok(e1 instanceof TenantValidationError);
    const fields = e1.problems.map((p) => p.field).sort();
    assert.deepEqual(fields, ['baseUrl', 'channelId', 'webhookSecrets[1]']);
    assert.ok(e1.problems.some((p) => p.field === 'baseUrl' && /https/.test(p.reason)));
    assert.ok(e1.problems.some((p) => p.field === 'channelId'));
    assert.ok(e1.problems.some((p) => p.field === 'webhookSecrets[1]' && /whsec_/.test(p.reason)));
    // clientSecret was omitted but the stored one (same auth type) is kept, so it is not reported.
    assert.ok(!e1.problems.some((p) => p.field === 'auth.clientSecret'));
    errorsSeen.push(JSON.stringify(e1), e1.message, e1.stack ?? '');

    const e2 = await thrown(svc.setConnection('acme', { partner: 'fusion', baseUrl: 'https://x.example.com', auth: { type: 'basic', username: 'u' } }, 'eve'));
    assert.deepEqual((e2 as TenantValidationError).problems, [{ field: 'auth.password', reason: 'is required' }]);

    const e3 = await thrown(
      svc.updateTenant(
        'acme',
        {
          settings: { pollingIntervalsMs: { receiptsMs: -5 }, customerMatching: 'phone' as never, accounting: { revenueAccountCombination: 'nope' } as never },
        },
        'eve',
      ),
    );
    const f3 = (e3 as TenantValidationError).problems.map((p) => p.field);
    for (const f of [
      'settings.pollingIntervalsMs.receiptsMs',
      'settings.customerMatching',
      'settings.accounting.revenueAccountCombination',
      'settings.accounting.businessUnit',
    ])
      assert.ok(f3.includes(f), `${f} in ${f3.join(',')}`);

    const e4 = await thrown(svc.setMapping('acme', 'supplier-fc', 'SUP-1', { fulfillmentCenterId: 'eight' }, 'eve'));
    assert.deepEqual((e4 as TenantValidationError).problems, [{ field: 'fulfillmentCenterId', reason: 'must be a positive whole number' }]);
    const e5 = await thrown(svc.createTenant({ id: 'Bad Id', name: 'x' }, 'eve'));
    assert.equal((e5 as TenantValidationError).problems[0]?.field, 'id');
    assert.equal((await thrown(svc.createTenant({ id: 'acme', name: 'again' }, 'eve'))).code, 'TENANTS.CONFLICT');
    assert.equal((await thrown(svc.getTenantSnapshot('nobody'))).code, 'TENANTS.NOT_FOUND');
    assert.equal((await svc.getTenant('acme')).configVersion, 11, 'nothing was applied');
  });

  it('imports a CSV all-or-nothing, reporting a bad row by line number', async () => {
    const bad = await thrown(svc.importMappingsCsv('acme', 'ship-to-fc', 'shipToLocation,fulfillmentCenterId\nDenver,9\n"Chi,cago",x\n', 'dave'));
    assert.deepEqual((bad as TenantValidationError).problems, [{ line: 3, field: 'fulfillmentCenterId', reason: 'must be a positive whole number' }]);
    assert.equal((await svc.listMappings('acme', 'ship-to-fc')).length, 1, 'Denver not applied');

    const ok = await svc.importMappingsCsv('acme', 'ship-to-fc', 'shipToLocation,fulfillmentCenterId\nDenver,9\n"Chi,cago",10\n', 'dave', { replace: true });
    assert.equal(ok.rows, 2);
    assert.equal(await svc.exportMappingsCsv('acme', 'ship-to-fc'), 'shipToLocation,fulfillmentCenterId\n"Chi,cago",10\nDenver,9\n');
    assert.equal((await svc.getTenantSnapshot('acme')).mappings['ship-to-fc']['Seattle'], undefined, 'replace removed Seattle');
  });

  it('keeps secrets encrypted at rest: unreadable without the key, bound to their row', async () => {
    const rows = (await dsA.query(`SELECT tenant_id, partner, secret_ciphertext, secret_key_id, public_config::text AS pub FROM tenant_connections`)) as Array<{
      partner: string;
      secret_ciphertext: string;
      secret_key_id: string;
      pub: string;
    }>;
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.equal(r.secret_key_id, 'k1');
      assert.match(r.secret_ciphertext, /^v1\./);
      assert.ok(!r.secret_ciphertext.includes(CANARY) && !r.pub.includes(CANARY));
    }
    const fusion = rows.find((r) => r.partner === 'fusion')!;
    const otherKey = new SecretBox(SecretBox.generateKey('k1'));
    assert.equal(
      (await thrown(Promise.resolve().then(() => otherKey.open({ keyId: 'k1', ciphertext: fusion.secret_ciphertext }, 'tenant-connection:acme:fusion')))).code,
      'TENANTS.CRYPTO',
    );
    const rightKey = new SecretBox(K1);
    assert.ok(rightKey.open({ keyId: 'k1', ciphertext: fusion.secret_ciphertext }, 'tenant-connection:acme:fusion').includes(CANARY));
    assert.throws(() => rightKey.open({ keyId: 'k1', ciphertext: fusion.secret_ciphertext }, 'tenant-connection:other:fusion'), /could not be decrypted/);
    const noKey = new TenantConfigService({ dataSource: dsA, secretBox: new SecretBox(K2), publisher: new InMemoryTenantChangePublisher() });
    const e = await thrown(noKey.getTenantSnapshot('acme'));
    assert.equal(e.code, 'TENANTS.CRYPTO');
    errorsSeen.push(JSON.stringify(e), e.message);
  });

  it('rotates the key: reencryptAll moves every row to the new key and everything still decrypts', async () => {
    await dsA.query(`INSERT INTO partner_tokens (cache_key, key_id, ciphertext, expires_at) VALUES ('acme:shipbob', 'k1', $1, now() + interval '1 hour')`, [
      new SecretBox(K1).seal(JSON.stringify({ accessToken: 'tok', issuedAt: 0, expiresAt: 1 }), 'partner-token:acme:shipbob').ciphertext,
    ]);
    const rotating = new TenantConfigService({ dataSource: dsA, secretBox: new SecretBox(`${K2},${K1}`), publisher: new InMemoryTenantChangePublisher() });
    const result = await rotating.reencryptAll();
    assert.deepEqual(result, { connections: 3, tokens: 1, activeKeyId: 'k2', unreadable: [] });
    const keyIds = (await dsA.query(`SELECT secret_key_id AS k FROM tenant_connections UNION ALL SELECT key_id FROM partner_tokens`)) as Array<{ k: string }>;
    assert.deepEqual([...new Set(keyIds.map((r) => r.k))], ['k2']);
    assert.deepEqual(await rotating.reencryptAll(), { connections: 0, tokens: 0, activeKeyId: 'k2', unreadable: [] });

    const onlyNew = new TenantConfigService({ dataSource: dsA, secretBox: new SecretBox(K2), publisher: new InMemoryTenantChangePublisher() });
    const snap = await onlyNew.getTenantSnapshot('acme');
    assert.equal((snap.connections.fusion?.auth as { clientSecret: string }).clientSecret, CANARY);
    assert.equal(
      (
        await thrown(
          new TenantConfigService({ dataSource: dsA, secretBox: new SecretBox(K1), publisher: events, snapshotCacheTtlMs: 0 }).getTenantSnapshot('acme'),
        )
      ).code,
      'TENANTS.CRYPTO',
    );
    svc = onlyNew;
  });

  it('pings through the injected pinger and scrubs secrets from its message', async () => {
    const ping = new ConnectionPingService(svc, {
      fusion: {
        ping: async (c) => ({
          reachable: true,
          authenticated: false,
          failedCheck: 'authentication',
          message: `401 for secret ${(c.auth as { clientSecret: string }).clientSecret}`,
        }),
      },
      shipbob: {
        ping: async () => {
          throw new AppError('CONNECTION', 'connect ECONNREFUSED 127.0.0.1:1');
        },
      },
    });
    const f = await ping.pingConnection('acme', 'fusion');
    assert.deepEqual(f, { reachable: true, authenticated: false, failedCheck: 'authentication', message: '401 for secret [secret]' });
    const s = await ping.pingConnection('acme', 'shipbob');
    assert.equal(s.failedCheck, 'network');
    assert.equal(s.reachable, false);
    assert.equal((await ping.pingConnection('acme', 'shopify')).failedCheck, 'configuration');
  });

  it('seeds the demo tenant idempotently against sandbox URLs', async () => {
    const demo = await seedDemoTenant(svc);
    const again = await seedDemoTenant(svc);
    assert.equal(again.configVersion, demo.configVersion, 'second seed changes nothing');
    const snap = await svc.getTenantSnapshot('demo');
    assert.equal(snap.mode, 'demo');
    assert.equal(snap.connections.fusion?.baseUrl, 'http://127.0.0.1:4010');
    assert.equal(snap.connections.shipbob?.baseUrl, 'http://127.0.0.1:4020');
    assert.equal(snap.connections.shopify?.baseUrl, 'http://127.0.0.1:4030');
    assert.equal(snap.mappings['item-product']['SKU-TSHIRT-M']?.shipbobSku, 'ML-1001');
    assert.equal(snap.mappings['ship-to-fc']['SHIPBOB-RENO']?.fulfillmentCenterId, 11);
    assert.equal(snap.settings.pollingIntervalsMs.purchaseOrdersMs, 30_000);
    assert.equal(snap.connections.shipbob?.channelId, '1000');
    assert.equal(snap.settings.accounting?.revenueAccountCombination, '101-10-4000-000');
  });

  it('after the encryption key is lost: a partial update says the stored credentials cannot be decrypted, full credentials replace them', async () => {
    const lostKey = new TenantConfigService({ dataSource: dsA, secretBox: new SecretBox(SecretBox.generateKey('k3')), publisher: events });
    const partial = await thrown(
      lostKey.setConnection(
        'acme',
        {
          partner: 'fusion',
          baseUrl: 'https://acme.fa.us2.oraclecloud.com',
          auth: { type: 'oauth2-client-credentials', tokenUrl: 'https://idcs.example.com/oauth2/v1/token', clientId: 'cid' },
        },
        'alice',
      ),
    );
    assert.equal(partial.code, 'TENANTS.VALIDATION');
    assert.match(partial.message, /stored fusion credentials cannot be decrypted with MLC_ENCRYPTION_KEYS .*send the connection with all of its credentials/);
    errorsSeen.push(JSON.stringify(partial), partial.message);
    assert.equal((await thrown(lostKey.getTenantSnapshot('acme'))).code, 'TENANTS.CRYPTO', 'nothing was replaced');
    const listed = (await lostKey.getTenant('acme')).connections.find((c) => c.partner === 'fusion');
    assert.match(listed?.secretsUnreadable ?? '', /no decryption key with id "k2".*set the connection again/, 'the tenant view still lists it, saying why');

    // The demo seed brings every credential: it replaces what cannot be read, and the history says so.
    const before = (await lostKey.getTenant('demo')).configVersion;
    const demo = await seedDemoTenant(lostKey);
    assert.ok(demo.configVersion > before);
    const snap = await lostKey.getTenantSnapshot('demo');
    assert.ok((snap.connections.shipbob?.auth as { token: string }).token, 'the demo credentials open under the new key');
    const history = (await dsA.query(
      `SELECT old_value FROM tenant_config_history WHERE tenant_id = 'demo' AND entity = 'connection' ORDER BY id DESC LIMIT 3`,
    )) as Array<{ old_value: unknown }>;
    assert.deepEqual(
      history.map((h) => h.old_value),
      [
        { undecryptable: true, keyId: 'k2' },
        { undecryptable: true, keyId: 'k2' },
        { undecryptable: true, keyId: 'k2' },
      ],
    );
    assert.equal((await seedDemoTenant(lostKey)).configVersion, demo.configVersion, 'and a second seed changes nothing');
  });

  it('never lets the canary secret leak into rows, history, events or errors', async () => {
    const tables = ['tenants', 'tenant_connections', 'tenant_mappings', 'tenant_config_history', 'partner_tokens'];
    for (const t of tables) {
      const rows = (await dsA.query(`SELECT x::text AS row FROM ${t} x`)) as Array<{ row: string }>;
      assert.ok(rows.length > 0 || t === 'tenant_mappings', `${t} has rows`);
      for (const r of rows) assert.ok(!r.row.includes(CANARY), `canary found in ${t}`);
    }
    assert.ok(events.changes.length > 5);
    assert.ok(!JSON.stringify(events.changes).includes(CANARY), 'canary in change events');
    assert.ok(errorsSeen.length >= 4);
    for (const e of errorsSeen) assert.ok(!e.includes(CANARY), 'canary in an error');
    assert.ok(!JSON.stringify(await svc.getTenant('acme')).includes(CANARY), 'canary in tenant details');
  });
});
