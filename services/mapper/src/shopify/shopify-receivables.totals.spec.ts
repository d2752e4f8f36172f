import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fromMinor,
  ledgerOfInvoice,
  orderAmendment,
  orderInvoice,
  refundCreditMemo,
  sum,
  toMinor,
  type AccountingConfig,
  type AmendmentDocument,
  type InvoiceDocument,
  type OrderLedger,
  type ShopifyOrder,
} from '@mlc/domain-accounting';
import { parseShopifyJson } from '@mlc/partners-shopify-client';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { REPO_ROOT } from '@mlc/platform-testing';
import { DEMO_ACCOUNTING as CONFIG } from '@mlc/tenants';

/**
 * Totals to the cent (issue 15, item 3), on the mapping the mapper runs for every order payload: the first invoice
 * (original amounts), then an amendment computed from the same payload against what Fusion holds (the ledger of the
 * documents as written). Fusion's documents for an order must add up to Shopify's current_total_price.
 */
const MATCHING = 'email-then-external-id' as const;

/** Shopify's published samples, byte for byte (test/fixtures/shopify/SOURCES.md), read with the lossless parser. */
const sample = (file: string): ShopifyOrder => parseShopifyJson(readFileSync(join(REPO_ROOT, 'test/fixtures/shopify', file), 'utf8')) as ShopifyOrder;
const ORDER_SAMPLES = ['orders_create.json', 'orders_updated.json', 'orders_paid.json'];

const minor = (v: string | null | undefined, cur: string): bigint => toMinor(v ?? '0', cur);
const linesOf = (doc: { lines: { kind: string; description: string; quantity: string; unitSellingPrice: string; amount: string }[] }) =>
  doc.lines.map((l) => [l.kind, l.description, l.quantity, l.unitSellingPrice, l.amount]);

/** What Fusion holds after the documents: invoice + supplementary invoices − credit memos (memo totals are negative). */
function held(cur: string, invoice: InvoiceDocument, amendments: (AmendmentDocument | null)[]): bigint {
  let total = toMinor(invoice.total, cur);
  for (const a of amendments) {
    if (a?.debit) {
      assert.equal(sum(a.debit.lines.map((l) => toMinor(l.amount, cur))), toMinor(a.debit.total, cur), 'supplementary invoice lines add up to its total');
      total += toMinor(a.debit.total, cur);
    }
    if (a?.credit) {
      assert.equal(sum(a.credit.lines.map((l) => toMinor(l.amount, cur))), toMinor(a.credit.total, cur), 'credit memo lines add up to its total');
      total += toMinor(a.credit.total, cur);
    }
  }
  return total;
}

const ledgerTotal = (l: OrderLedger) => sum(l.lines.map((x) => toMinor(x.amount, l.currency)));

/** What the mapper does on the first payload of an order: the invoice, then an amendment from the same payload. */
function firstSight(order: ShopifyOrder): { invoice: InvoiceDocument; amendment: AmendmentDocument | null; ledger: OrderLedger } {
  const invoice = orderInvoice(order, CONFIG, MATCHING);
  const amended = orderAmendment(order, ledgerOfInvoice(invoice), 1, CONFIG, MATCHING);
  return { invoice, amendment: amended.document, ledger: amended.ledger };
}

