import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { orderInvoice, type AccountingConfig, type InvoiceDocument, type ShopifyOrder as RestOrder } from '@mlc/domain-accounting';
import { orderItemsPageCost, parseShopifyJson, ShopifyClient, type ShopifyOrder } from '@mlc/partners-shopify-client';
import { ShopifySandbox, type SimOrder } from '@mlc/partners-shopify-simulator';
import { orderWebhookBody } from './shopify-rest-body';
import { DEMO_ACCOUNTING as CONFIG } from '@mlc/tenants';

/**
 * An order found by the reconciliation sweep must become the same Fusion invoice as its webhook would have:
 * the sandbox's orders/create body (recorded, its delivery dropped) and the sweep body built from the real
 * client's GraphQL read of the same order go through the same mapping, and the invoices must match line by line.
 */
const ADDRESS = { address1: '1 Main St', city: 'Austin', provinceCode: 'TX', countryCode: 'US', zip: '78701' };

const lines = (inv: InvoiceDocument) => inv.lines.map((l) => [l.kind, l.description, l.itemNumber ?? null, l.quantity, l.unitSellingPrice, l.amount]);
/** What the receivables mapping sees of an invoice: header fields that matter to finance, and every line. */
const invoiceView = (inv: InvoiceDocument) => ({ date: inv.transactionDate, total: inv.total, lines: lines(inv) });

