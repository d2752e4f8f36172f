import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { ConnectionPingService, createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, startAdminTestApp, TenantConfigService } from '@mlc/tenants';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { runCli, type CliIo } from './cli';

const OPS = 'opskey-cli-test';
const K1 = SecretBox.generateKey('k1');
const K2 = SecretBox.generateKey('k2');

describe('mlc CLI over the admin API', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let app: Awaited<ReturnType<typeof startAdminTestApp>>;
  let config: TenantConfigService;
  const files = new Map<string, string>();

  async function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    return mlcAt(app.url, OPS, ...argv);
  }

  async function mlcAt(url: string, key: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = {
      env: { MLC_API_URL: url, MLC_API_KEY: key, SB_PAT: 'pat-from-env', FUSION_SECRET: 'fusion-secret-from-env', SOAP_PASSWORD: 'soap-password-from-env' },
      out: (t) => (out += t),
      err: (t) => (err += t),
      readFile: async (p) => {
        const f = files.get(p);
        if (f === undefined) throw new Error(`no such file ${p}`);
        return f;
      },
      writeFile: async (p, t) => void files.set(p, t),
    };
    const code = await runCli(argv, io);
    return { code, out, err };
  }

  before(async () => {
    db = await testDatabase('cli');
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    config = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(K1), publisher: new InMemoryTenantChangePublisher() });
    const ping = new ConnectionPingService(config, {
      shipbob: { ping: async () => ({ reachable: true, authenticated: false, failedCheck: 'authentication', message: '401 from /channel' }) },
    });
    app = await startAdminTestApp({ config, ping, operatorApiKeys: `${OPS}:*` });
  });
  after(async () => {
    await app?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('creates, lists and shows tenants as a table and as JSON', async () => {
    const created = await mlc('tenants', 'create', 'acme', '--name', 'Acme Ltd', '--actor', 'alice');
    assert.equal(created.code, 0, created.err);
    assert.equal(created.out, 'created tenant acme (config version 1)\n');
    const list = await mlc('tenants', 'list');
    assert.match(list.out, /^ID\s+NAME\s+MODE\s+CONFIGVERSION\s+UPDATEDAT\nacme\s+Acme Ltd\s+live\s+1\s+/);
    const json = await mlc('tenants', 'list', '--json');
    assert.deepEqual(
      JSON.parse(json.out).map((t: any) => t.id),
      ['acme'],
    );
    const show = await mlc('tenants', 'show', 'acme', '--json');
    assert.equal(JSON.parse(show.out).settings.orderGrouping, 'per-po-line');
    assert.equal((await config.history('acme'))[0]?.actor.startsWith('alice ('), true);
  });

  it('sets a connection with secrets from the environment, lists it, pings it', async () => {
    const set = await mlc(
      'connections',
      'set',
      'acme',
      'shipbob',
      '--base-url',
      'https://api.shipbob.com',
      '--set',
      'auth.type=pat',
      '--set-env',
      'auth.token=SB_PAT',
      '--set',
      'channelId=123',
      '--set',
      'webhookSecrets=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );
    assert.equal(set.code, 0, set.err);
    assert.ok(!set.out.includes('pat-from-env'));
    const snap = await config.getTenantSnapshot('acme');
    assert.deepEqual(snap.connections.shipbob?.auth, { type: 'pat', token: 'pat-from-env' });
    const list = await mlc('connections', 'list', 'acme');
    assert.match(list.out, /shipbob\s+https:\/\/api\.shipbob\.com\s+pat\s+/);
    assert.ok(!list.out.includes('pat-from-env'));

    const bad = await mlc('connections', 'set', 'acme', 'shipbob', '--set', 'channelId=abc');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /TENANTS\.VALIDATION \(400\)/);
    assert.match(bad.err, /\n {2}channelId: is required: the numeric ShipBob channel id\n/);

    const ping = await mlc('ping', 'acme', 'shipbob', '--json');
    assert.equal(ping.code, 1);
    assert.deepEqual(JSON.parse(ping.out), { reachable: true, authenticated: false, failedCheck: 'authentication', message: '401 from /channel' });
  });

  it('sets, imports and exports mappings; a bad CSV row is reported by line and nothing applied', async () => {
    const set = await mlc('mappings', 'set', 'acme', 'ship-to-fc', 'Seattle', '--set', 'fulfillmentCenterId=8');
    assert.equal(set.code, 0, set.err);
    files.set('items.csv', 'fusionItem,shipbobSku,shipbobProductId\nA1,SKU-1,\nA2,,x\n');
    const bad = await mlc('mappings', 'import', 'acme', 'item-product', 'items.csv');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /line 3: shipbobProductId: must be a positive whole number/);
    assert.deepEqual(JSON.parse((await mlc('mappings', 'list', 'acme', 'item-product', '--json')).out), []);

    files.set('items.csv', 'fusionItem,shipbobSku,shipbobProductId\nA1,SKU-1,\nA2,,7\n');
    const ok = await mlc('mappings', 'import', 'acme', 'item-product', 'items.csv');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /imported 2 item-product rows/);
    const table = await mlc('mappings', 'list', 'acme', 'item-product');
    assert.match(table.out, /A2\s+7/);
    const exp = await mlc('mappings', 'export', 'acme', 'item-product', '--out', 'out.csv');
    assert.equal(exp.code, 0);
    assert.equal(files.get('out.csv'), 'fusionItem,shipbobSku,shipbobProductId\nA1,SKU-1,\nA2,,7\n');
  });

  it('exits 2 with usage on bad commands and 1 on a bad key', async () => {
    assert.equal((await mlc('tenants', 'frobnicate')).code, 2);
    assert.equal((await mlc('--bogus')).code, 2);
    let err = '';
    const code = await runCli(['tenants', 'list'], {
      env: { MLC_API_URL: app.url, MLC_API_KEY: 'wrong-key' },
      out: () => undefined,
      err: (t) => (err += t),
      readFile: async () => '',
      writeFile: async () => undefined,
    });
    assert.equal(code, 1);
    assert.match(err, /TENANTS\.UNAUTHENTICATED \(401\)/);
  });

  it('rotates the credential key: keys status, keys reencrypt, and a value under a lost key reported, not lost', async () => {
    const before = await mlc('keys', 'status');
    assert.equal(before.code, 0, before.err);
    assert.match(before.out, /^active key: k1\nKEYID\s+CONFIGURED\s+ACTIVE\s+CONNECTIONS\s+TOKENS\nk1\s+true\s+true\s+1\s+0\n/);

    // The operator puts the new key first and keeps the old one after it; the service restarts with that ring.
    const rotated = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(`${K2},${K1}`), publisher: new InMemoryTenantChangePublisher() });
    // A connection sealed under a key nobody has any more (k9) cannot be moved, and must not stop the rotation.
    const lost = new TenantConfigService({
      dataSource: ds,
      secretBox: new SecretBox(SecretBox.generateKey('k9')),
      publisher: new InMemoryTenantChangePublisher(),
    });
    await lost.createTenant({ id: 'beta', name: 'Beta' }, 'test');
    await lost.setConnection(
      'beta',
      {
        partner: 'shipbob',
        baseUrl: 'https://api.shipbob.com',
        channelId: 7,
        webhookSecrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
        auth: { type: 'pat', token: 'beta-pat' },
      },
      'test',
    );
    const app2 = await startAdminTestApp({ config: rotated, operatorApiKeys: `${OPS}:*,acmekey-only:acme` });
    try {
      const scoped = await mlcAt(app2.url, 'acmekey-only', 'keys', 'reencrypt');
      assert.equal(scoped.code, 1);
      assert.match(scoped.err, /TENANTS\.FORBIDDEN \(403\): encryption keys span every tenant/);

      const run = await mlcAt(app2.url, OPS, 'keys', 'reencrypt');
      assert.equal(run.code, 1, 'exit 1: something could not be moved');
      assert.match(run.out, /^re-sealed under k2: 1 connection\(s\), 0 token\(s\)\n/);
      assert.match(run.out, /connection\s+beta\s+shipbob\s+k9/);
      const rows = (await ds.query(`SELECT tenant_id, secret_key_id FROM tenant_connections ORDER BY tenant_id`)) as Array<{
        tenant_id: string;
        secret_key_id: string;
      }>;
      assert.deepEqual(
        rows.map((r) => [r.tenant_id, r.secret_key_id]),
        [
          ['acme', 'k2'],
          ['beta', 'k9'],
        ],
      );
      assert.equal(
        (
          await new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(K2), publisher: new InMemoryTenantChangePublisher() }).getTenantSnapshot(
            'acme',
          )
        ).connections.shipbob?.auth.type,
        'pat',
        'opens with the new key alone',
      );

      const status = await mlcAt(app2.url, OPS, 'keys', 'status', '--json');
      assert.equal(status.code, 1, 'exit 1 while a value sits under a key that is not configured');
      assert.deepEqual(
        JSON.parse(status.out).keys.map((k: { keyId: string; configured: boolean; connections: number }) => [k.keyId, k.configured, k.connections]),
        [
          ['k2', true, 1],
          ['k9', false, 1],
        ],
      );

      // The operator sets beta's connection again with all of its credentials: the next run has nothing left.
      await rotated.setConnection(
        'beta',
        {
          partner: 'shipbob',
          baseUrl: 'https://api.shipbob.com',
          channelId: 7,
          webhookSecrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
          auth: { type: 'pat', token: 'beta-pat-2' },
        },
        'test',
      );
      const again = await mlcAt(app2.url, OPS, 'keys', 'reencrypt');
      assert.equal(again.code, 0, again.out + again.err);
      assert.match(again.out, /re-sealed under k2: 0 connection\(s\), 0 token\(s\)\nno configured key other than the active one is in use/);
    } finally {
      await app2.close();
    }
  });
  it('connections set is a partial update: only --base-url changes, secrets stay; the first set must be complete; soapAuth added and removed', async () => {
    assert.equal((await mlc('tenants', 'create', 'omega', '--name', 'Omega')).code, 0);
    const incomplete = await mlc('connections', 'set', 'omega', 'fusion', '--base-url', 'https://omega.fa.us2.oraclecloud.com');
    assert.equal(incomplete.code, 1);
    assert.match(incomplete.err, /\n {2}auth: is required/);
    const first = await mlc(
      'connections',
      'set',
      'omega',
      'fusion',
      '--base-url',
      'https://omega.fa.us2.oraclecloud.com',
      '--set',
      'auth.type=oauth2-client-credentials',
      '--set',
      'auth.tokenUrl=https://idcs-omega.identity.oraclecloud.com/oauth2/v1/token',
      '--set',
      'auth.clientId=OMEGA_INT',
      '--set-env',
      'auth.clientSecret=FUSION_SECRET',
      '--set',
      'auth.scope=urn:opc:resource:consumer::all',
      '--set',
      'soapAuth.type=basic',
      '--set',
      'soapAuth.username=omega.soap',
      '--set-env',
      'soapAuth.password=SOAP_PASSWORD',
    );
    assert.equal(first.code, 0, first.err);
    // The complaint: the base URL alone.
    const moved = await mlc('connections', 'set', 'omega', 'fusion', '--base-url', 'https://omega.fa.us6.oraclecloud.com', '--json');
    assert.equal(moved.code, 0, moved.err);
    assert.deepEqual(JSON.parse(moved.out).secretsSet, ['auth.clientSecret', 'soapAuth.password']);
    for (const o of [first.out, moved.out]) assert.ok(!o.includes('from-env'), 'no secret echoed');
    let conn = (await config.getTenantSnapshot('omega')).connections.fusion!;
    assert.equal(conn.baseUrl, 'https://omega.fa.us6.oraclecloud.com');
    assert.deepEqual(conn.auth, {
      type: 'oauth2-client-credentials',
      tokenUrl: 'https://idcs-omega.identity.oraclecloud.com/oauth2/v1/token',
      clientId: 'OMEGA_INT',
      clientSecret: 'fusion-secret-from-env',
      scope: 'urn:opc:resource:consumer::all',
    });
    assert.deepEqual(conn.soapAuth, { type: 'basic', username: 'omega.soap', password: 'soap-password-from-env' });
    const switched = await mlc('connections', 'set', 'omega', 'fusion', '--set', 'auth.type=basic', '--set', 'auth.username=u');
    assert.equal(switched.code, 1);
    assert.match(switched.err, /\n {2}auth\.password: is required\n/);
    const removed = await mlc('connections', 'set', 'omega', 'fusion', '--set', 'soapAuth:=null', '--json');
    assert.equal(removed.code, 0, removed.err);
    assert.deepEqual(JSON.parse(removed.out).secretsSet, ['auth.clientSecret']);
    conn = (await config.getTenantSnapshot('omega')).connections.fusion!;
    assert.equal(conn.soapAuth, undefined);
    assert.equal((conn.auth as { clientSecret: string }).clientSecret, 'fusion-secret-from-env');
  });

  it('settings set and get: dotted keys, JSON values, accounting merged field by field with what Fusion needs, clear errors', async () => {
    const partial = await mlc('settings', 'set', 'omega', 'accounting.businessUnit=Vision Operations');
    assert.equal(partial.code, 1, 'the first accounting needs all six');
    assert.match(partial.err, /\n {2}settings\.accounting\.transactionSource: is required: the Receivables transaction source name/);
    assert.doesNotMatch(partial.err, /settings\.accounting\.businessUnit/);

    const set = await mlc(
      'settings',
      'set',
      'omega',
      'accounting.businessUnit=Vision Operations',
      'accounting.transactionSource=SHOPIFY',
      'accounting.transactionType=Invoice',
      'accounting.paymentTerms=30 Net',
      'accounting.revenueAccountCombination=101-10-4000-000',
      'accounting.guestCustomerAccountNumber=GUEST-1',
      'pollingIntervalsMs.purchaseOrdersMs:=300000',
      'initialLookbackDays:=90',
      'shopifyWriteBack:=true',
    );
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /^settings of omega saved \(config version \d+\)\n/);
    assert.match(set.out, /\naccounting\.businessUnit\s+Vision Operations\s+# Fusion business unit name/);
    // One field later: merged onto the stored five.
    const one = await mlc('settings', 'set', 'omega', 'accounting.paymentTerms=IMMEDIATE');
    assert.equal(one.code, 0, one.err);
    const snap = await config.getTenantSnapshot('omega');
    assert.deepEqual(snap.settings.accounting, {
      businessUnit: 'Vision Operations',
      transactionSource: 'SHOPIFY',
      transactionType: 'Invoice',
      paymentTerms: 'IMMEDIATE',
      revenueAccountCombination: '101-10-4000-000',
      guestCustomerAccountNumber: 'GUEST-1',
    });
    assert.equal(snap.settings.pollingIntervalsMs.purchaseOrdersMs, 300000);
    assert.equal(snap.settings.pollingIntervalsMs.receiptsMs, 600000, 'the other intervals kept');
    assert.equal(snap.settings.initialLookbackDays, 90);
    assert.equal(snap.settings.shopifyWriteBack, true);

    const all = await mlc('settings', 'get', 'omega');
    assert.equal(all.code, 0, all.err);
    for (const re of [
      /^accounting\.revenueAccountCombination\s+101-10-4000-000\s+# revenue GL account combination/m,
      /^accounting\.transactionType\s+Invoice\s+# Receivables transaction type name/m,
      /^accounting\.guestCustomerAccountNumber\s+GUEST-1\s+# Fusion customer account number used for Shopify orders without/m,
      /^initialLookbackDays\s+90\s+# days back oracle-poller starts/m,
      /^pollingIntervalsMs\.purchaseOrdersMs\s+300000\s+#/m,
      /^receivablePoStatuses\s+\["Open"\] \(default\)/m,
    ])
      assert.match(all.out, re);
    const one1 = await mlc('settings', 'get', 'omega', 'accounting.paymentTerms', '--json');
    assert.deepEqual(JSON.parse(one1.out), {
      key: 'accounting.paymentTerms',
      value: 'IMMEDIATE',
      default: false,
      help: 'Receivables payment terms name put on each invoice (Manage Receivables Payment Terms), e.g. "30 Net"',
    });
    const group = await mlc('settings', 'get', 'omega', 'pollingIntervalsMs', '--json');
    assert.deepEqual(Object.keys(JSON.parse(group.out)), [
      'pollingIntervalsMs.purchaseOrdersMs',
      'pollingIntervalsMs.receiptsMs',
      'pollingIntervalsMs.shipbobOrdersMs',
      'pollingIntervalsMs.shopifyOrdersMs',
    ]);
    const json = await mlc('settings', 'get', 'omega', '--json');
    assert.equal(JSON.parse(json.out).accounting.paymentTerms, 'IMMEDIATE');

    const bad = await mlc(
      'settings',
      'set',
      'omega',
      'initialLookbackDays:=4000',
      'pollingIntervalsMs.receiptsMs=fast',
      'accounting.revenueAccountCombination=nope',
      'colour=blue',
    );
    assert.equal(bad.code, 1);
    for (const f of [
      'settings.initialLookbackDays: must be a whole number of days from 0 to 3650',
      'settings.pollingIntervalsMs.receiptsMs: must be a positive whole number',
      'settings.accounting.revenueAccountCombination: must be account segments',
      'settings.colour: is not a known field',
    ])
      assert.ok(bad.err.includes(f), `${f} in ${bad.err}`);
    assert.equal((await config.getTenantSnapshot('omega')).settings.initialLookbackDays, 90, 'nothing applied');
    assert.equal((await mlc('settings', 'set', 'omega', 'initialLookbackDays:=ninety')).code, 2, 'not JSON: usage error');
    assert.equal((await mlc('settings', 'get', 'omega', 'nosuch')).code, 2);
    const cleared = await mlc('settings', 'set', 'omega', 'accounting:=null');
    assert.equal(cleared.code, 0, cleared.err);
    assert.match(cleared.out, /^accounting\.businessUnit\s+\(not set\)/m);
  });
});
