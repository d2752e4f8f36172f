import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FusionClient } from '@mlc/partners-fusion-client';
import type { ArTransaction } from '@mlc/partners-fusion-simulator';
import { REPO_ROOT } from '@mlc/platform-testing';
import { OPERATOR_KEY, SHOPIFY_PIPELINE, System, TENANT, waitFor, type Watch } from './support/system';

/**
 * Issue 15, "Done when": tenant `acme` (not the demo tenant; live mode against the strict sandboxes) is fed
 *  - every Shopify published webhook sample in test/fixtures/shopify/ byte for byte, signed by the Shopify sandbox
 *    (`POST /__admin/webhooks/publish-sample?topic=…` with the file as the raw body), and
 *  - orders the Shopify sandbox makes itself, with an edit, a partial and a full refund, a cancellation, and
 *    duplicated, reordered deliveries (`/__admin/webhook-faults`, `/__admin/webhooks/flush`).
 * For every order, Fusion's invoices + amendment invoices − credit memos (read from the Fusion sandbox) must equal
 * what Shopify says the customer owes, to the cent; every refund is a credit memo whose PreviousCustomerTransactionId
 * is the order's invoice; `mlc reconcile` lists none of these orders, then lists the one whose Fusion side the test
 * changes by posting an extra invoice.
 *
 * What a cancelled order owes (ADR-001 §7, libs/domain/accounting/ADR-001-order-amendments.md): cancelling closes
 * the order's receivable: each Complete invoice (the original and its `-A<n>` amendments) is credited for what is
 * still open on it, so Fusion nets to 0.00. Shopify keeps `current_total_price` on a cancelled order (its own
 * published samples are a cancelled, voided order whose `current_total_price` is 414.95; the sandbox does the same),
 * so for a cancelled order the expectation is 0.00, not `current_total_price`, and reconciliation compares a
 * cancelled order with 0.00 as well.
 */

const FIXTURES = join(REPO_ROOT, 'test/fixtures/shopify');
/** The published samples, in the order a shop would send them: customer, order, payment, refund, then the cancelled order's update. */
const SAMPLES: Array<[topic: string, file: string]> = [
  ['customers/create', 'customers_create.json'],
  ['customers/update', 'customers_update.json'],
  ['orders/create', 'orders_create.json'],
  ['orders/paid', 'orders_paid.json'],
  ['refunds/create', 'refunds_create.json'],
  ['orders/updated', 'orders_updated.json'],
];
/** The samples' one order and customers (exact digits: beyond 2^53). */
const SAMPLE_ORDER = '820982911946154508';
const SAMPLE_REFUND = '890088186047892319';
const SAMPLE_CUSTOMER = '706405506930370084';

const TSHIRT = { sku: 'MLC-TSHIRT-M', title: 'Logo T-Shirt - M', price: '25.00' };
const HOODIE = { sku: 'MLC-HOODIE-L', title: 'Hoodie - L', price: '64.99' };
const MUG = { sku: 'MLC-MUG', title: 'Enamel Mug', price: '18.00' };
const ADDRESS = { address1: '150 Elgin St', city: 'Ottawa', province: 'Ontario', provinceCode: 'ON', country: 'Canada', countryCode: 'CA', zip: 'K1P 1J1' };

const cents = (v: unknown): number => Math.round(Number(v) * 100);
const money = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
/** Shopify ids (10+ digits; some beyond 2^53) quoted before parsing: strings with their exact digits. */
const parseExact = <T>(text: string): T => JSON.parse(text.replace(/([:[,]\s*)(\d{10,})(?=\s*[,}\]])/g, '$1"$2"')) as T;

interface RestOrder {
  id: string;
  name: string;
  total_price: string;
  current_total_price: string;
  cancelled_at: string | null;
  financial_status: string;
  line_items: Array<{ id: string; sku: string; quantity: number; current_quantity: number }>;
  refunds: Array<{ id: string }>;
}

/** An invoice's amount as Fusion holds it: its lines (quantity × unit price) plus freight allocated to them. */
function invoiceCents(inv: ArTransaction): number {
  return inv.lines.reduce((s, l) => s + Math.round(Number(l['Quantity']) * Number(l['UnitSellingPrice']) * 100) + cents(l['AllocatedFreightAmount'] ?? 0), 0);
}

