import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { PurchaseOrder } from '@mlc/partners-fusion-simulator';
import type { SimCustomer, SimOrder } from '@mlc/partners-shopify-simulator';
import { REPO_ROOT } from '@mlc/platform-testing';
import { OPERATOR_KEY, SERVICE_NAMES, SHIP_TO_LOCATIONS, System, TENANT, waitFor, WORLD, type Watch } from './support/system';

/** A would-be write as `mlc dryrun list --json` prints it. */
interface WouldBe {
  flow: string;
  partner: string;
  operation: string;
  entityType: string;
  businessId: string;
  method: string;
  path: string;
  body: unknown;
  poHeaderId: string | null;
  shopifyOrderId: string | null;
  note: string | null;
}

const TSHIRT = { sku: 'MLC-TSHIRT-M', title: 'Logo T-Shirt - M', price: '25.00' };
const HOODIE = { sku: 'MLC-HOODIE-L', title: 'Hoodie - L', price: '64.99' };

/**
 * Dry run before go-live (issue 16): tenant acme (not the demo tenant) runs both flows against the sandboxes with
 * settings.dryRun on. Partners are read, nothing is written to them; the would-be writes are listed by `mlc dryrun
 * list` with their bodies; a broken mapping still raises its exception; reconcile does not call the would-be invoice
 * missing. Then the flows go live (settings PATCH) and a replay of the writers' input writes everything exactly once.
 */
