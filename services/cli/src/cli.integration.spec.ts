import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import {
  ConnectionPingService,
  createTenantsDataSource,
  InMemoryTenantChangePublisher,
  runMigrations,
  SecretBox,
  startAdminTestApp,
  TenantConfigService,
} from '@mlc/tenants';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { runCli, type CliIo } from './cli';

const OPS = 'opskey-cli-test';

describe('mlc CLI over the admin API', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let app: Awaited<ReturnType<typeof startAdminTestApp>>;
  let config: TenantConfigService;
  const files = new Map<string, string>();

  async function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = {
      env: { MLC_API_URL: app.url, MLC_API_KEY: OPS, SB_PAT: 'pat-from-env' },
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
    await runMigrations(ds);
    config = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(SecretBox.generateKey('k1')), publisher: new InMemoryTenantChangePublisher() });
    const ping = new ConnectionPingService(config, { shipbob: { ping: async () => ({ reachable: true, authenticated: false, failedCheck: 'authentication', message: '401 from /channel' }) } });
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
    assert.deepEqual(JSON.parse(json.out).map((t: any) => t.id), ['acme']);
    const show = await mlc('tenants', 'show', 'acme', '--json');
    assert.equal(JSON.parse(show.out).settings.orderGrouping, 'per-po-line');
    assert.equal((await config.history('acme'))[0]?.actor.startsWith('alice ('), true);
  });

  it('sets a connection with secrets from the environment, lists it, pings it', async () => {
    const set = await mlc('connections', 'set', 'acme', 'shipbob', '--base-url', 'https://api.shipbob.com', '--set', 'auth.type=pat', '--set-env', 'auth.token=SB_PAT', '--set', 'channelId=123', '--set', 'webhookSecrets=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
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
    const code = await runCli(['tenants', 'list'], { env: { MLC_API_URL: app.url, MLC_API_KEY: 'wrong-key' }, out: () => undefined, err: (t) => (err += t), readFile: async () => '', writeFile: async () => undefined });
    assert.equal(code, 1);
    assert.match(err, /TENANTS\.UNAUTHENTICATED \(401\)/);
  });
});
