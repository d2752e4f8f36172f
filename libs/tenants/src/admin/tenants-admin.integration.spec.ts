import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../crypto/secret-box';
import { createTenantsDataSource } from '../data-source';
import { ConnectionPingService } from '../ping/connection-ping.service';
import { InMemoryTenantChangePublisher } from '../tenant-change.publisher';
import { TenantConfigService } from '../tenant-config.service';
import { startAdminTestApp } from '../testing/admin-test-app';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';

const CANARY = `canary-${randomBytes(12).toString('hex')}`;
const OPS = `ops-${randomBytes(8).toString('hex')}`;
const ACME = `acme-${randomBytes(8).toString('hex')}`;

describe('TenantsAdminModule (Nest app, real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let app: Awaited<ReturnType<typeof startAdminTestApp>>;
  const events = new InMemoryTenantChangePublisher();
  const bodies: string[] = [];
  let config: TenantConfigService;

  async function call(method: string, path: string, opts: { key?: string | null; bearer?: boolean; body?: unknown; csv?: string } = {}) {
    const headers: Record<string, string> = {};
    const key = opts.key === undefined ? OPS : opts.key;
    if (key) headers[opts.bearer ? 'authorization' : 'x-api-key'] = opts.bearer ? `Bearer ${key}` : key;
    let body: string | undefined;
    if (opts.csv !== undefined) {
      headers['content-type'] = 'text/csv';
      body = opts.csv;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(`${app.url}${path}`, { method, headers, body });
    const text = await res.text();
    bodies.push(text);
    const json = (res.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as any) : undefined;
    return { status: res.status, json, text, headers: res.headers };
  }

  before(async () => {
    db = await testDatabase('tenants_admin');
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    config = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(SecretBox.generateKey('k1')), publisher: events });
    const ping = new ConnectionPingService(config, {
      shopify: {
        ping: async (c) => ({ reachable: true, authenticated: true, failedCheck: null, message: `ok as ${(c.auth as { accessToken: string }).accessToken}` }),
      },
    });
    app = await startAdminTestApp({ config, ping, operatorApiKeys: `${OPS}:*,${ACME}:tenant-acme` });
  });
  after(async () => {
    await app?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('refuses calls without a key (401), with an unknown key (401) and for another tenant (403)', async () => {
    const none = await call('GET', '/admin/tenants', { key: null });
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'TENANTS.UNAUTHENTICATED');
    assert.equal((await call('GET', '/admin/tenants', { key: 'not-a-key' })).status, 401);
    assert.equal((await call('GET', '/admin/tenants', { key: `${OPS}x` })).status, 401);

    assert.equal((await call('POST', '/admin/tenants', { body: { id: 'acme', name: 'Acme' } })).status, 201);
    assert.equal((await call('POST', '/admin/tenants', { body: { id: 'globex', name: 'Globex' } })).status, 201);

    const cross = await call('GET', '/admin/tenants/globex', { key: ACME });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.error.code, 'TENANTS.FORBIDDEN');
    assert.equal((await call('PUT', '/admin/tenants/globex/mappings/item-product/X', { key: ACME, body: { shipbobSku: 'S' } })).status, 403);
    assert.equal((await call('POST', '/admin/tenants', { key: ACME, body: { id: 'initech', name: 'Initech' } })).status, 403);
    assert.equal((await call('DELETE', '/admin/tenants/acme', { key: ACME })).status, 403);
    const nothing = await call('GET', '/admin/tenants/globex/mappings/item-product', { key: ACME });
    assert.equal(nothing.status, 403);

    const own = await call('GET', '/admin/tenants/acme', { key: ACME, bearer: true });
    assert.equal(own.status, 200);
    assert.equal(own.json.id, 'acme');
    const list = await call('GET', '/admin/tenants', { key: ACME });
    assert.deepEqual(
      list.json.tenants.map((t: any) => t.id),
      ['acme'],
    );
    const all = await call('GET', '/admin/tenants', { key: OPS, bearer: true });
    assert.deepEqual(
      all.json.tenants.map((t: any) => t.id),
      ['acme', 'globex'],
    );
  });

  it('sets connections without ever returning secrets, and validates fields by name', async () => {
    const put = await call('PUT', '/admin/tenants/acme/connections/shopify', {
      key: ACME,
      body: {
        baseUrl: 'https://acme.myshopify.com',
        shopDomain: 'acme.myshopify.com',
        apiVersion: '2026-07',
        webhookSecrets: [CANARY],
        auth: { type: 'access-token', accessToken: CANARY },
      },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json.secretsSet, ['auth.accessToken', 'webhookSecrets[0]']);
    assert.equal(put.json.settings.shopDomain, 'acme.myshopify.com');

    const bad = await call('PUT', '/admin/tenants/acme/connections/shopify', {
      key: ACME,
      body: {
        baseUrl: 'https://acme.myshopify.com',
        shopDomain: 'Acme.example.com',
        apiVersion: '2026-05',
        webhookSecrets: [CANARY, 'b', 'c'],
        auth: { type: 'access-token' },
      },
    });
    assert.equal(bad.status, 400);
    const fields = bad.json.error.problems.map((p: any) => p.field).sort();
    assert.deepEqual(fields, ['apiVersion', 'shopDomain', 'webhookSecrets']);
    assert.equal((await call('PUT', '/admin/tenants/acme/connections/sap', { key: ACME, body: {} })).json.error.problems[0].field, 'partner');

    const shown = await call('GET', '/admin/tenants/acme', { key: ACME });
    assert.equal(shown.json.connections[0].partner, 'shopify');
    assert.equal(shown.json.configVersion, 2);
    const history = await call('GET', '/admin/tenants/acme/history', { key: ACME });
    assert.equal(history.json.entries[0].newValue.auth.accessToken, '[secret]');
    assert.match(history.json.entries[0].actor, /^operator \(key#[0-9a-f]{8}\)$/);

    const ping = await call('POST', '/admin/tenants/acme/connections/shopify/ping', { key: ACME });
    assert.deepEqual(ping.json, { reachable: true, authenticated: true, failedCheck: null, message: 'ok as [secret]' });
  });

  it('PATCH merges onto the stored connection: secrets kept unless given, the merged result validated whole, soapAuth added and removed', async () => {
    const path = '/admin/tenants/acme/connections/shopify';
    const moved = await call('PATCH', path, { key: ACME, body: { baseUrl: 'https://acme-2.myshopify.com' } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.baseUrl, 'https://acme-2.myshopify.com');
    assert.deepEqual(moved.json.secretsSet, ['auth.accessToken', 'webhookSecrets[0]']);
    const kept = await config.getConnection('acme', 'shopify');
    assert.equal((kept.auth as { accessToken: string }).accessToken, CANARY, 'the stored token is kept');
    assert.equal((kept as { shopDomain: string }).shopDomain, 'acme.myshopify.com');

    // A new auth type needs that type's fields and secrets; nothing is applied.
    const before = (await call('GET', '/admin/tenants/acme', { key: ACME })).json.configVersion;
    const switched = await call('PATCH', path, { key: ACME, body: { auth: { type: 'client-credentials' } } });
    assert.equal(switched.status, 400);
    assert.deepEqual(
      switched.json.error.problems.map((p: any) => `${p.field}: ${p.reason}`),
      ['auth.clientId: is required', 'auth.clientSecret: is required'],
    );
    const badMerge = await call('PATCH', path, { key: ACME, body: { apiVersion: '2026-05', shopDomain: null } });
    assert.deepEqual(badMerge.json.error.problems.map((p: any) => p.field).sort(), ['apiVersion', 'shopDomain']);
    assert.equal((await call('GET', '/admin/tenants/acme', { key: ACME })).json.configVersion, before, 'nothing was applied');

    // No stored connection: the body must be complete, with the same problem list as PUT.
    const fusionPath = '/admin/tenants/acme/connections/fusion';
    const alone = await call('PATCH', fusionPath, { key: ACME, body: { baseUrl: 'https://acme.fa.us2.oraclecloud.com' } });
    assert.equal(alone.status, 400);
    assert.deepEqual(
      alone.json.error.problems.map((p: any) => p.field),
      ['auth'],
    );
    const oauth = {
      type: 'oauth2-client-credentials',
      tokenUrl: 'https://idcs.example.com/oauth2/v1/token',
      clientId: 'cid',
      clientSecret: CANARY,
      scope: 'urn:opc:resource:consumer::all',
    };
    const created = await call('PATCH', fusionPath, {
      key: ACME,
      body: { baseUrl: 'https://acme.fa.us2.oraclecloud.com', auth: oauth, soapAuth: { type: 'basic', username: 'soap.user', password: CANARY } },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.json.secretsSet, ['auth.clientSecret', 'soapAuth.password']);
    assert.deepEqual(created.json.settings.soapAuth, { type: 'basic', username: 'soap.user' });
    // The complaint: only the base URL, every other field and secret kept.
    const urlOnly = await call('PATCH', fusionPath, { key: ACME, body: { baseUrl: 'https://acme.fa.us6.oraclecloud.com' } });
    assert.equal(urlOnly.status, 200, urlOnly.text);
    assert.deepEqual(urlOnly.json.secretsSet, ['auth.clientSecret', 'soapAuth.password']);
    const soapBad = await call('PATCH', fusionPath, { key: ACME, body: { soapAuth: { type: 'oauth', username: '' } } });
    assert.deepEqual(
      soapBad.json.error.problems.map((p: any) => p.field),
      ['soapAuth.type', 'soapAuth.username'],
    );
    const removed = await call('PATCH', fusionPath, { key: ACME, body: { soapAuth: null } });
    assert.deepEqual(removed.json.secretsSet, ['auth.clientSecret']);
    assert.equal(removed.json.settings.soapAuth, undefined);
    const fusion = await config.getConnection('acme', 'fusion');
    assert.equal(fusion.baseUrl, 'https://acme.fa.us6.oraclecloud.com');
    assert.equal((fusion.auth as { clientSecret: string }).clientSecret, CANARY);
    const history = await call('GET', '/admin/tenants/acme/history?limit=3', { key: ACME });
    assert.equal(history.json.entries[1].newValue.soapAuth.password, '[secret]');
    // PUT stays a full replace.
    const put = await call('PUT', fusionPath, { key: ACME, body: { baseUrl: 'https://acme.fa.us6.oraclecloud.com' } });
    assert.equal(put.status, 400);
    await call('DELETE', fusionPath, { key: ACME });
  });

  it('imports CSV all-or-nothing with line numbers, exports it back, and sets/deletes single mappings', async () => {
    const bad = await call('POST', '/admin/tenants/acme/mappings/item-product/import', {
      key: ACME,
      csv: 'fusionItem,shipbobSku,shipbobProductId\nA1,SKU-A1,\nA2,,\nA3,SKU-A3,-4\n',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.error.problems, [
      { line: 3, field: 'shipbobSku', reason: 'or shipbobProductId is required' },
      { line: 4, field: 'shipbobProductId', reason: 'must be a positive whole number' },
    ]);
    assert.deepEqual((await call('GET', '/admin/tenants/acme/mappings/item-product', { key: ACME })).json.entries, []);

    const ok = await call('POST', '/admin/tenants/acme/mappings/item-product/import', {
      key: ACME,
      csv: 'fusionItem,shipbobSku,shipbobProductId\r\nA1,SKU-A1,\r\nA2,,42\r\n',
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.rows, 2);
    const exported = await call('GET', '/admin/tenants/acme/mappings/item-product/export', { key: ACME });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type') ?? '', /text\/csv/);
    assert.equal(exported.text, 'fusionItem,shipbobSku,shipbobProductId\nA1,SKU-A1,\nA2,,42\n');

    const set = await call('PUT', `/admin/tenants/acme/mappings/supplier-fc/${encodeURIComponent('SUP/1 West')}`, {
      key: ACME,
      body: { fulfillmentCenterId: 8 },
    });
    assert.equal(set.status, 200, set.text);
    const list = await call('GET', '/admin/tenants/acme/mappings/supplier-fc', { key: ACME });
    assert.deepEqual(list.json.entries, [{ kind: 'supplier-fc', key: 'SUP/1 West', value: { fulfillmentCenterId: 8 } }]);
    assert.equal((await call('DELETE', `/admin/tenants/acme/mappings/supplier-fc/${encodeURIComponent('SUP/1 West')}`, { key: ACME })).status, 204);
    assert.equal((await call('DELETE', `/admin/tenants/acme/mappings/supplier-fc/nope`, { key: ACME })).status, 404);
    assert.equal((await call('GET', '/admin/tenants/acme/mappings/colours', { key: ACME })).status, 400);
  });

  it('serves the OpenAPI document', async () => {
    const doc = await call('GET', '/admin/openapi.json', { key: null });
    assert.equal(doc.status, 200);
    assert.equal(doc.json.openapi, '3.1.0');
    assert.ok(doc.json.paths['/admin/tenants/{tenantId}/mappings/{kind}/import'].post);
  });

  it('never returns the canary secret in any response body or change event', async () => {
    const malformed = await fetch(`${app.url}/admin/tenants/acme/connections/shopify`, {
      method: 'PUT',
      headers: { 'x-api-key': ACME, 'content-type': 'application/json' },
      body: `{"auth": "${CANARY}`,
    });
    const text = await malformed.text();
    assert.equal(malformed.status, 400);
    bodies.push(text);
    assert.ok(bodies.length > 20);
    for (const b of bodies) assert.ok(!b.includes(CANARY), `canary in a response: ${b.slice(0, 200)}`);
    assert.ok(!JSON.stringify(events.changes).includes(CANARY));
    const rows = (await ds.query(`SELECT x::text AS r FROM tenant_connections x UNION ALL SELECT x::text FROM tenant_config_history x`)) as Array<{
      r: string;
    }>;
    for (const r of rows) assert.ok(!r.r.includes(CANARY));
  });
});