describe("Shopify's published order samples → Fusion documents, to the cent", () => {
  it('orders/create: one line per item, the discount, shipping as its own line at price minus its allocations, no rounding line; total = total_price', () => {
    const order = sample('orders_create.json');
    const cur = order.currency;
    const inv = orderInvoice(order, CONFIG, MATCHING);
    assert.deepEqual(linesOf(inv), [
      ['item', 'Aviator sunglasses', '1', '89.99', '89.99'],
      ['item', 'Lens Protection Plan (2 Year)', '1', '19.99', '19.99'],
      ['item', 'Premium Leather Case', '1', '24.99', '24.99'],
      ['item', 'Mid-century lounger', '1', '159.99', '159.99'],
      ['item', 'Coffee table', '1', '119.99', '119.99'],
      // No line carries a discount allocation: the order's total_discounts (20.00), as for amendments.
      ['discount', 'Discounts', '1', '-20.00', '-20.00'],
      // The shipping line "Generic Shipping": price 10.00, no allocations (its discounted_price says 0.00).
      ['shipping', 'Shipping: Generic Shipping', '1', '10.00', '10.00'],
    ]);
    assert.deepEqual(
      inv.lines.map((l) => l.itemNumber ?? null),
      ['SKU2006-001', 'LENS-PROTECT-2YR', 'CASE-LEATHER-PREM', 'SKU2006-020', 'SKU2006-035', null, null],
    );
    const shipping = inv.lines.find((l) => l.kind === 'shipping')!;
    assert.equal(shipping.amount, order.total_shipping_price_set?.shop_money?.amount, 'shipping = total_shipping_price_set (no shipping allocations)');
    assert.equal(
      sum(inv.lines.filter((l) => l.kind === 'item').map((l) => toMinor(l.amount, cur))),
      minor((order as unknown as { total_line_items_price: string }).total_line_items_price, cur),
    );
    assert.ok(!inv.lines.some((l) => l.kind === 'rounding'), 'no rounding line: the original figures agree with each other');
    assert.equal(sum(inv.lines.map((l) => toMinor(l.amount, cur))), toMinor(order.total_price, cur));
    assert.equal(inv.total, '404.95');
  });

  for (const file of ORDER_SAMPLES) {
    it(`${file}: invoice + amendment from the same payload = current_total_price; the rounding amendment is exactly the sample's own inconsistency`, () => {
      const order = sample(file);
      const cur = order.currency;
      const { invoice, amendment, ledger } = firstSight(order);
      const current = toMinor(order.current_total_price!, cur);
      assert.equal(held(cur, invoice, [amendment]), current);
      assert.equal(ledgerTotal(ledger), current, 'the ledger holds what the documents wrote');
      // The sample is synthetic (SOURCES.md): nothing was edited, removed or refunded (every current_quantity equals
      // quantity, the shipping line is not removed, no refunds), so the order as it stands still has its five
      // items (414.95), its 20.00 discount (total_discounts; no line allocations) and its 10.00 shipping line, and
      // no tax: 404.95, which is total_price. Yet current_total_price is 414.95, because current_total_discounts
      // (0.00) and current_shipping_price_set (0.00) drop the discount and the shipping without any edit to explain
      // it: 414.95 − 404.95 = +10.00 = (20.00 − 0.00) − (10.00 − 0.00). Only that 10.00 is a rounding line.
      const items = sum(order.line_items.map((li) => toMinor(li.price, cur) * BigInt(li.current_quantity ?? li.quantity)));
      const lines = order.shipping_lines ?? [];
      const shipping = sum(lines.filter((s) => !s.is_removed).map((s) => toMinor(s.price, cur)));
      assert.ok(order.line_items.every((li) => li.current_quantity === li.quantity) && !(order.refunds ?? []).length && !lines.some((s) => s.is_removed));
      const inconsistency = current - (items - minor(order.total_discounts, cur) + shipping + minor(order.current_total_tax, cur));
      assert.equal(fromMinor(inconsistency, cur), '10.00');
      assert.equal(
        fromMinor(
          minor(order.total_discounts, cur) -
            minor(order.current_total_discounts, cur) -
            (shipping - minor(order.current_shipping_price_set?.shop_money?.amount, cur)),
          cur,
        ),
        '10.00',
      );
      assert.equal(amendment?.credit, null);
      assert.deepEqual(amendment?.debit && linesOf(amendment.debit), [['rounding', 'Rounding difference', '1', '10.00', '10.00']]);
      assert.equal(amendment?.debit?.crossReference, `${order.id}-A1`);
    });
  }

  it('orders/create then orders/updated (same totals): no amendment; then paid: none either', () => {
    const created = firstSight(sample('orders_create.json'));
    const updated = orderAmendment(sample('orders_updated.json'), created.ledger, 2, CONFIG, MATCHING);
    assert.equal(updated.document, null, 'no amendment when the total did not change');
    assert.equal(orderAmendment(sample('orders_paid.json'), updated.ledger, 2, CONFIG, MATCHING).document, null);
  });

  it('an edit of the sample that changes the total gives an amendment of exactly the difference', () => {
    const created = firstSight(sample('orders_create.json'));
    const edited = sample('orders_updated.json');
    // The coffee table (119.99) removed by an order edit: current_quantity 0, the current total 119.99 lower.
    const table = edited.line_items.find((li) => li.sku === 'SKU2006-035')!;
    table.current_quantity = 0;
    edited.current_total_price = fromMinor(toMinor(edited.current_total_price!, 'USD') - 11999n, 'USD');
    const { document, ledger } = orderAmendment(edited, created.ledger, 2, CONFIG, MATCHING);
    assert.equal(document?.debit, null);
    assert.deepEqual(
      document?.credit?.lines.map((l) => [l.key, l.quantity, l.unitSellingPrice, l.amount, l.invoiceLineNumber]),
      [[`item:${table.id}`, '1', '-119.99', '-119.99', 5]],
    );
    assert.equal(held('USD', created.invoice, [created.amendment, document]), toMinor(edited.current_total_price, 'USD'));
    assert.equal(ledgerTotal(ledger), toMinor('294.96', 'USD'));
    assert.equal(orderAmendment(edited, ledger, 3, CONFIG, MATCHING).document, null, 'the same edit again: nothing more');
  });

  it('a discount that appears on an edit (no discount line held) is credited once, not again on the next payload', () => {
    const created = firstSight(sample('orders_create.json'));
    const edited = sample('orders_updated.json');
    edited.line_items[0]!.discount_allocations = [{ amount: '5.00' }];
    edited.current_total_price = '409.95';
    const first = orderAmendment(edited, created.ledger, 2, CONFIG, MATCHING);
    assert.ok(first.document);
    assert.equal(held('USD', created.invoice, [created.amendment, first.document]), toMinor('409.95', 'USD'));
    assert.equal(orderAmendment(edited, first.ledger, 3, CONFIG, MATCHING).document, null);
  });
});

