import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FusionSandbox, type PurchaseOrder } from '@mlc/partners-fusion-simulator';
import { generateWebhookSecret, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox, type SimOrder } from '@mlc/partners-shopify-simulator';
import { REPO_ROOT } from '@mlc/platform-testing';
import { OPERATOR_KEY, PO_PIPELINE, SERVICE_NAMES, SHOPIFY_PIPELINE, System, waitFor, type Watch } from './support/system';

/**
 * Issue 16's "Done when": a customer (globex, not the demo tenant) is onboarded against partner systems of its own —
 * its Fusion pod, ShipBob account and shop, each a strict sandbox holding globex's values — with `mlc` commands only.
 * The tenant file carries five mistakes a customer makes; `mlc tenants init` ends with doctor listing each with its
 * fix (exit 3); the fixes are applied with the commands doctor names and doctor passes. Both flows then run first in
 * dry run (no partner write, the would-be writes listed) and then live, once each.
 */
const G = 'globex';
const DC = { LocationCode: 'GX-CHICAGO-DC', Address: '2200 S Halsted St, Chicago, IL 60608, Cook, United States' };
const ITEMS = [
  { item: 'GX-PUMP-100', sku: 'GX-SKU-PUMP' },
  { item: 'GX-VALVE-200', sku: 'GX-SKU-VALVE' },
];
const FC = { id: 4100, name: 'Globex Chicago FC' };
const GX_PAT = 'sbpat_globex_onboarding_000000000000000000';
const SHOP = { domain: 'globex-industrial.myshopify.com', clientId: 'globex-app-client', secret: 'globex-app-secret-0123456789' };
const ACCOUNTING = {
  businessUnit: 'Globex US BU',
  transactionSource: 'GLOBEX_WEBSTORE',
  transactionType: 'Invoice',
  paymentTerms: 'IMMEDIATE',
  revenueAccountCombination: '310-20-4100-000',
  guestCustomerAccountNumber: 'GX-GUEST',
};

interface Finding {
  check: string;
  partner: string;
  status: string;
  message: string;
  fix?: string;
}
interface WouldBe {
  flow: string;
  partner: string;
  operation: string;
  businessId: string;
  method: string;
  path: string;
  body: unknown;
  shopifyOrderId: string | null;
}