describe('sweep body and webhook body give the same invoice (Shopify sandbox, real client, receivables mapping)', () => {
  const sandbox = new ShopifySandbox({ seed: 3 });
  let client: ShopifyClient;

  before(async () => {
    const url = await sandbox.listen();
    client = new ShopifyClient({ baseUrl: url, apiVersion: '2026-10', clientId: sandbox.clientId, clientSecret: sandbox.clientSecret });
    // The webhook is "missed": recorded by the sandbox with its exact body, never delivered.
    sandbox.subscribe({ topic: 'orders/create', uri: 'http://127.0.0.1:9/never', apiVersion: '2026-10' });
    sandbox.webhookFaults = { drop: true };
  });
  // Every test starts with a full cost bucket (throttling has its own specs in the client), so the log shows sizes only.
  beforeEach(() => sandbox.bucket.set({ currentlyAvailable: sandbox.bucket.maximumAvailable }, sandbox.now()));
  after(async () => {
    sandbox.dispatcher.close();
    await sandbox.close();
  });

  async function both(
    order: SimOrder,
  ): Promise<{ webhook: InvoiceDocument; sweep: InvoiceDocument; body: string; webhookBody: string; read: ShopifyOrder; listed: ShopifyOrder }> {
    const delivery = sandbox.deliveries.find((d) => d.topic === 'orders/create' && d.body.startsWith(`{"id":${order.id},`));
    assert.ok(delivery, 'the sandbox recorded the orders/create body');
    let listed: ShopifyOrder | undefined;
    // The sweep's own reads: the version list (OrderVersionsUpdatedSince), then OrderById for a missed version;
    // completeOrder for a truncated order; the shop's time zone once (Shop).
    for await (const v of client.listOrderVersionsUpdatedSince(new Date(order.updatedAtMs - 1000)))
      if (v.id === order.id.toString()) listed = (await client.getOrder(v.id)) ?? undefined;
    assert.ok(listed, 'the sweep read found the order');
    const read = await client.completeOrder(listed);
    assert.ok(read, 'the order did not change while it was completed');
    const body = orderWebhookBody(read, (await client.shop()).ianaTimezone);
    return {
      webhook: orderInvoice(parseShopifyJson<RestOrder>(delivery.body), CONFIG, 'email-then-external-id'),
      sweep: orderInvoice(parseShopifyJson<RestOrder>(body), CONFIG, 'email-then-external-id'),
      body,
      webhookBody: delivery.body,
      read,
      listed,
    };
  }

  it('a discount, a titled shipping line and two tax titles: same lines and total, no rounding line', async () => {
    const customer = sandbox.createCustomer({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', address: ADDRESS });
    const order = sandbox.createOrder({
      customerId: customer.id,
      lines: [
        { sku: 'GEAR-9', title: 'Gear', price: '12.99', quantity: 3 },
        { sku: 'BOLT-1', title: 'Bolt', price: '1.05', quantity: 7 },
      ],
      discount: { code: 'TEN', amount: '10.00' },
      shipping: { title: 'Express', code: 'EXP', price: '9.95' },
      taxes: [
        { title: 'State Tax', rate: '0.0625' },
        { title: 'County Tax', rate: '0.0125' },
      ],
    });
    const { webhook, sweep, body, read } = await both(order);
    assert.deepEqual(
      webhook.lines.map((l) => [l.description, l.amount]),
      [
        ['Gear', '38.97'],
        ['Bolt', '7.35'],
        ['Discounts', '-10.00'],
        ['Shipping: Express', '9.95'],
        ['State Tax', '2.89'],
        ['County Tax', '0.57'],
      ],
      'the webhook invoice itself is what finance expects',
    );
    assert.deepEqual(lines(sweep), lines(webhook));
    assert.equal(sweep.total, webhook.total);
    assert.equal(sweep.total, '49.73');
    assert.ok(!sweep.lines.some((l) => l.kind === 'rounding'), 'no "Rounding difference" line');
    // What the GraphQL read brought, and how the body writes it.
    assert.equal(read.totalDiscounts.amount, '10.00');
    assert.deepEqual(
      read.taxLines.map((t) => [t.title, t.rate, t.price.amount]),
      [
        ['State Tax', '0.0625', '2.89'],
        ['County Tax', '0.0125', '0.57'],
      ],
    );
    assert.equal(read.shippingLines[0]?.id, (order.id + 1n).toString());
    const parsed = parseShopifyJson<Record<string, any>>(body);
    assert.equal(parsed['total_discounts'], '10.00');
    assert.equal(parsed['taxes_included'], false);
    assert.ok(body.includes('"rate":0.0625,'), 'rate is a JSON number, as in webhooks');
    assert.deepEqual(parsed['shipping_lines'][0].title, 'Express');
    assert.deepEqual(
      parsed['line_items'].map((l: any) => l.discount_allocations.map((a: any) => a.amount)),
      [['8.42'], ['1.58']],
    );
  });

  it('a tax-inclusive order with a discount: same lines and total, no tax or rounding line', async () => {
    const customer = sandbox.createCustomer({ firstName: 'Emmy', lastName: 'Noether', email: 'emmy@example.com', address: ADDRESS });
    const order = sandbox.createOrder({
      customerId: customer.id,
      lines: [{ sku: 'MUG', title: 'Enamel Mug', price: '18.00', quantity: 2 }],
      discount: { code: 'FIVE', amount: '5.00' },
      shipping: { title: 'Post', price: '7.50' },
      taxes: [
        { title: 'VAT', rate: '0.2' },
        { title: 'Eco levy', rate: '0.01' },
      ],
      taxesIncluded: true,
    });
    const { webhook, sweep, read } = await both(order);
    assert.equal(read.taxesIncluded, true);
    assert.deepEqual(lines(sweep), lines(webhook));
    assert.equal(sweep.total, webhook.total);
    assert.equal(sweep.total, '38.50');
    assert.deepEqual(
      sweep.lines.map((l) => l.description),
      ['Enamel Mug', 'Discounts', 'Shipping: Post'],
    );
  });

  it('the default order (13 % HST, Standard shipping, no discount) and a guest order without shipping', async () => {
    const customer = sandbox.createCustomer({ firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', address: ADDRESS });
    const withShipping = sandbox.createOrder({
      customerId: customer.id,
      lines: [
        { sku: 'TEE', title: 'Tee', price: '25.00', quantity: 3 },
        { title: 'Gift wrap', price: '5.00', quantity: 1 },
      ],
    });
    const guest = sandbox.createOrder({ lines: [{ sku: 'EBOOK', title: 'Care guide', price: '9.99', quantity: 1, requiresShipping: false }] });
    for (const order of [withShipping, guest]) {
      const { webhook, sweep } = await both(order);
      assert.deepEqual(lines(sweep), lines(webhook));
      assert.equal(sweep.total, webhook.total);
      assert.ok(!sweep.lines.some((l) => l.kind === 'rounding'));
    }
    const { sweep } = await both(withShipping);
    assert.deepEqual(
      sweep.lines.map((l) => l.description),
      ['Tee', 'Gift wrap', 'Shipping: Standard', 'HST'],
    );
  });

  it('an order with 25 line items and 4 shipping lines: the sweep completes it, same invoice as the webhook, no rounding line', async () => {
    const customer = sandbox.createCustomer({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', address: ADDRESS });
    const order = sandbox.createOrder({
      customerId: customer.id,
      lines: Array.from({ length: 25 }, (_, i) => ({
        sku: `PART-${i + 1}`,
        title: `Part ${i + 1}`,
        price: `${i + 1}.${String((i * 7) % 100).padStart(2, '0')}`,
        quantity: 1 + (i % 3),
      })),
      discount: { code: 'BULK', amount: '12.34' },
      shippingLines: [
        { title: 'Freight', price: '40.00' },
        { title: 'Express', code: 'EXP', price: '9.95' },
        { title: 'Insurance', price: '3.10' },
        { title: 'Handling', price: '1.99' },
      ],
      taxes: [
        { title: 'State Tax', rate: '0.0625' },
        { title: 'County Tax', rate: '0.0125' },
      ],
    });
    const mark = sandbox.graphqlLog.length;
    const { webhook, sweep, body, read, listed } = await both(order);
    // The page read stopped at 10 line items and 3 shipping lines; completeOrder read the rest by cursor.
    assert.equal(listed.lineItems.length, 10);
    assert.equal(listed.lineItemsTruncated, true);
    assert.equal(listed.shippingLines.length, 3);
    assert.equal(listed.shippingLinesTruncated, true);
    assert.equal(read.lineItems.length, 25);
    assert.equal(read.shippingLines.length, 4);
    assert.deepEqual(
      read.lineItems.map((l) => l.sku),
      order.lineItems.map((l) => l.sku),
    );
    const parsed = parseShopifyJson<Record<string, any>>(body);
    assert.equal(parsed['line_items'].length, 25);
    assert.deepEqual(
      parsed['shipping_lines'].map((s: any) => s.title),
      ['Freight', 'Express', 'Insurance', 'Handling'],
    );
    assert.equal(webhook.lines.length, 25 + 1 + 1 + 2, '25 items, discounts, shipping (one line for all 4), 2 taxes');
    assert.deepEqual(sweep.lines.find((l) => l.kind === 'shipping')?.amount, '55.04', '40.00 + 9.95 + 3.10 + 1.99: all 4 shipping lines');
    assert.deepEqual(invoiceView(sweep), invoiceView(webhook));
    assert.ok(!sweep.lines.some((l) => l.kind === 'rounding'), 'no "Rounding difference" line');
    // The completing reads went through the sandbox's cost model, costed as the client plans them.
    const log = sandbox.graphqlLog.slice(mark);
    const items = log.filter((e) => e.operation === 'OrderLineItems');
    const ships = log.filter((e) => e.operation === 'OrderShippingLines');
    assert.deepEqual(
      items.map((e) => [e.outcome, e.variables['first']]),
      [['OK', 66]],
      '66 line items fit 1000 points: 3 + 66 × 15 = 993',
    );
    assert.equal(items[0]!.requestedQueryCost, orderItemsPageCost('lineItems', 66));
    assert.deepEqual(
      ships.map((e) => [e.outcome, e.variables['first']]),
      [['OK', 90]],
    );
    assert.equal(ships[0]!.requestedQueryCost, orderItemsPageCost('shippingLines', 90));
  });

  it('pages the rest of a truncated order in several cursor pages when pages are small', async () => {
    const small = new ShopifyClient({
      baseUrl: sandbox.url,
      apiVersion: '2026-10',
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      lineItemsPerOrder: 4,
      shippingLinesPerOrder: 1,
      orderItemsPageSize: 6,
    });
    const order = sandbox.createOrder({
      lines: Array.from({ length: 25 }, (_, i) => ({ title: `Bit ${i + 1}`, price: '1.00', quantity: 1 })),
      shippingLines: [1, 2, 3, 4].map((n) => ({ title: `Leg ${n}`, price: `${n}.00` })),
    });
    const mark = sandbox.graphqlLog.length;
    const got = await small.getOrder(order.id.toString());
    assert.ok(got && got.lineItemsTruncated && got.shippingLinesTruncated);
    const whole = await small.completeOrder(got);
    assert.deepEqual(
      whole?.lineItems.map((l) => l.name),
      order.lineItems.map((l) => l.title),
    );
    assert.deepEqual(
      whole?.shippingLines.map((l) => l.title),
      ['Leg 1', 'Leg 2', 'Leg 3', 'Leg 4'],
    );
    const log = sandbox.graphqlLog.slice(mark);
    assert.equal(log.filter((e) => e.operation === 'OrderLineItems').length, 4, '21 more line items, 6 a page');
    assert.equal(log.filter((e) => e.operation === 'OrderShippingLines').length, 1);
  });

  it('an order that cannot be completed (pages refused as too costly even at 1) throws SHOPIFY.QUERY_TOO_COSTLY; one that changed meanwhile gives null', async () => {
    const order = sandbox.createOrder({ lines: Array.from({ length: 12 }, (_, i) => ({ title: `Nut ${i + 1}`, price: '0.50', quantity: 1 })) });
    const got = await client.getOrder(order.id.toString());
    assert.ok(got?.lineItemsTruncated);
    sandbox.graphqlFaults = { tooCostly: ['OrderLineItems'] };
    try {
      const mark = sandbox.graphqlLog.length;
      await assert.rejects(client.completeOrder(got), (e: any) => e.code === 'SHOPIFY.QUERY_TOO_COSTLY' && e.retryable === false);
      const asked = sandbox.graphqlLog.slice(mark).map((e) => e.variables['first']);
      assert.deepEqual(asked, [66, 33, 16, 8, 4, 2, 1], 'halved down to 1, never the same page twice');
    } finally {
      sandbox.graphqlFaults = {};
    }
    sandbox.advanceClock(2000); // GraphQL times have whole seconds
    sandbox.editOrder(order.id, { tags: ['changed'] });
    assert.equal(await client.completeOrder(got), null, 'the order changed since it was read: its newer version is read whole later');
  });

  it("an order processed at 19:30 in New York on the last day of a month: the sweep body writes the shop's offset, same invoice date as the webhook", async () => {
    assert.equal(sandbox.shopTimeZone, 'America/New_York', "the sandbox's default shop zone");
    const customer = sandbox.createCustomer({ firstName: 'Kurt', lastName: 'Gödel', email: 'kurt@example.com', address: ADDRESS });
    const order = sandbox.createOrder({
      customerId: customer.id,
      lines: [{ sku: 'CLOCK', title: 'Clock', price: '30.00', quantity: 1 }],
      processedAt: '2026-11-30T19:30:00-05:00',
    });
    const { webhook, sweep, body, webhookBody, read } = await both(order);
    assert.equal(read.processedAt, '2026-12-01T00:30:00Z', 'GraphQL answers UTC: already December');
    const parsed = parseShopifyJson<Record<string, any>>(body);
    const hooked = parseShopifyJson<Record<string, any>>(webhookBody);
    assert.equal(hooked['processed_at'], '2026-11-30T19:30:00-05:00');
    assert.equal(parsed['processed_at'], '2026-11-30T19:30:00-05:00', 'the sweep body writes the shop-local time, as the webhook');
    for (const k of ['created_at', 'updated_at']) {
      assert.match(parsed[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00$/, `${k} in New York's offset`);
      assert.equal(Date.parse(parsed[k]), Date.parse(hooked[k]), `${k} the same instant as the webhook's`);
      assert.equal(parsed[k], hooked[k], `${k} written as the webhook writes it`);
    }
    assert.equal(webhook.transactionDate, '2026-11-30');
    assert.equal(sweep.transactionDate, '2026-11-30', 'November, not December 1');
    assert.deepEqual(invoiceView(sweep), invoiceView(webhook));
  });

  it('a summer order in New York carries -04:00, and a shop in another zone writes its own offset', async () => {
    const tokyo = new ShopifySandbox({ seed: 4, shopTimeZone: 'Asia/Tokyo' });
    const tokyoUrl = await tokyo.listen();
    try {
      tokyo.subscribe({ topic: 'orders/create', uri: 'http://127.0.0.1:9/never' });
      tokyo.webhookFaults = { drop: true };
      const c = new ShopifyClient({ baseUrl: tokyoUrl, apiVersion: '2026-10', clientId: tokyo.clientId, clientSecret: tokyo.clientSecret });
      const o = tokyo.createOrder({ lines: [{ title: 'Tea', price: '5.00', quantity: 1 }], processedAt: '2026-06-30T20:00:00Z' });
      let read: ShopifyOrder | undefined;
      for await (const v of c.listOrderVersionsUpdatedSince(new Date(o.updatedAtMs - 1000)))
        if (v.id === o.id.toString()) read = (await c.getOrder(v.id)) ?? undefined;
      assert.ok(read);
      const body = parseShopifyJson<Record<string, any>>(orderWebhookBody(read, (await c.shop()).ianaTimezone));
      assert.equal(body['processed_at'], '2026-07-01T05:00:00+09:00');
      const hooked = parseShopifyJson<Record<string, any>>(tokyo.deliveries.find((d) => d.body.startsWith(`{"id":${o.id},`))!.body);
      assert.equal(hooked['processed_at'], body['processed_at']);
    } finally {
      tokyo.dispatcher.close();
      await tokyo.close();
    }
    const summer = sandbox.createOrder({ lines: [{ title: 'Fan', price: '20.00', quantity: 1 }], processedAt: '2026-07-31T23:30:00-04:00' });
    const { webhook, sweep, body } = await both(summer);
    assert.equal(parseShopifyJson<Record<string, any>>(body)['processed_at'], '2026-07-31T23:30:00-04:00');
    assert.equal(sweep.transactionDate, '2026-07-31');
    assert.equal(sweep.transactionDate, webhook.transactionDate);
  });
});