describe('dry run, then live (tenant acme, all six services, sandboxes)', { timeout: 600_000 }, () => {
  let system: System;
  let exceptions: Watch<'ops.exception.raised.v1'>;
  let wouldBe: Watch<'ops.dry-run-write.recorded.v1'>;
  let dryRunSince: string;
  let pos: PurchaseOrder[];
  let unmapped: PurchaseOrder;
  let customer: SimCustomer;
  let order: SimOrder;

  function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/services/cli/src/main.js'), ...argv],
        {
          env: { ...process.env, MLC_API_URL: system.service('audit-projector').url, MLC_API_KEY: OPERATOR_KEY },
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: stderr }),
      );
    });
  }

  const mine = (refs: string[]) => new Set(pos.map((p) => String(p.POHeaderId))).has(refs[0] ?? '');
  const shipbobOrdersOfPos = () => system.shipbobOrders().filter((o) => mine([o.reference_id.replace(/^po(\d+)-.*$/, '$1')]));
  const invoicesOf = (orderId: string) => system.fusion.receivables.invoices.filter((i) => i.fields['CrossReference'] === orderId);
  const creditsOf = (orderId: string) => {
    const ids = new Set(invoicesOf(orderId).map((i) => i.CustomerTransactionId));
    return system.fusion.receivables.creditMemos.filter((c) => ids.has(c.fields['PreviousCustomerTrxId'] as number));
  };
  const partiesOf = (customerId: string) =>
    system.fusion.receivables.parties.filter(
      (p) => p.fields['SourceSystemReferenceValue'] === customerId || p.SourceSystemReference.some((r) => r['SourceSystemReferenceValue'] === customerId),
    );
  const explain = (err: Error): never => {
    throw new Error(
      `${err.message}\nexceptions: ${JSON.stringify(exceptions.values().map((e) => [e.service, e.code, e.message.slice(0, 200)]))}` +
        `\nwould-be: ${JSON.stringify(wouldBe.values().map((w) => [w.flow, w.operation, w.businessId, w.path]))}\n${system.logs(15)}`,
    );
  };

  async function replay(flow: string, from: string): Promise<void> {
    const r = await mlc('replay', 'range', '--tenant', TENANT, '--flow', flow, '--from', from, '--to', new Date(Date.now() + 1_000).toISOString(), '--json');
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal((JSON.parse(r.out) as { status: string }).status, 'done', r.out);
  }

  before(async () => {
    // The tenant is in dry run before any service runs: nothing it reads can be written to a partner.
    system = await System.start('e2e-dryrun', { services: [], env: { SHOPIFY_SWEEP_SETTLE_MS: '4000' } });
    await system.tenants.updateTenant(TENANT, { settings: { dryRun: { purchaseOrders: true, receivables: true } } }, 'e2e');
    for (const name of SERVICE_NAMES) await system.startService(name);
    await system.subscribeWebhooks();
    exceptions = await system.watch('ops.exception.raised.v1');
    wouldBe = await system.watch('ops.dry-run-write.recorded.v1');
    dryRunSince = new Date(Date.now() - 1_000).toISOString();
  });
  after(async () => {
    await system?.close();
  });

  it('in dry run: partners are read, nothing is written to them, the would-be writes are listed with their bodies', async () => {
    pos = system.fusion.seedPurchaseOrders({
      count: 1,
      linesPerPo: 2,
      seed: 31,
      suppliers: ['Acme Components'],
      locations: SHIP_TO_LOCATIONS,
      items: WORLD.items.map((i) => ({ Item: i.item, UOM: 'Each' })),
    });
    [unmapped] = system.fusion.seedPurchaseOrders({
      count: 1,
      linesPerPo: 1,
      seed: 32,
      suppliers: ['Acme Components'],
      locations: SHIP_TO_LOCATIONS.slice(0, 1),
      items: [{ Item: WORLD.unmappedItem, UOM: 'Each' }],
    }) as [PurchaseOrder];
    customer = system.shopify.createCustomer({
      firstName: 'Dry',
      lastName: 'Runner',
      email: `dry.runner.${Date.now()}@example.com`,
      address: { address1: '150 Elgin St', city: 'Ottawa', province: 'Ontario', provinceCode: 'ON', country: 'Canada', countryCode: 'CA', zip: 'K1P 1J1' },
    });
    order = system.shopify.createOrder({
      customerId: customer.id,
      lines: [
        { sku: TSHIRT.sku, title: TSHIRT.title, price: TSHIRT.price, quantity: 2 },
        { sku: HOODIE.sku, title: HOODIE.title, price: HOODIE.price, quantity: 1 },
      ],
    });
    const orderId = String(order.id);
    const lineRefs = pos[0]!.lines.map((l) => `po${pos[0]!.POHeaderId}-l${l.POLineId}`);

    // The PO lines reach shipbob-writer and stop there: one would-be create per line.
    await waitFor(() => lineRefs.every((r) => wouldBe.values().some((w) => w.operation === 'create-order' && w.businessId.startsWith(r))), {
      timeoutMs: 90_000,
      what: 'a would-be ShipBob order per PO line',
    }).catch(explain);
    // The Shopify order reaches fusion-writer: customer, account and invoice are would-be writes.
    await waitFor(() => wouldBe.values().some((w) => w.operation === 'create-invoice' && w.shopifyOrderId === orderId), {
      timeoutMs: 90_000,
      what: 'a would-be Fusion invoice',
    }).catch(explain);
    // A refund of an order whose invoice is only a would-be write is recorded against it, not left waiting.
    system.shopify.refundOrder(order.id, { lines: [{ lineItemId: order.lineItems.find((l) => l.sku === HOODIE.sku)!.id, quantity: 1 }], note: 'damaged' });
    await waitFor(() => wouldBe.values().some((w) => w.operation === 'create-credit-memo' && w.shopifyOrderId === orderId), {
      timeoutMs: 90_000,
      what: 'a would-be credit memo',
    }).catch(explain);
    // The broken mapping raises its exception exactly as live.
    const missing = await waitFor(() => exceptions.values().find((e) => e.code === 'MAPPING.MISSING_PRODUCT' && e.message.includes(unmapped.OrderNumber)), {
      timeoutMs: 60_000,
      what: 'the missing-mapping exception',
    }).catch(explain);
    assert.equal(missing.category, 'missing-mapping');

    // Nothing in the partners' stores.
    assert.deepEqual(
      shipbobOrdersOfPos().map((o) => o.reference_id),
      [],
      'no ShipBob order in dry run',
    );
    assert.equal(invoicesOf(orderId).length, 0, 'no Fusion invoice in dry run');
    assert.equal(creditsOf(orderId).length, 0, 'no Fusion credit memo in dry run');
    assert.equal(partiesOf(String(customer.id)).length, 0, 'no Fusion party in dry run');
    assert.equal(system.fusion.receivables.accounts.filter((a) => String(a.AccountNumber).startsWith('DRYRUN')).length, 0);

    // The CLI lists them; --json carries the exact bodies.
    const po = await mlc('dryrun', 'list', TENANT, '--flow', 'purchase-orders');
    assert.equal(po.code, 0, po.err);
    for (const r of lineRefs)
      assert.match(po.out, new RegExp(`purchase-orders\\s+shipbob\\s+create-order\\s+${r}-r0\\s+\\d+\\s+POST \\S*/order\\s+reference_id=${r}-r0 `), po.out);
    const bad = await mlc('dryrun', 'list', TENANT, '--flow', 'shipments');
    assert.equal(bad.code, 2, bad.out + bad.err);
    assert.match(bad.err, /--flow must be one of purchase-orders, receivables/);
    const poJson = await mlc('dryrun', 'list', TENANT, '--flow', 'purchase-orders', '--json');
    const orders = (JSON.parse(poJson.out) as WouldBe[]).filter((w) => w.operation === 'create-order');
    assert.ok(
      orders.every((w) => w.flow === 'purchase-orders'),
      'filtered by flow',
    );
    assert.equal(orders.filter((w) => lineRefs.some((r) => w.businessId.startsWith(r))).length, lineRefs.length, 'a write recorded again is listed once');
    for (const r of lineRefs) {
      const body = orders.find((w) => w.businessId.startsWith(r))?.body as {
        reference_id: string;
        products: Array<{ reference_id?: string; sku?: string; quantity: number }>;
        recipient: { address: { city: string } };
      };
      assert.equal(body.reference_id, `${r}-r0`);
      assert.ok(
        WORLD.items.some((i) => JSON.stringify(body.products).includes(i.sku)),
        JSON.stringify(body),
      );
      assert.ok(['Reno', 'Dallas'].includes(body.recipient.address.city), JSON.stringify(body.recipient));
    }
    const ar = JSON.parse((await mlc('dryrun', 'list', TENANT, '--flow', 'receivables', '--json')).out) as WouldBe[];
    const invoice = ar.find((w) => w.operation === 'create-invoice' && w.shopifyOrderId === orderId)!;
    const invoiceBody = invoice.body as {
      CrossReference: string;
      BusinessUnit: string;
      receivablesInvoiceDistributions?: Array<{ AccountCombination: string }>;
    };
    assert.equal(invoice.method, 'POST');
    assert.match(invoice.path, /\/receivablesInvoices$/);
    assert.equal(invoiceBody.CrossReference, orderId);
    assert.ok(invoiceBody.BusinessUnit, JSON.stringify(invoiceBody));
    assert.ok(
      ar.some((w) => w.shopifyOrderId === orderId && ['create-person', 'create-organization'].includes(w.operation)),
      'the new customer is a would-be party',
    );
    const credit = ar.find((w) => w.operation === 'create-credit-memo' && w.shopifyOrderId === orderId)!;
    assert.match(credit.path, new RegExp(`against invoice ${orderId}`));
    assert.ok(!JSON.stringify(ar).includes(system.fusion.options.basicPassword), 'no credential in a recorded request');

    // Reconcile: the order's invoice is a would-be document, not a difference.
    const rec = await mlc('reconcile', '--tenant', TENANT);
    assert.equal(rec.code, 0, rec.out + rec.err);
    assert.match(rec.out, new RegExp(`IN DRY RUN[^\\n]*\\n[^]*${orderId}`), rec.out);
  });

  it('switched live (settings PATCH) and replayed: every write happens exactly once', async () => {
    const orderId = String(order.id);
    const patch = await system.operator('PATCH', `/admin/tenants/${TENANT}`, { settings: { dryRun: { purchaseOrders: false, receivables: false } } });
    assert.equal(patch.status, 200, JSON.stringify(patch.json));
    assert.deepEqual((patch.json as { settings: { dryRun: unknown } }).settings.dryRun, { purchaseOrders: false, receivables: false });
    // The writers drop their cached tenant when the change event arrives; audit-projector projects the same topic.
    const version = (patch.json as { configVersion: number }).configVersion;
    await waitFor(
      async () => {
        const r = (await system.operator('GET', `/ops/audit?tenant=${TENANT}&entityType=tenant-config&limit=1000`)).json as {
          entries: Array<{ attrs: { version?: string } }>;
        };
        return r.entries.some((e) => Number(e.attrs.version) >= version);
      },
      { timeoutMs: 30_000, what: 'the settings change on Kafka' },
    );

    await replay('shipbob-orders', dryRunSince);
    await replay('receivables', dryRunSince);
    const lines = pos[0]!.lines.length;
    await waitFor(() => shipbobOrdersOfPos().length === lines, { timeoutMs: 90_000, what: `${lines} ShipBob orders after going live` }).catch(explain);
    await waitFor(() => invoicesOf(orderId).length === 1 && creditsOf(orderId).length === 1, {
      timeoutMs: 90_000,
      what: 'the invoice and the credit memo after going live',
    }).catch(explain);

    // A second replay changes nothing: the writers' own idempotency, now that the ledgers hold the live writes.
    await replay('shipbob-orders', dryRunSince);
    await replay('receivables', dryRunSince);
    const refs = shipbobOrdersOfPos().map((o) => o.reference_id);
    assert.equal(refs.length, lines);
    assert.equal(new Set(refs).size, lines, 'no reference_id twice in ShipBob');
    assert.equal(invoicesOf(orderId).length, 1, 'one invoice');
    assert.equal(creditsOf(orderId).length, 1, 'one credit memo');
    assert.ok(!invoicesOf(orderId)[0]!.fields['TransactionNumber']?.toString().startsWith('DRYRUN'), 'a real invoice, not a stand-in');
    assert.equal(
      exceptions.values().filter((e) => e.service === 'fusion-writer' || e.service === 'shipbob-writer').length,
      0,
      JSON.stringify(exceptions.values().map((e) => [e.service, e.code, e.message])),
    );
  });
});