describe('onboarding a second tenant with mlc only: doctor finds five mistakes, dry run, then live (end to end)', { timeout: 900_000 }, () => {
  let system: System;
  let fusion: FusionSandbox;
  let shipbob: ShipbobSandbox;
  let shopify: ShopifySandbox;
  let dir: string;
  let exceptions: Watch<'ops.exception.raised.v1'>;
  let dryRunFrom: string;
  let po: PurchaseOrder;
  let order: SimOrder;

  const secrets = { GX_FUSION_PASSWORD: 'globex-fusion-pw', GX_SHIPBOB_PAT: GX_PAT, GX_SHIPBOB_WHSEC: generateWebhookSecret(), GX_SHOPIFY_SECRET: SHOP.secret };
  function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/services/cli/src/main.js'), ...argv],
        {
          env: { ...process.env, ...secrets, MLC_API_URL: system.service('audit-projector').url, MLC_API_KEY: OPERATOR_KEY },
          timeout: 180_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: stderr }),
      );
    });
  }
  const ok = async (...argv: string[]) => {
    const r = await mlc(...argv);
    assert.equal(r.code, 0, `mlc ${argv.join(' ')} → ${r.code}\n${r.out}${r.err}`);
    return r;
  };
  const noSecretIn = (text: string) => {
    for (const [name, value] of Object.entries(secrets)) assert.ok(!text.includes(value), `${name} printed`);
  };
  const shipbobOrdersOf = (p: PurchaseOrder) => shipbob.orders.filter((o) => o.reference_id.startsWith(`po${p.POHeaderId}-`) && o.status !== 'Cancelled');
  const invoicesOf = (o: SimOrder) => fusion.receivables.invoices.filter((i) => i.fields['CrossReference'] === String(o.id));
  const wouldBe = async (flow: string): Promise<WouldBe[]> => JSON.parse((await ok('dryrun', 'list', G, '--flow', flow, '--json')).out) as WouldBe[];
  const explain = (err: Error): never => {
    throw new Error(
      `${err.message}\nexceptions: ${JSON.stringify(exceptions.values().map((e) => [e.service, e.code, e.message.slice(0, 200)]))}\n${system.logs(15)}`,
    );
  };

  before(async () => {
    // The platform with its demo-like tenant acme; globex's partners are systems of its own.
    system = await System.start('e2e-onboarding', { services: [] });
    // As deployed: audit-projector knows the gateway's address as the partners reach it (MLC_WEBHOOK_BASE_URL).
    const gateway = await system.startService('webhook-gateway');
    await system.startService('audit-projector', { MLC_WEBHOOK_BASE_URL: gateway.url });
    for (const name of SERVICE_NAMES) if (name !== 'webhook-gateway' && name !== 'audit-projector') await system.startService(name);
    exceptions = await system.watch('ops.exception.raised.v1');
    fusion = new FusionSandbox({
      seed: 19,
      receiptProcessingDelayMs: 1_500,
      basicUser: 'globex.integration',
      basicPassword: secrets.GX_FUSION_PASSWORD,
      setup: {
        businessUnits: [ACCOUNTING.businessUnit],
        transactionSources: [ACCOUNTING.transactionSource],
        transactionTypes: ['Invoice', 'Credit Memo'],
        accountCombinations: [{ combination: ACCOUNTING.revenueAccountCombination }],
      },
    });
    fusion.receivables.seedCustomerAccount({
      accountNumber: ACCOUNTING.guestCustomerAccountNumber,
      name: 'Globex web guests',
      address: { Address1: '1 Globex Way', City: 'Chicago', State: 'IL', PostalCode: '60601', Country: 'US' },
    });
    await fusion.listen(0);
    shipbob = new ShipbobSandbox({ webhookTimeScale: 1000, webhookMinTimeoutMs: 3_000 });
    shipbob.seedData({
      channel: { id: 7100, name: 'Globex Connector' },
      pat: GX_PAT,
      products: ITEMS.map((i) => ({ sku: i.sku, name: i.item, on_hand_qty: 500 })),
      fulfillmentCenters: [FC],
    });
    await shipbob.listen(0);
    shopify = new ShopifySandbox({ shopDomain: SHOP.domain, clientId: SHOP.clientId, clientSecret: SHOP.secret, webhookMinTimeoutMs: 3_000 });
    await shopify.listen(0);

    // The customer's tenant file and mapping CSVs, with five mistakes in them.
    dir = await mkdtemp(join(tmpdir(), 'mlc-onboarding-'));
    await writeFile(join(dir, 'item-product.csv'), `fusionItem,shipbobSku\n${ITEMS[0]!.item},${ITEMS[0]!.sku}\n${ITEMS[1]!.item},GX-SKU-VALVE-OLD\n`); // mistake 1: a SKU ShipBob does not have
    await writeFile(join(dir, 'ship-to-fc.csv'), `shipToLocation,fulfillmentCenterId\n${DC.LocationCode},4199\n`); // mistake 2: a fulfillment center that does not exist
    await writeFile(
      join(dir, 'tenant.yaml'),
      `tenant:
  name: Globex Industrial
  mode: demo
connections:
  fusion:
    baseUrl: ${fusion.url}
    auth:
      type: basic
      username: globex.integration
      password: "\${GX_FUSION_PASSWORD}"
  shipbob:
    baseUrl: ${shipbob.url}
    channelId: 7100
    auth:
      type: pat
      token: "\${GX_SHIPBOB_PAT}"
    webhookSecrets: ["\${GX_SHIPBOB_WHSEC}"]
  shopify:
    baseUrl: ${shopify.url}
    shopDomain: ${SHOP.domain}
    apiVersion: 2026-10
    auth:
      type: client-credentials
      clientId: ${SHOP.clientId}
      clientSecret: "\${GX_SHOPIFY_SECRET}"
    webhookSecrets: ["\${GX_SHOPIFY_SECRET}"]
settings:
  accounting:
    businessUnit: ${ACCOUNTING.businessUnit}
    transactionSource: GLOBEX_WEB_STORE
    transactionType: ${ACCOUNTING.transactionType}
    paymentTerms: ${ACCOUNTING.paymentTerms}
    revenueAccountCombination: 310-20-4000-000
    guestCustomerAccountNumber: ${ACCOUNTING.guestCustomerAccountNumber}
  pollingIntervalsMs:
    purchaseOrdersMs: 1000
    receiptsMs: 2000
    shipbobOrdersMs: 2000
    shopifyOrdersMs: 2000
  dryRun:
    purchaseOrders: true
    receivables: true
mappings:
  item-product: item-product.csv
  ship-to-fc: ship-to-fc.csv
webhooks:
  shipbob: false
  shopify: true
`,
    ); // mistakes 3 and 4: a transaction source and a GL account Fusion does not have; 5: ShipBob's webhooks not subscribed
  });
  after(async () => {
    await system?.close();
    await Promise.allSettled([fusion?.close(), shipbob?.close(), shopify?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tenants init sets the tenant up and doctor lists the five mistakes with their fixes; fixed with mlc, doctor passes', async () => {
    const init = await mlc('tenants', 'init', G, '--from', join(dir, 'tenant.yaml'));
    assert.equal(init.code, 3, `init ends with doctor's failures (exit 3)\n${init.out}${init.err}`);
    noSecretIn(init.out + init.err);

    const report = JSON.parse((await mlc('doctor', G, '--json')).out) as { ok: boolean; findings: Finding[] };
    assert.equal(report.ok, false);
    const fails = report.findings.filter((f) => f.status === 'fail');
    const failed = (re: RegExp) => fails.find((f) => re.test(`${f.check} ${f.message}`));
    const planted = {
      source: failed(/transactionSource/),
      account: failed(/revenueAccountCombination/),
      center: failed(/shipbob\.fulfillmentCenter/),
      product: failed(/shipbob\.product/),
      webhooks: fails.find((f) => /webhook/.test(f.check) && f.partner === 'shipbob'),
    };
    for (const [name, f] of Object.entries(planted)) assert.ok(f?.fix, `${name}: a failure with a fix; failures: ${JSON.stringify(fails, null, 1)}`);
    assert.equal(fails.length, 5, `exactly the five planted mistakes fail: ${JSON.stringify(fails, null, 1)}`);
    assert.match(planted.center!.fix!, /4100/, 'the fix lists the fulfillment centers that exist');
    assert.match(planted.webhooks!.fix!, /mlc webhooks subscribe globex shipbob/);

    // The fixes, with mlc only.
    await ok(
      'settings',
      'set',
      G,
      `accounting.transactionSource=${ACCOUNTING.transactionSource}`,
      `accounting.revenueAccountCombination=${ACCOUNTING.revenueAccountCombination}`,
    );
    await ok('mappings', 'set', G, 'item-product', ITEMS[1]!.item, '--set', `shipbobSku=${ITEMS[1]!.sku}`);
    await ok('mappings', 'set', G, 'ship-to-fc', DC.LocationCode, '--set', `fulfillmentCenterId=${FC.id}`);
    noSecretIn((await ok('webhooks', 'subscribe', G, 'shipbob')).out);
    const doctor = await mlc('doctor', G);
    assert.equal(doctor.code, 0, doctor.out + doctor.err);
    noSecretIn(doctor.out);
  });

  it('in dry run both flows run on globex’s data and nothing is written to its partners; the would-be writes are listed', async () => {
    dryRunFrom = new Date(Date.now() - 1_000).toISOString();
    [po] = fusion.seedPurchaseOrders({
      count: 1,
      linesPerPo: 1,
      seed: 41,
      suppliers: ['Globex Supply Co'],
      locations: [DC],
      items: ITEMS.map((i) => ({ Item: i.item, UOM: 'Each' })),
    }) as [PurchaseOrder];
    fusion.procurement.addLine(String(po.POHeaderId), { Item: ITEMS[1]!.item, Quantity: 3, UOM: 'Each' });
    const customer = shopify.createCustomer({
      firstName: 'Hank',
      lastName: 'Scorpio',
      email: `hank.${Date.now()}@globex.example`,
      address: {
        address1: '1 Cypress Creek Rd',
        city: 'Chicago',
        province: 'Illinois',
        provinceCode: 'IL',
        country: 'United States',
        countryCode: 'US',
        zip: '60601',
      },
    });
    order = shopify.createOrder({ customerId: customer.id, lines: [{ sku: ITEMS[0]!.sku, title: 'Pump', price: '120.00', quantity: 2 }] });

    const lineRefs = po.lines.map((l) => `po${po.POHeaderId}-l${l.POLineId}`);
    assert.equal(lineRefs.length, 2);
    await waitFor(
      async () =>
        (await wouldBe('purchase-orders')).filter((w) => w.operation === 'create-order' && lineRefs.some((r) => w.businessId.startsWith(r))).length === 2,
      {
        timeoutMs: 120_000,
        what: 'a would-be ShipBob order per PO line',
      },
    ).catch(explain);
    await waitFor(async () => (await wouldBe('receivables')).some((w) => w.operation === 'create-invoice' && w.shopifyOrderId === String(order.id)), {
      timeoutMs: 120_000,
      what: 'a would-be Fusion invoice',
    }).catch(explain);

    const creates = (await wouldBe('purchase-orders')).filter((w) => w.operation === 'create-order');
    for (const w of creates.filter((c) => lineRefs.some((r) => c.businessId.startsWith(r)))) {
      const body = w.body as {
        products: unknown[];
        recipient: { address: { city: string; country: string } };
        location_id?: number;
        fulfillment_center?: { id: number };
      };
      assert.equal(body.recipient.address.city, 'Chicago');
      assert.equal(body.recipient.address.country, 'US');
      assert.ok(JSON.stringify(body).includes(String(FC.id)), `the mapped fulfillment center: ${JSON.stringify(body)}`);
    }
    const invoice = (await wouldBe('receivables')).find((w) => w.operation === 'create-invoice' && w.shopifyOrderId === String(order.id))!;
    assert.ok(
      JSON.stringify(invoice.body).includes(ACCOUNTING.transactionSource) && JSON.stringify(invoice.body).includes(ACCOUNTING.revenueAccountCombination),
      JSON.stringify(invoice.body),
    );

    assert.deepEqual(
      shipbob.orders.map((o) => o.reference_id),
      [],
      'no ShipBob order in dry run',
    );
    assert.equal(fusion.receivables.invoices.length, 0, 'no Fusion invoice in dry run');
    assert.deepEqual(
      exceptions
        .values()
        .filter((e) => e.meta.tenantId === G)
        .map((e) => [e.code, e.message.slice(0, 160)]),
      [],
      'globex, set up as doctor asks, raises nothing',
    );
  });

  it('live: the dry run’s records are written once, new records flow, and ShipBob’s webhooks come back to globex’s Fusion', async () => {
    await ok('settings', 'set', G, 'dryRun.purchaseOrders:=false', 'dryRun.receivables:=false');
    const to = new Date(Date.now() + 1_000).toISOString();
    // The writers' tenant cache may hold the dry-run setting for a moment after the change.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const flow of ['shipbob-orders', 'receivables']) await ok('replay', 'range', '--tenant', G, '--flow', flow, '--from', dryRunFrom, '--to', to);

    await waitFor(() => shipbobOrdersOf(po).length === 2, { timeoutMs: 120_000, what: 'the PO lines as ShipBob orders' }).catch(explain);
    await waitFor(() => invoicesOf(order).length === 1, { timeoutMs: 120_000, what: 'the Shopify order as a Fusion invoice' }).catch(explain);
    assert.equal(invoicesOf(order)[0]!.fields['TransactionSource'], ACCOUNTING.transactionSource);

    // A PO made after go-live flows straight through; a shipment comes back by the webhook subscribed with mlc.
    const [later] = fusion.seedPurchaseOrders({
      count: 1,
      linesPerPo: 1,
      seed: 42,
      suppliers: ['Globex Supply Co'],
      locations: [DC],
      items: [{ Item: ITEMS[0]!.item, UOM: 'Each' }],
    }) as [PurchaseOrder];
    await waitFor(() => shipbobOrdersOf(later).length === 1, { timeoutMs: 120_000, what: 'the new PO’s ShipBob order' }).catch(explain);
    shipbob.runLifecycle(shipbobOrdersOf(later)[0]!.shipments[0]!.id);
    await waitFor(
      () => fusion.written.receipts.some((r) => String(r['OrderNumber']) === later.OrderNumber || String(r['POHeaderId']) === String(later.POHeaderId)),
      {
        timeoutMs: 180_000,
        what: 'the delivery received against globex’s PO in its Fusion',
      },
    ).catch(explain);

    // Exactly once: another replay of the same range writes nothing more.
    for (const flow of ['shipbob-orders', 'receivables']) await ok('replay', 'range', '--tenant', G, '--flow', flow, '--from', dryRunFrom, '--to', to);
    await system.handled(PO_PIPELINE, SHOPIFY_PIPELINE); // the replayed records are handled (and wrote nothing)
    assert.equal(shipbobOrdersOf(po).length, 2, 'one ShipBob order per line');
    assert.equal(invoicesOf(order).length, 1, 'one invoice');
    const refs = shipbob.orders.map((o) => o.reference_id);
    assert.equal(new Set(refs).size, refs.length, 'no reference_id twice');
  });
});