describe(
  'published Shopify samples and sandbox orders → Fusion receivables to the cent; mlc reconcile agrees (tenant acme, all six services)',
  { timeout: 420_000 },
  () => {
    let system: System;
    let exceptions: Watch<'ops.exception.raised.v1'>;
    let fusion: FusionClient;

    async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${system.shopify.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
      return parseExact<T>(text);
    }
    const order = (id: string) => admin<RestOrder>('GET', `/__admin/orders/${id}`);

    /** The Fusion documents of an order: invoices by CrossReference (`<id>`, `<id>-A<n>`), memos by PreviousCustomerTransactionId. */
    function documentsOf(orderId: string) {
      const store = system.fusion.receivables;
      const invoices = store.invoices.filter((i) => i.fields['CrossReference'] === orderId || String(i.fields['CrossReference']).startsWith(`${orderId}-A`));
      const ids = new Set(invoices.map((i) => i.CustomerTransactionId));
      const memos = system.fusion.written.invoiceCredits.filter((c) => ids.has(c['PreviousCustomerTransactionId'] as number));
      const net = invoices.reduce((s, i) => s + invoiceCents(i), 0) - memos.reduce((s, m) => s + Math.abs(cents(m['EnteredAmount'])), 0);
      return { invoices, memos, net: money(net), original: invoices.find((i) => i.fields['CrossReference'] === orderId) };
    }

    const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 45_000) => {
      await waitFor(check, { timeoutMs, what }).catch((err: Error) => {
        throw new Error(
          `${err.message}\nexceptions: ${JSON.stringify(exceptions.values().map((e) => [e.service, e.code, e.message.slice(0, 300)]))}\n${system.logs(15)}`,
        );
      });
    };

    /** The memo of a Shopify refund: against the order's invoice, found by the refund's deterministic number or its comments. */
    function refundMemo(orderId: string, refundId: string) {
      const number = `R${BigInt(refundId).toString(36).toUpperCase()}`;
      return documentsOf(orderId).memos.find((m) => m['SentTransactionNumber'] === number || String(m['CreditMemoComments']).includes(`refund ${refundId}`));
    }

    function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
      return new Promise((resolve) => {
        execFile(
          process.execPath,
          [join(REPO_ROOT, 'dist/services/cli/src/main.js'), ...argv],
          { env: { ...process.env, MLC_API_URL: system.service('audit-projector').url, MLC_API_KEY: OPERATOR_KEY }, timeout: 90_000 },
          (err, out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: stderr }),
        );
      });
    }

    before(async () => {
      system = await System.start('e2e-published', { env: { SHOPIFY_SWEEP_SETTLE_MS: '4000' } });
      exceptions = await system.watch('ops.exception.raised.v1');
      fusion = new FusionClient({
        baseUrl: system.fusion.url,
        auth: { kind: 'basic', user: system.fusion.options.basicUser, password: system.fusion.options.basicPassword },
      });
    });
    after(async () => {
      await system?.close();
    });

    const sandboxOrders: Array<{ id: string; cancelled: boolean; refunds: number }> = [];

    it("Shopify's published samples, byte for byte: invoice + rounding amendment = the sample's current_total_price, the refund a memo against the invoice, the cancellation closes the rest (net 0.00)", async () => {
      const publish = async (topic: string, file: string) => {
        const bytes = readFileSync(join(FIXTURES, file));
        const res = await fetch(`${system.shopify.url}/__admin/webhooks/publish-sample?topic=${encodeURIComponent(topic)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bytes,
        });
        assert.equal(res.status, 202, `${topic}: ${await res.text()}`);
        const sent = system.shopify.deliveries.filter((d) => d.topic === topic).at(-1)!;
        assert.equal(sent.body, bytes.toString('utf8'), `${topic} is delivered byte for byte`);
      };
      const [customersCreate, customersUpdate, ordersCreate, ordersPaid, refundsCreate, ordersUpdated] = SAMPLES;
      await publish(...customersCreate!);
      await publish(...customersUpdate!);
      await until('the samples customer in Fusion', () =>
        system.fusion.receivables.parties.some(
          (p) =>
            p.SourceSystemReference.some((r) => r['SourceSystemReferenceValue'] === SAMPLE_CUSTOMER) ||
            p.fields['SourceSystemReferenceValue'] === SAMPLE_CUSTOMER,
        ),
      );
      const sampleParties = system.fusion.receivables.parties.filter(
        (p) =>
          p.SourceSystemReference.some((r) => r['SourceSystemReferenceValue'] === SAMPLE_CUSTOMER) ||
          p.fields['SourceSystemReferenceValue'] === SAMPLE_CUSTOMER,
      );
      assert.deepEqual(
        sampleParties.map((p) => p.kind),
        ['person'],
        'the sample customer (no company) is one person, created once and updated',
      );
      const sample = JSON.parse(readFileSync(join(FIXTURES, 'orders_create.json'), 'utf8')) as { total_price: string; current_total_price: string };

      // First sight (ADR-001 §1-2): the invoice bills total_price, the sample's own figures disagree by the 10.00 its
      // current_* fields drop, which is a rounding supplementary invoice: together the sample's current_total_price.
      await publish(...ordersCreate!);
      await until('the sample invoice and its amendment', () => {
        const d = documentsOf(SAMPLE_ORDER);
        return d.invoices.length === 2 && d.invoices.every((i) => i.fields['InvoiceStatus'] === 'Complete');
      });
      let docs = documentsOf(SAMPLE_ORDER);
      assert.equal(money(invoiceCents(docs.original!)), sample.total_price, 'the invoice bills total_price (404.95)');
      assert.equal(docs.net, sample.current_total_price, "invoice + amendment = the sample's current_total_price (414.95)");

      await publish(...ordersPaid!);
      await publish(...refundsCreate!);
      await until('the sample refund credit memo', () => refundMemo(SAMPLE_ORDER, SAMPLE_REFUND) !== undefined);
      const memo = refundMemo(SAMPLE_ORDER, SAMPLE_REFUND)!;
      assert.equal(memo['PreviousCustomerTransactionId'], documentsOf(SAMPLE_ORDER).original!.CustomerTransactionId, 'the refund credits the order invoice');
      // The refund's transactions (75.00 + 10.00): what Shopify gave back, never the lines' full prices.
      assert.equal(money(Math.abs(cents(memo['EnteredAmount']))), '85.00');
      assert.equal(documentsOf(SAMPLE_ORDER).net, '329.95');

      // orders/updated carries cancelled_at: the order is cancelled, its open balance credited on each invoice.
      await publish(...ordersUpdated!);
      await until('the cancellation of the sample order', () => documentsOf(SAMPLE_ORDER).net === '0.00');
      await system.handled(SHOPIFY_PIPELINE, SHOPIFY_PIPELINE); // everything published so far is handled
      await exceptions.caughtUp();
      docs = documentsOf(SAMPLE_ORDER);
      assert.equal(docs.net, '0.00', 'a cancelled order owes nothing (ADR-001 §7)');
      assert.equal(docs.invoices.length, 2, 'no further invoice');
      assert.ok(
        docs.memos.every((m) => docs.invoices.some((i) => i.CustomerTransactionId === m['PreviousCustomerTransactionId'])),
        'every memo against one of the order invoices',
      );
      assert.deepEqual(
        exceptions
          .values()
          .filter((e) => e.message.includes(SAMPLE_ORDER))
          .map((e) => e.code),
        [],
        'no exception for the sample order',
      );
    });

    it('sandbox orders: an edit and a partial refund, a full refund delivered duplicated and newest first, an edited order cancelled: each nets to what Shopify says is owed, each refund a memo on its invoice', async () => {
      const customer = await admin<{ id: string }>('POST', '/__admin/customers', {
        firstName: 'Grace',
        lastName: 'Published',
        email: `grace.${Date.now()}@example.com`,
        address: ADDRESS,
      });
      const newOrder = (extra: Record<string, unknown> = {}) =>
        admin<RestOrder>('POST', '/__admin/orders', {
          customerId: customer.id,
          lines: [
            { sku: TSHIRT.sku, title: TSHIRT.title, price: TSHIRT.price, quantity: 3 },
            { sku: HOODIE.sku, title: HOODIE.title, price: HOODIE.price, quantity: 1 },
          ],
          ...extra,
        });
      const lineOf = (o: RestOrder, sku: string) => o.line_items.find((l) => l.sku === sku)!.id;
      const invoiced =
        (id: string, invoices = 1) =>
        () => {
          const d = documentsOf(id);
          return d.invoices.length >= invoices && d.invoices.every((i) => i.fields['InvoiceStatus'] === 'Complete');
        };

      // A: edited (one T-shirt less, a mug more), paid, the hoodie refunded.
      const a = await newOrder();
      await until('order A invoice', invoiced(a.id));
      await admin('POST', `/__admin/orders/${a.id}/edit`, {
        quantities: [{ lineItemId: lineOf(a, TSHIRT.sku), quantity: 2 }],
        addLines: [{ sku: MUG.sku, title: MUG.title, price: MUG.price, quantity: 1 }],
      });
      await until('order A amendment', invoiced(a.id, 2));
      await admin('POST', `/__admin/orders/${a.id}/pay`);
      system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
      await admin('POST', `/__admin/orders/${a.id}/refunds`, { lines: [{ lineItemId: lineOf(a, HOODIE.sku), quantity: 1 }], note: 'damaged' });
      sandboxOrders.push({ id: a.id, cancelled: false, refunds: 1 });

      // B: no shipping, paid, everything refunded; every webhook twice and held back, then delivered newest first
      // (the refund before the order it credits: it waits for the invoice, ADR-001 §6).
      await admin('POST', '/__admin/webhook-faults', { duplicate: true, reorder: true });
      const b = await newOrder({ shipping: null });
      system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
      await admin('POST', `/__admin/orders/${b.id}/pay`);
      system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
      await admin('POST', `/__admin/orders/${b.id}/refunds`, {
        lines: [
          { lineItemId: lineOf(b, TSHIRT.sku), quantity: 3 },
          { lineItemId: lineOf(b, HOODIE.sku), quantity: 1 },
        ],
        note: 'returned',
      });
      await admin('POST', '/__admin/webhooks/flush');
      await admin('POST', '/__admin/webhook-faults', {});
      assert.equal((await order(b.id)).current_total_price, '0.00', 'B is refunded in full');
      sandboxOrders.push({ id: b.id, cancelled: false, refunds: 1 });

      // C: edited up (a supplementary invoice), then cancelled unpaid (voided).
      const c = await newOrder();
      await until('order C invoice', invoiced(c.id));
      await admin('POST', `/__admin/orders/${c.id}/edit`, { addLines: [{ sku: MUG.sku, title: MUG.title, price: MUG.price, quantity: 2 }] });
      await until('order C amendment', invoiced(c.id, 2));
      const cancelled = await admin<RestOrder>('POST', `/__admin/orders/${c.id}/cancel`, { reason: 'customer' });
      assert.equal(cancelled.financial_status, 'voided');
      assert.notEqual(cancelled.current_total_price, '0.00', 'Shopify keeps the current total of a cancelled order');
      sandboxOrders.push({ id: c.id, cancelled: true, refunds: 0 });

      const owed = async (id: string) => {
        const o = await order(id);
        return o.cancelled_at ? '0.00' : o.current_total_price;
      };
      for (const o of sandboxOrders) {
        const want = await owed(o.id);
        await until(`order ${o.id} nets to ${want}`, () => documentsOf(o.id).net === want && documentsOf(o.id).memos.length >= o.refunds);
      }
      // Let duplicates and stragglers do their damage (every delivery made, two more sweeps, every record handled),
      // then check everything once more.
      await system.shopify.dispatcher.idle();
      await system.shopifySwept();
      await system.handled(SHOPIFY_PIPELINE, SHOPIFY_PIPELINE);
      for (const o of sandboxOrders) {
        const shop = await order(o.id);
        const d = documentsOf(o.id);
        assert.equal(
          d.net,
          o.cancelled ? '0.00' : shop.current_total_price,
          `order ${o.id}: invoices + amendments − credit memos = ${o.cancelled ? 'nothing (cancelled)' : 'current_total_price'}`,
        );
        assert.equal(d.invoices.filter((i) => i.fields['CrossReference'] === o.id).length, 1, `order ${o.id}: one invoice`);
        const refs = d.invoices.map((i) => String(i.fields['CrossReference']));
        assert.equal(new Set(refs).size, refs.length, `order ${o.id}: no cross-reference twice`);
        assert.equal(shop.refunds.length, o.refunds);
        for (const r of shop.refunds) {
          const m = refundMemo(o.id, r.id);
          assert.ok(m, `refund ${r.id} of order ${o.id} is a credit memo`);
          assert.equal(m['PreviousCustomerTransactionId'], d.original!.CustomerTransactionId, `refund ${r.id} credits the order invoice`);
        }
        const numbers = d.memos.map((m) => String(m['SentTransactionNumber'] ?? m['TransactionNumber']));
        assert.equal(new Set(numbers).size, numbers.length, `order ${o.id}: no credit memo twice`);
      }
      assert.equal(documentsOf(a.id).net, '93.79', 'A: 175.14 + 20.34 (mug) − 28.25 (a T-shirt) − 73.44 (the hoodie)');
      assert.equal(documentsOf(b.id).memos.length, 1, 'B: one memo, the refund');
      const bHooks = system.shopify.deliveries.filter((d) => d.body.includes(b.id)).map((d) => d.webhookId);
      assert.ok(bHooks.length >= 4, "B's webhooks: orders/create, orders/paid, refunds/create, orders/updated");
      for (const id of bHooks)
        assert.ok(
          system.shopify.dispatcher.attempts.filter((x) => x.webhookId === id && x.status >= 200 && x.status < 300).length >= 2,
          `B's webhook ${id} was delivered twice`,
        );
      assert.equal(documentsOf(c.id).invoices.length, 2, 'C: invoice and supplementary invoice, both credited by the cancellation');
    });

    it('mlc reconcile shows no difference for these orders, then the one the test plants', async () => {
      assert.equal(sandboxOrders.length, 3, 'the orders of the previous test');
      const clean = await mlc('reconcile', '--tenant', TENANT);
      assert.equal(clean.code, 0, clean.out + clean.err);
      assert.match(clean.out, /DIFFERENCES \(Shopify current total vs Fusion invoices \+ amendments - credit memos\)\n\(none\)/, clean.out);
      assert.match(clean.out, new RegExp(`${TENANT}\\s+\\d+\\s+0\\s+checked`), clean.out);

      // An extra invoice posted straight into Fusion with order A's amendment cross-reference.
      const a = sandboxOrders[0]!.id;
      const original = documentsOf(a).original!;
      const planted = await fusion.createInvoice({
        BusinessUnit: String(original.fields['BusinessUnit']),
        TransactionSource: String(original.fields['TransactionSource']),
        TransactionType: String(original.fields['TransactionType']),
        TransactionDate: String(original.fields['TransactionDate']),
        BillToCustomerNumber: String(original.fields['BillToCustomerNumber']),
        PaymentTerms: 'IMMEDIATE',
        InvoiceCurrencyCode: String(original.fields['InvoiceCurrencyCode']),
        CrossReference: `${a}-A2`,
        Comments: `planted for order ${a}`,
        receivablesInvoiceLines: [{ LineNumber: 1, Description: 'Planted', Quantity: 1, UnitSellingPrice: 12.34 }],
        receivablesInvoiceDistributions: [{ InvoiceLineNumber: 1, AccountClass: 'Revenue', AccountCombination: '101-10-4000-000', Amount: 12.34 }],
      });
      await fusion.completeInvoice(planted.CustomerTransactionId);
      const dirty = await mlc('reconcile', '--tenant', TENANT);
      assert.equal(dirty.code, 3, dirty.out + dirty.err);
      const lines = dirty.out.split('\n').filter((l) => sandboxOrders.some((o) => l.includes(o.id)) || l.includes(SAMPLE_ORDER));
      assert.equal(lines.length, 1, `only the planted order is listed:\n${dirty.out}`);
      assert.ok(
        lines[0]!.includes(a) && lines[0]!.includes(`INV ${planted.TransactionNumber} +12.34`) && /Fusion bills 12\.34 more/.test(lines[0]!),
        dirty.out,
      );
    });
  },
);
