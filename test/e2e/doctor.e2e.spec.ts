import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { execFile } from 'node:child_process';
import pg from 'pg';
import { join } from 'node:path';
import { REPO_ROOT, startService, testDatabase, testKafka, type RunningService, type TestDatabase } from '@mlc/platform-testing';

const OPS = 'opskey-doctor-cli';
const T = 'acme';
const SB_PAT = 'sbpat_acme_doctor_test_00000000000000000000';
const SHOP_SECRET = 'acme-shop-secret';
const FUSION_SCOPE = 'urn:opc:resource:fa:instanceid=1234567urn:opc:resource:consumer::all';

interface Finding {
  check: string;
  partner: string;
  status: string;
  message: string;
  fix?: string;
}

/**
 * `mlc doctor` against a real audit-projector and the three sandboxes, for a second (non-demo) tenant whose Fusion
 * pod, ShipBob account and shop hold values of their own.
 */
describe('mlc doctor against a running audit-projector and the sandboxes', () => {
  let db: TestDatabase;
  let svc: RunningService;
  let fusion: FusionSandbox;
  let shipbob: ShipbobSandbox;
  let shopify: ShopifySandbox;
  let fusionUrl: string;

  /** The real `mlc` process (dist/services/cli), secrets handed over in its environment. */
  function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const env = {
      ...process.env,
      MLC_API_URL: svc.url,
      MLC_API_KEY: OPS,
      FUSION_SECRET: 'sandbox-secret',
      SB_PAT,
      SB_PAT_WRONG: 'sbpat_not_a_real_token_000000000000000000',
      SHOP_SECRET,
      SHOP_SECRET_WRONG: 'not-the-secret',
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [join(REPO_ROOT, 'dist/services/cli/src/main.js'), ...argv], { env, timeout: 90_000 }, (err, out, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: stderr }),
      );
    });
  }
  const ok = async (...argv: string[]) => {
    const r = await mlc(...argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}${r.out}`);
    return r;
  };
  const doctorJson = async (): Promise<{ code: number; body: { tenantId: string; ok: boolean; findings: Finding[] } }> => {
    const r = await mlc('doctor', T, '--json');
    assert.ok(r.code === 0 || r.code === 3, r.err);
    return { code: r.code, body: JSON.parse(r.out) };
  };
  const failsOf = (fs: Finding[]) => fs.filter((f) => f.status === 'fail');
  /** Settings have no CLI command on this branch (part A builds `mlc settings set`): the admin API's PATCH. */
  const setAccounting = async (patch: Record<string, string>) => {
    const body = {
      settings: {
        accounting: {
          businessUnit: 'Acme US BU',
          transactionSource: 'ACME_SHOP',
          transactionType: 'Invoice',
          paymentTerms: '30 Net',
          revenueAccountCombination: '201-20-4100-000',
          guestCustomerAccountNumber: 'ACME-GUEST',
          ...patch,
        },
      },
    };
    const res = await fetch(`${svc.url}/admin/tenants/${T}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-api-key': OPS },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.text());
  };

  let shipbobUrl: string;
  let shopifyUrl: string;
  /** The whole connection each time: partial connection updates come with part A (issue 16). */
  const setShipbob = (channelId: string, tokenEnv = 'SB_PAT') =>
    ok(
      'connections',
      'set',
      T,
      'shipbob',
      '--base-url',
      shipbobUrl,
      '--set',
      'auth.type=pat',
      '--set-env',
      `auth.token=${tokenEnv}`,
      '--set',
      `channelId=${channelId}`,
      '--set',
      'webhookSecrets=whsec_YWNtZXNoaXBib2J3ZWJob29ra2V5MDAw',
    );
  const setShopify = (secretEnv = 'SHOP_SECRET') =>
    ok(
      'connections',
      'set',
      T,
      'shopify',
      '--base-url',
      shopifyUrl,
      '--set',
      'shopDomain=acme-test.myshopify.com',
      '--set',
      'apiVersion=2026-10',
      '--set',
      'auth.type=client-credentials',
      '--set',
      'auth.clientId=acme-client',
      '--set-env',
      `auth.clientSecret=${secretEnv}`,
      '--set-env',
      'webhookSecrets=SHOP_SECRET',
    );

  before(async () => {
    const { suffix } = await testKafka('doctorcli');
    db = await testDatabase('doctorcli');
    fusion = new FusionSandbox({
      setup: {
        businessUnits: ['Acme US BU', 'Acme CA BU'],
        transactionSources: ['ACME_SHOP'],
        transactionTypes: ['Invoice', 'Credit Memo'],
        accountCombinations: [{ combination: '201-20-4100-000' }, { combination: '201-20-4200-000', enabled: false }],
      },
    });
    fusion.receivables.seedCustomerAccount({
      accountNumber: 'ACME-GUEST',
      name: 'Acme Guests',
      address: { Address1: '1 Main St', City: 'Austin', State: 'TX', PostalCode: '78701', Country: 'US' },
    });
    fusionUrl = await fusion.listen(0);
    shipbob = new ShipbobSandbox();
    shipbob.seedData({
      channel: { id: 2000, name: 'Acme Connector' },
      pat: SB_PAT,
      products: [
        { sku: 'AC-100', name: 'Acme Widget' },
        { sku: 'AC-200', name: 'Acme Gadget' },
      ],
      fulfillmentCenters: [
        { id: 21, name: 'Cicero (IL)' },
        { id: 22, name: 'Reno (NV)' },
      ],
    });
    shipbobUrl = await shipbob.listen(0);
    shopify = new ShopifySandbox({ shopDomain: 'acme-test.myshopify.com', clientId: 'acme-client', clientSecret: SHOP_SECRET });
    shopifyUrl = await shopify.listen(0);
    // Where the partners are told to deliver (no gateway runs here: nothing is delivered in this spec).
    svc = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${OPS}:*`,
      OPS_LAG_GROUPS: `none${suffix}`,
      MLC_WEBHOOK_BASE_URL: 'http://127.0.0.1:3999',
    });

    // Tenant acme, configured correctly with mlc commands (settings: see setAccounting).
    await ok('tenants', 'create', T, '--name', 'Acme Ltd');
    await ok(
      'connections',
      'set',
      T,
      'fusion',
      '--base-url',
      fusionUrl,
      '--set',
      'auth.type=oauth2-client-credentials',
      '--set',
      `auth.tokenUrl=${fusionUrl}/oauth2/v1/token`,
      '--set',
      'auth.clientId=MLC_INTEGRATION',
      '--set-env',
      'auth.clientSecret=FUSION_SECRET',
      '--set',
      `auth.scope=${FUSION_SCOPE}`,
    );
    await setShipbob('2000');
    await setShopify();
    await setAccounting({});
    await ok('mappings', 'set', T, 'item-product', 'ACME-ITEM-1', '--set', 'shipbobSku=AC-100');
    await ok('mappings', 'set', T, 'item-product', 'ACME-ITEM-2', '--set', 'shipbobSku=AC-200');
    await ok('mappings', 'set', T, 'supplier-fc', 'Acme Supplier', '--set', 'fulfillmentCenterId=21');
    await ok('mappings', 'set', T, 'ship-to-fc', 'ACME-DC', '--set', 'fulfillmentCenterId=22');
    await ok('mappings', 'set', T, 'shipbob-event-rule', 'order.shipped', '--set', 'action=mark-shipped');
    await ok('webhooks', 'subscribe', T, 'shipbob');
    await ok('webhooks', 'subscribe', T, 'shopify');
  });

  after(async () => {
    await svc?.stop();
    await Promise.all([fusion?.close(), shipbob?.close(), shopify?.close()]);
    await db?.drop();
  });

  it('passes for a correctly configured second tenant, with checks grouped by partner', async () => {
    const r = await mlc('doctor', T);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^doctor acme: all prerequisites met\n/);
    assert.match(r.out, /\nFUSION\n {2}✔ fusion\.connection: /);
    assert.match(r.out, /✔ fusion\.setup\.businessUnit: business unit "Acme US BU" exists in Fusion/);
    assert.match(r.out, /✔ fusion\.setup\.revenueAccountCombination: GL account combination 201-20-4100-000 exists and is enabled/);
    assert.match(r.out, /✔ fusion\.setup\.guestCustomerAccountNumber: guest customer account ACME-GUEST exists/);
    assert.match(r.out, /✔ shipbob\.channel: channel 2000 \(Acme Connector\) exists and is writable/);
    assert.match(r.out, /✔ shipbob\.fulfillmentCenters: all 2 mapped fulfillment centers exist/);
    assert.match(r.out, /✔ shipbob\.products: 2 mapped products exist in ShipBob/);
    assert.match(r.out, /✔ shopify\.credentials: /);
    assert.match(r.out, /✔ shopify\.scopes: the app has read_orders, read_customers\n/);
    assert.match(r.out, /! fusion\.setup\.paymentTerms: payment terms "30 Net" not checked/);
    assert.match(r.out, /✔ webhook-subscriptions: /);
    assert.ok(!r.out.includes('sandbox-secret') && !r.out.includes(SB_PAT) && !r.out.includes(SHOP_SECRET), 'no secret in the output');
    const { body } = await doctorJson();
    assert.equal(body.ok, true);
    assert.deepEqual(failsOf(body.findings), []);
  });

  it('reports each of six planted misconfigurations with its fix (exit 3), and passes once they are fixed', async () => {
    await setAccounting({ businessUnit: 'Acme EU BU', revenueAccountCombination: '201-20-9999-000' });
    await ok('mappings', 'set', T, 'supplier-fc', 'Acme Supplier', '--set', 'fulfillmentCenterId=99');
    await ok('mappings', 'set', T, 'item-product', 'ACME-ITEM-2', '--set', 'shipbobSku=AC-404');
    await setShopify('SHOP_SECRET_WRONG');
    await setShipbob('9999');

    const human = await mlc('doctor', T);
    assert.equal(human.code, 3, human.out + human.err);
    assert.match(human.out, /^doctor acme: prerequisites missing\n/);
    assert.match(
      human.out,
      /✖ fusion\.setup\.businessUnit: Fusion has no business unit "Acme EU BU" \(finBusinessUnitsLOV\); known: Acme US BU, Acme CA BU\n {6}fix: mlc settings set acme accounting\.businessUnit="Acme US BU"/,
    );
    assert.ok(!human.out.includes(SHOP_SECRET) && !human.out.includes('not-the-secret'), 'no secret in the output');

    const { code, body } = await doctorJson();
    assert.equal(code, 3);
    assert.equal(body.ok, false);
    const fails = failsOf(body.findings);
    const byCheck = (check: string, text: RegExp) => {
      const f = fails.find((x) => x.check === check && text.test(x.message));
      assert.ok(f, `expected a failed ${check} matching ${text}; fails: ${JSON.stringify(fails, null, 1)}`);
      return f;
    };
    assert.match(byCheck('fusion.setup.businessUnit', /Acme EU BU/).fix!, /^mlc settings set acme accounting\.businessUnit=/);
    assert.match(
      byCheck('fusion.setup.revenueAccountCombination', /no GL account combination 201-20-9999-000/).fix!,
      /^mlc settings set acme accounting\.revenueAccountCombination=/,
    );
    assert.match(
      byCheck('shipbob.fulfillmentCenter', /supplier-fc mapping Acme Supplier -> fulfillment center 99/).fix!,
      /^mlc mappings set acme supplier-fc "Acme Supplier" --set fulfillmentCenterId=21 {3}\(valid ids: 21 \(Cicero \(IL\)\), 22 \(Reno \(NV\)\)\)$/,
    );
    assert.match(
      byCheck('shipbob.product', /item-product mapping ACME-ITEM-2 -> SKU AC-404/).fix!,
      /^mlc mappings set acme item-product ACME-ITEM-2 --set shipbobSku=/,
    );
    assert.match(
      byCheck('shopify.credentials', /refused the credentials/).fix!,
      /^mlc connections set acme shopify --set auth\.type=client-credentials .*--set-env auth\.clientSecret=SHOPIFY_CLIENT_SECRET/,
    );
    assert.match(
      byCheck('shipbob.channel', /channel 9999 is not visible to these credentials; visible: 2000 \(Acme Connector\)/).fix!,
      /^mlc connections set acme shipbob --set channelId=2000$/,
    );
    assert.equal(fails.length, 6, JSON.stringify(fails, null, 1));
    assert.ok(
      body.findings.every((f) => f.status !== 'fail' || f.fix),
      'every fail has a fix',
    );
    assert.equal(body.findings.find((f) => f.check === 'shopify.scopes')?.status, 'skipped');

    // Fixed with the commands the fixes name (settings: the admin API until `mlc settings set` is merged).
    await setAccounting({});
    await ok('mappings', 'set', T, 'supplier-fc', 'Acme Supplier', '--set', 'fulfillmentCenterId=21');
    await ok('mappings', 'set', T, 'item-product', 'ACME-ITEM-2', '--set', 'shipbobSku=AC-200');
    await setShopify();
    await setShipbob('2000');
    const fixed = await mlc('doctor', T);
    assert.equal(fixed.code, 0, fixed.out);
    assert.ok(!fixed.out.includes('✖'), fixed.out);
  });

  it('fails on a disabled GL combination and a wrong ShipBob token (later ShipBob checks skipped), warns when Fusion refuses a look-up', async () => {
    await setAccounting({ revenueAccountCombination: '201-20-4200-000' });
    await setShipbob('2000', 'SB_PAT_WRONG');
    const refused = await fetch(`${fusionUrl}/__admin/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refused: ['transactionTypesLOV'] }),
    });
    assert.equal(refused.status, 200);
    const { code, body } = await doctorJson();
    assert.equal(code, 3);
    const get = (check: string) => body.findings.find((f) => f.check === check);
    assert.equal(get('fusion.setup.revenueAccountCombination')?.status, 'fail');
    assert.match(get('fusion.setup.revenueAccountCombination')!.message, /201-20-4200-000 exists in Fusion but is disabled/);
    assert.equal(get('shipbob.credentials')?.status, 'fail');
    assert.match(get('shipbob.credentials')!.fix!, /--set-env auth\.token=SHIPBOB_PAT/);
    assert.equal(get('shipbob.mappings')?.status, 'skipped');
    assert.equal(get('shipbob.channel')?.status, 'skipped');
    assert.equal(get('fusion.setup.transactionType')?.status, 'warn');
    assert.match(get('fusion.setup.transactionType')!.message, /Fusion refused the look-up transactionTypesLOV \(403\)/);
    await setAccounting({});
    await setShipbob('2000');
    const again = await doctorJson();
    assert.equal(again.code, 0, JSON.stringify(failsOf(again.body.findings)));
  });

  it('fails on a polling cursor in the future and on a receivable PO status Fusion does not have', async () => {
    // oracle-poller's state table comes from the migrator (testDatabase ran it on this database).
    const pool = new pg.Pool({ connectionString: db.url });
    try {
      const future = Date.now() + 3 * 86_400_000;
      await pool.query(`INSERT INTO poller_feed_state (tenant_id, feed, cursor_ms) VALUES ($1, 'purchase-orders', $2), ($1, 'customer-accounts', $3)`, [
        T,
        future,
        Date.now() - 60_000,
      ]);
      const res = await fetch(`${svc.url}/admin/tenants/${T}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-api-key': OPS },
        body: JSON.stringify({ settings: { receivablePoStatuses: ['Open', 'Opened'] } }),
      });
      assert.equal(res.status, 200, await res.text());

      const { code, body } = await doctorJson();
      assert.equal(code, 3);
      const fails = failsOf(body.findings);
      assert.deepEqual(fails.map((f) => f.check).sort(), ['mlc.cursor.purchase-orders', 'mlc.receivablePoStatuses']);
      const cursor = fails.find((f) => f.check === 'mlc.cursor.purchase-orders')!;
      assert.match(cursor.message, new RegExp(`the purchase-orders cursor is in the future \\(${new Date(future).toISOString().slice(0, 10)}`));
      assert.match(cursor.fix!, /^mlc backfill acme purchase-orders --since \d{4}-\d{2}-\d{2}$/);
      assert.match(fails.find((f) => f.check === 'mlc.receivablePoStatuses')!.message, /"Opened", not a Fusion PO status/);
      assert.equal(body.findings.find((f) => f.check === 'mlc.cursor.customer-accounts')?.status, 'ok');

      await pool.query(`UPDATE poller_feed_state SET cursor_ms = $2 WHERE tenant_id = $1 AND feed = 'purchase-orders'`, [T, Date.now() - 60_000]);
      const fixed = await fetch(`${svc.url}/admin/tenants/${T}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-api-key': OPS },
        body: JSON.stringify({ settings: { receivablePoStatuses: ['Open'] } }),
      });
      assert.equal(fixed.status, 200);
      assert.equal((await doctorJson()).code, 0);
    } finally {
      await pool.end();
    }
  });

  it('exits 1 with the API error for an unknown tenant', async () => {
    const r = await mlc('doctor', 'nobody');
    assert.equal(r.code, 1);
    assert.match(r.err, /OPS\.NOT_FOUND \(404\): tenant nobody not found/);
  });
});
