import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { orderInvoice, type AccountingConfig, type InvoiceDocument, type ShopifyOrder as RestOrder } from '@mlc/domain-accounting';
import { parseShopifyJson, ShopifyClient, type ShopifyOrder } from '@mlc/partners-shopify-client';
import { ShopifySandbox, type SimOrder } from '@mlc/partners-shopify-simulator';
import { orderWebhookBody } from './shopify-rest-body';

/**
 * An order found by the reconciliation sweep must become the same Fusion invoice as its webhook would have:
 * the sandbox's orders/create body (recorded, its delivery dropped) and the sweep body built from the real
 * client's GraphQL read of the same order go through the same mapping, and the invoices must match line by line.
 */
const CONFIG: AccountingConfig = {
  businessUnit: 'US1 Business Unit',
  transactionSource: 'SHOPIFY',
  transactionType: 'Invoice',
  paymentTerms: 'IMMEDIATE',
  revenueAccountCombination: '101-10-4000-000',
  guestCustomerAccountNumber: 'GUEST-0001',
};
const ADDRESS = { address1: '1 Main St', city: 'Austin', provinceCode: 'TX', countryCode: 'US', zip: '78701' };

const lines = (inv: InvoiceDocument) => inv.lines.map((l) => [l.kind, l.description, l.itemNumber ?? null, l.quantity, l.unitSellingPrice, l.amount]);

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
  after(async () => {
    sandbox.dispatcher.close();
    await sandbox.close();
  });

  async function both(order: SimOrder): Promise<{ webhook: InvoiceDocument; sweep: InvoiceDocument; body: string; read: ShopifyOrder }> {
    const delivery = sandbox.deliveries.find((d) => d.topic === 'orders/create' && d.body.startsWith(`{"id":${order.id},`));
    assert.ok(delivery, 'the sandbox recorded the orders/create body');
    let read: ShopifyOrder | undefined;
    // The sweep's own read: listOrdersUpdatedSince (OrdersUpdatedSince), not OrderById.
    for await (const o of client.listOrdersUpdatedSince(new Date(0))) if (o.id === order.id.toString()) read = o;
    assert.ok(read, 'the sweep read found the order');
    const body = orderWebhookBody(read);
    return {
      webhook: orderInvoice(parseShopifyJson<RestOrder>(delivery.body), CONFIG, 'email-then-external-id'),
      sweep: orderInvoice(parseShopifyJson<RestOrder>(body), CONFIG, 'email-then-external-id'),
      body,
      read,
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
    assert.deepEqual(read.taxLines.map((t) => [t.title, t.rate, t.price.amount]), [['State Tax', '0.0625', '2.89'], ['County Tax', '0.0125', '0.57']]);
    assert.equal(read.shippingLines[0]?.id, (order.id + 1n).toString());
    const parsed = parseShopifyJson<Record<string, any>>(body);
    assert.equal(parsed['total_discounts'], '10.00');
    assert.equal(parsed['taxes_included'], false);
    assert.ok(body.includes('"rate":0.0625,'), 'rate is a JSON number, as in webhooks');
    assert.deepEqual(parsed['shipping_lines'][0].title, 'Express');
    assert.deepEqual(parsed['line_items'].map((l: any) => l.discount_allocations.map((a: any) => a.amount)), [['8.42'], ['1.58']]);
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
    assert.deepEqual(sweep.lines.map((l) => l.description), ['Enamel Mug', 'Discounts', 'Shipping: Post']);
  });

  it('the default order (13 % HST, Standard shipping, no discount) and a guest order without shipping', async () => {
    const customer = sandbox.createCustomer({ firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', address: ADDRESS });
    const withShipping = sandbox.createOrder({ customerId: customer.id, lines: [{ sku: 'TEE', title: 'Tee', price: '25.00', quantity: 3 }, { title: 'Gift wrap', price: '5.00', quantity: 1 }] });
    const guest = sandbox.createOrder({ lines: [{ sku: 'EBOOK', title: 'Care guide', price: '9.99', quantity: 1, requiresShipping: false }] });
    for (const order of [withShipping, guest]) {
      const { webhook, sweep } = await both(order);
      assert.deepEqual(lines(sweep), lines(webhook));
      assert.equal(sweep.total, webhook.total);
      assert.ok(!sweep.lines.some((l) => l.kind === 'rounding'));
    }
    const { sweep } = await both(withShipping);
    assert.deepEqual(sweep.lines.map((l) => l.description), ['Tee', 'Gift wrap', 'Shipping: Standard', 'HST']);
  });
});