describe('a self-consistent order from the Shopify sandbox (discount, shipping, two taxes) → Fusion documents, to the cent', () => {
  const shopify = new ShopifySandbox({ seed: 11 });
  let url = '';
  before(async () => {
    url = await shopify.listen();
  });
  after(async () => {
    await shopify.close();
  });
  /** The order as the sandbox's REST payload (exact JSON bytes), read like a webhook body. */
  const payload = async (id: bigint): Promise<ShopifyOrder> => {
    const res = await fetch(`${url}/__admin/orders/${id}`);
    assert.equal(res.status, 200);
    return parseShopifyJson(await res.text()) as ShopifyOrder;
  };

  for (const taxesIncluded of [false, true]) {
    it(`${taxesIncluded ? 'taxes included' : 'taxes on top'}: invoice without a rounding line = total_price = current_total_price; edits amend by exactly the change of current_total_price`, async () => {
      const sim = shopify.createOrder({
        taxesIncluded,
        lines: [
          { sku: 'TEE', title: 'Tee', price: '25.00', quantity: 3 },
          { sku: 'MUG', title: 'Mug', price: '12.49', quantity: 2 },
          { sku: 'CAP', title: 'Cap', price: '17.35', quantity: 1 },
        ],
        discount: { code: 'SAVE10', amount: '10.00' },
        taxes: [
          { title: 'GST', rate: '0.05' },
          { title: 'PST', rate: '0.07' },
        ],
        shipping: { title: 'Express', price: '12.50' },
      });
      const order = await payload(sim.id);
      const cur = order.currency;
      assert.equal(order.total_price, order.current_total_price);
      assert.ok(minor(order.total_discounts, cur) > 0n && minor(order.total_tax, cur) > 0n, 'the order has a discount and taxes');
      const { invoice, amendment, ledger } = firstSight(order);
      assert.ok(!invoice.lines.some((l) => l.kind === 'rounding'), 'no rounding line for a self-consistent order');
      // Tax per title as Shopify reports it on the lines and shipping (the order's tax_lines add the same up); with
      // taxes included the prices already hold it and no tax line is billed.
      const taxLines = taxesIncluded ? [] : (order.tax_lines ?? []).map((t) => ['tax', t.title, fromMinor(minor(t.price, cur), cur)]);
      assert.deepEqual(
        invoice.lines.filter((l) => l.kind !== 'item').map((l) => [l.kind, l.description, l.amount]),
        [['discount', 'Discounts', fromMinor(-minor(order.total_discounts, cur), cur)], ['shipping', 'Shipping: Express', '12.50'], ...taxLines],
      );
      if (!taxesIncluded)
        assert.deepEqual(
          taxLines.map((t) => t[1]),
          ['GST', 'PST'],
        );
      if (!taxesIncluded) assert.equal(sum(invoice.lines.filter((l) => l.kind === 'tax').map((l) => toMinor(l.amount, cur))), minor(order.total_tax, cur));
      assert.equal(invoice.total, order.total_price);
      assert.equal(amendment, null, 'the same payload amends nothing');

      // Edit: one tee fewer, a new line added.
      const tee = sim.lineItems[0]!;
      shopify.editOrder(sim.id, { quantities: [{ lineItemId: tee.id, quantity: 2 }], addLines: [{ sku: 'SOCK', title: 'Socks', price: '4.99', quantity: 3 }] });
      const edited = await payload(sim.id);
      const change = toMinor(edited.current_total_price!, cur) - toMinor(order.current_total_price!, cur);
      assert.notEqual(change, 0n);
      const first = orderAmendment(edited, ledger, 1, CONFIG, MATCHING);
      assert.ok(first.document);
      assert.equal(held(cur, invoice, [first.document]) - toMinor(invoice.total, cur), change, 'the amendment is exactly the change');
      assert.equal(held(cur, invoice, [first.document]), toMinor(edited.current_total_price!, cur));
      const rounding = [...(first.document.debit?.lines ?? []), ...(first.document.credit?.lines ?? [])].filter((l) => l.kind === 'rounding');
      assert.deepEqual(rounding, [], 'no rounding line for a self-consistent edit');
      assert.equal(orderAmendment(edited, first.ledger, 2, CONFIG, MATCHING).document, null);

      // A refund is credited on its own (refunds/create, its money). The orders/updated it sends amends at most the
      // cent Shopify's split of the discount or tax between kept and refunded units leaves (here the mug's 2.13
      // discount: 1.07 kept and 1.07 refunded), on that line, never as a rounding line; and Fusion nets to Shopify.
      shopify.refundOrder(sim.id, { lines: [{ lineItemId: sim.lineItems[1]!.id, quantity: 1 }] });
      const refunded = await payload(sim.id);
      assert.ok(toMinor(refunded.current_total_price!, cur) < toMinor(edited.current_total_price!, cur));
      const memo = refundCreditMemo(refunded.refunds![0]!, { id: refunded.id, name: refunded.name ?? null, billTo: invoice.billTo }, first.ledger, CONFIG);
      assert.equal(memo?.total, fromMinor(-sum(refunded.refunds![0]!.transactions!.map((t) => toMinor(t.amount!, cur))), cur));
      const after = orderAmendment(refunded, first.ledger, 2, CONFIG, MATCHING);
      const cents = [...(after.document?.debit?.lines ?? []), ...(after.document?.credit?.lines ?? [])];
      assert.ok(
        cents.every((l) => (l.kind === 'discount' || l.kind === 'tax') && toMinor(l.amount, cur) ** 2n <= 1n),
        JSON.stringify(cents),
      );
      assert.equal(held(cur, invoice, [first.document, after.document]) + toMinor(memo!.total, cur), toMinor(refunded.current_total_price!, cur));
      assert.equal(orderAmendment(refunded, after.ledger, 3, CONFIG, MATCHING).document, null);
    });
  }
});
