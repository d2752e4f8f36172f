import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import type { ArTransaction } from '@mlc/partners-fusion-simulator';
import type { CustomerAddressInput, SimCustomer, SimOrder } from '@mlc/partners-shopify-simulator';
import { OPERATOR_KEY, SHOPIFY_PIPELINE, System, TENANT, waitFor, type Watch } from './support/system';

const REVENUE_ACCOUNT = '101-10-4000-000';
/** Products of the Shopify shop (SKU + title; Fusion invoice lines read "<SKU> <title>"). */
const TSHIRT = { sku: 'MLC-TSHIRT-M', title: 'Logo T-Shirt - M', price: '25.00' };
const HOODIE = { sku: 'MLC-HOODIE-L', title: 'Hoodie - L', price: '64.99' };
const MUG = { sku: 'MLC-MUG', title: 'Enamel Mug', price: '18.00' };
const PRODUCTS = [TSHIRT, HOODIE, MUG];
/** Shopify writes it loosely; Fusion must get ISO codes and the Canadian postal code layout. */
const ADDRESS: CustomerAddressInput = {
  address1: ' 150   Elgin St ',
  address2: 'Suite 1000',
  city: 'Ottawa',
  province: 'Ontario',
  provinceCode: 'ON',
  country: 'Canada',
  countryCode: 'CA',
  zip: 'k1p1j1',
};

const cents = (v: unknown): number => Math.round(Number(v) * 100);
const money = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
const lineCents = (l: Record<string, unknown>): number => Math.round(Number(l['Quantity'] ?? l['LineQuantityCredit']) * Number(l['UnitSellingPrice']) * 100);
const trxCents = (t: ArTransaction): number => t.lines.reduce((s, l) => s + lineCents(l), 0);

/** The Fusion documents of one Shopify order: its invoice(s) by cross-reference and the credit memos against them. */
function documentsOf(system: System, orderId: string): { invoices: ArTransaction[]; credits: ArTransaction[] } {
  const store = system.fusion.receivables;
  const invoices = store.invoices.filter((i) => i.fields['CrossReference'] === orderId || String(i.fields['CrossReference']).startsWith(`${orderId}-A`));
  const ids = new Set(invoices.map((i) => i.CustomerTransactionId));
  const credits = store.creditMemos.filter((c) => ids.has(c.fields['PreviousCustomerTrxId'] as number));
  return { invoices, credits };
}

/**
 * The Fusion state of one order as a customer would check it, without ids, numbers or dates: each invoice (own or
 * supplementary), its total, its item lines and the amounts of its other lines (shipping, tax); each credit memo (refund or
 * amendment), its total, its item lines with the invoice line they credit. Line descriptions of shipping and tax are
 * left out on purpose: an order first seen by the sweep (a GraphQL read) has them as totals only.
 */
function stateOf(system: System, orderId: string, customerId: string): string[] {
  const { invoices, credits } = documentsOf(system, orderId);
  const account = accountOf(system, customerId)?.AccountNumber;
  const isItem = (d: string) => PRODUCTS.some((p) => d.startsWith(p.sku) || d === p.title);
  const out: string[] = [];
  for (const inv of invoices) {
    const items = inv.lines
      .filter((l) => isItem(String(l['Description'])))
      .map((l) => `${String(l['Description'])} ${String(l['Quantity'])}x${money(cents(l['UnitSellingPrice']))}`)
      .sort();
    const other = inv.lines
      .filter((l) => !isItem(String(l['Description'])))
      .map((l) => money(lineCents(l)))
      .sort();
    const own = inv.fields['BillToCustomerNumber'] === account ? 'own account' : `account ${String(inv.fields['BillToCustomerNumber'])}`;
    out.push(
      `invoice ${String(inv.fields['CrossReference']).replace(orderId, 'ORDER')} ${String(inv.fields['InvoiceStatus'])} ${own} total ${money(trxCents(inv))} items [${items.join('; ')}] other [${other.join(', ')}]`,
    );
  }
  for (const cm of credits) {
    const invoice = invoices.find((i) => i.CustomerTransactionId === cm.fields['PreviousCustomerTrxId']);
    const target = (l: Record<string, unknown>) => invoice?.lines.find((x) => x['CustomerTransactionLineId'] === l['PreviousCustomerTrxLineId']);
    const items = cm.lines
      .filter((l) => isItem(String(l['LineDescription'])))
      .map(
        (l) =>
          `${String(l['LineDescription'])} ${String(l['LineQuantityCredit'])}x${money(cents(l['UnitSellingPrice']))} on ${String(target(l)?.['Description'] ?? 'invoice')}`,
      )
      .sort();
    const other = cm.lines
      .filter((l) => !isItem(String(l['LineDescription'])))
      .map((l) => money(lineCents(l)))
      .sort();
    const why = /refund/i.test(String(cm.fields['CreditMemoComments'])) ? 'refund' : 'amendment';
    out.push(
      `credit (${why}) against ${String(invoice?.fields['CrossReference']).replace(orderId, 'ORDER')} total ${money(trxCents(cm))} items [${items.join('; ')}] other [${other.join(', ')}]`,
    );
  }
  return out.sort();
}

/** Net receivable of an order in Fusion: invoices minus credits, in cents. */
function netCents(system: System, orderId: string): number {
  const { invoices, credits } = documentsOf(system, orderId);
  return invoices.reduce((s, i) => s + trxCents(i), 0) + credits.reduce((s, c) => s + trxCents(c), 0);
}

function partiesOf(system: System, customerId: string) {
  return system.fusion.receivables.parties.filter(
    (p) => p.fields['SourceSystemReferenceValue'] === customerId || p.SourceSystemReference.some((r) => r['SourceSystemReferenceValue'] === customerId),
  );
}

function accountOf(system: System, customerId: string) {
  const party = partiesOf(system, customerId)[0];
  return party ? system.fusion.receivables.accounts.find((a) => a.PartyId === party.PartyId) : undefined;
}

/** Shopify's own view of an order (REST shape), for the amounts Fusion must match. */
async function shopifyOrder(system: System, id: bigint): Promise<{ total_price: string; current_total_price: string; name: string }> {
  const res = await fetch(`${system.shopify.url}/__admin/orders/${id}`);
  // Only money strings and the name are read: a lossy parse of the ids does not matter here.
  return (await res.json()) as { total_price: string; current_total_price: string; name: string };
}

let seq = 0;
function newCustomer(system: System, label: string): SimCustomer {
  seq += 1;
  return system.shopify.createCustomer({
    firstName: 'Ada',
    lastName: `${label} ${seq}`,
    email: `Ada.${label}.${seq}.${Date.now()}@Example.com`,
    address: ADDRESS,
  });
}

function newOrder(system: System, customer: SimCustomer, id?: bigint): SimOrder {
  return system.shopify.createOrder({
    customerId: customer.id,
    ...(id !== undefined ? { id } : {}),
    lines: [
      { sku: TSHIRT.sku, title: TSHIRT.title, price: TSHIRT.price, quantity: 3 },
      { sku: HOODIE.sku, title: HOODIE.title, price: HOODIE.price, quantity: 1 },
    ],
  });
}

const lineOf = (o: SimOrder, sku: string) => o.lineItems.find((l) => l.sku === sku)!.id;

/** Edit (T-shirt 3 → 2, one mug added), payment, partial refund (the hoodie): each a merchant action with its webhooks. */
const steps = {
  edit: (system: System, o: SimOrder) =>
    system.shopify.editOrder(o.id, {
      quantities: [{ lineItemId: lineOf(o, TSHIRT.sku), quantity: 2 }],
      addLines: [{ sku: MUG.sku, title: MUG.title, price: MUG.price, quantity: 1 }],
    }),
  pay: (system: System, o: SimOrder) => system.shopify.payOrder(o.id),
  refund: (system: System, o: SimOrder) => system.shopify.refundOrder(o.id, { lines: [{ lineItemId: lineOf(o, HOODIE.sku), quantity: 1 }], note: 'damaged' }),
};

/** Counts of what the whole flow must reach for one order after all steps: 2 invoices (own + -A1), 2 credits. */
function complete(system: System, orderId: string, want: { invoices: number; credits: number }): boolean {
  const d = documentsOf(system, orderId);
  return d.invoices.length >= want.invoices && d.credits.length >= want.credits && d.invoices.every((i) => i.fields['InvoiceStatus'] === 'Complete');
}

describe('Shopify orders, edits and refunds → Fusion customers, invoices and credit memos (end to end, all six services)', { timeout: 300_000 }, () => {
  let system: System;
  let clean: string[];

  const until = async (what: string, check: () => boolean, timeoutMs = 30_000) => {
    await waitFor(check, { timeoutMs, what }).catch((err: Error) => {
      const attempts = system.shopify.dispatcher.attempts.slice(-12).map((a) => `${a.topic} #${a.attempt} ${a.status}${a.error ? ` ${a.error}` : ''}`);
      throw new Error(
        `${err.message}\nexceptions: ${JSON.stringify(exceptions.values().map((e) => [e.service, e.code, e.message.slice(0, 300)]))}` +
          `\nwebhook attempts: ${JSON.stringify(attempts)}\nreceived: ${JSON.stringify(
            received
              .values()
              .slice(-12)
              .map((r) => [r.topic, r.deliveryId]),
          )}` +
          `\nrequested: ${JSON.stringify(
            requested
              .values()
              .slice(-12)
              .map((r) => [r.kind, r.idempotencyKey]),
          )}\nsynced: ${JSON.stringify(
            synced
              .values()
              .slice(-12)
              .map((r) => [r.kind, r.outcome, r.idempotencyKey]),
          )}\n${system.logs(15)}`,
      );
    });
  };
  let exceptions: Watch<'ops.exception.raised.v1'>;
  let received: Watch<'shopify.webhook.received.v1'>;
  let requested: Watch<'accounting.fusion-receivables.requested.v1'>;
  let synced: Watch<'accounting.fusion-receivables.synced.v1'>;

  before(async () => {
    // The sweep runs on the tenant's 2 s interval and takes versions older than 4 s (webhooks arrive within ms).
    system = await System.start('e2e-shopify', { env: { SHOPIFY_SWEEP_SETTLE_MS: '4000' } });
    exceptions = await system.watch('ops.exception.raised.v1');
    received = await system.watch('shopify.webhook.received.v1');
    requested = await system.watch('accounting.fusion-receivables.requested.v1');
    synced = await system.watch('accounting.fusion-receivables.synced.v1');
  });
  after(async () => {
    await system?.close();
  });

  it('a new customer and order: Fusion holds the customer with a bill-to site and the invoice (total, address, customer, GL account, cross-reference); the audit trail links them', async () => {
    const customer = newCustomer(system, 'Clean');
    const order = newOrder(system, customer);
    const orderId = String(order.id);
    await until('the invoice of the new order', () => complete(system, orderId, { invoices: 1, credits: 0 }));
    const shop = await shopifyOrder(system, order.id);

    // The customer: one party (external id = Shopify customer id, email lowercased), one account with a BILL_TO site.
    const parties = partiesOf(system, String(customer.id));
    assert.equal(parties.length, 1, 'one Fusion party for the Shopify customer');
    const party = parties[0]!;
    assert.equal(party.fields['EmailAddress'], customer.email!.toLowerCase());
    const billTo = party.Address.find((a) => a['AddressType'] === 'BILL_TO')!;
    assert.deepEqual(
      {
        Address1: billTo['Address1'],
        Address2: billTo['Address2'],
        City: billTo['City'],
        State: billTo['State'],
        PostalCode: billTo['PostalCode'],
        Country: billTo['Country'],
      },
      { Address1: '150 Elgin St', Address2: 'Suite 1000', City: 'Ottawa', State: 'ON', PostalCode: 'K1P 1J1', Country: 'CA' },
    );
    const accounts = system.fusion.receivables.accounts.filter((a) => a.PartyId === party.PartyId);
    assert.equal(accounts.length, 1, 'one customer account');
    const account = accounts[0]!;
    assert.equal(account.billToSites.length, 1);
    assert.equal(account.billToSites[0]!.PartySiteId, billTo.PartySiteId, 'the bill-to site is on the billing address');

    // The invoice: one, for the order, billed to that account and site, total = Shopify's total_price to the cent.
    const { invoices } = documentsOf(system, orderId);
    assert.equal(invoices.length, 1);
    const inv = invoices[0]!;
    assert.equal(inv.fields['CrossReference'], orderId);
    assert.equal(inv.fields['BillToCustomerNumber'], account.AccountNumber);
    assert.equal(inv.fields['BillToSite'], account.billToSites[0]!.SiteName);
    assert.equal(inv.fields['InvoiceStatus'], 'Complete');
    assert.equal(inv.fields['BusinessUnit'], 'US1 Business Unit');
    assert.equal(inv.fields['TransactionSource'], 'SHOPIFY');
    assert.equal(inv.fields['InvoiceCurrencyCode'], 'CAD');
    assert.match(String(inv.fields['Comments']), new RegExp(shop.name));
    assert.equal(money(trxCents(inv)), shop.total_price);
    assert.equal(shop.total_price, '175.14'); // 3 × 25.00 + 64.99 + 15.00 shipping + 13 % HST per line
    assert.ok(inv.distributions.length >= inv.lines.length);
    for (const d of inv.distributions) {
      assert.equal(d['AccountClass'], 'Revenue');
      assert.equal(d['AccountCombination'], REVENUE_ACCOUNT);
    }
    assert.equal(money(inv.distributions.reduce((s, d) => s + cents(d['Amount']), 0)), shop.total_price, 'distributions add up to the total');
    assert.ok(inv.lines.some((l) => String(l['Description']).startsWith(`${TSHIRT.sku} `) && l['Quantity'] === 3 && cents(l['UnitSellingPrice']) === 2500));

    // The audit trail: the Shopify order → the Fusion invoice (ops API, x-api-key).
    const audit = await waitFor(
      async () => {
        const q = new URLSearchParams({ tenant: TENANT, entityType: 'shopify-order', businessId: orderId, topic: 'accounting.fusion-receivables.synced.v1' });
        const res = await fetch(`${system.service('audit-projector').url}/ops/audit?${q}`, { headers: { 'x-api-key': OPERATOR_KEY } });
        if (res.status !== 200) throw new Error(`ops/audit answered ${res.status}: ${await res.text()}`);
        const body = (await res.json()) as { entries: Array<{ refs: string[]; attrs: Record<string, unknown>; result: string }> };
        return body.entries.find((e) => e.attrs['kind'] === 'invoice_create' && e.refs.includes(`fusion-invoice:${inv.TransactionNumber}`));
      },
      { timeoutMs: 20_000, what: 'the audit entry linking the order to its invoice' },
    );
    assert.equal(audit.result, 'success');
    assert.ok(audit.refs.includes(`shopify-order:${orderId}`));
  });

  it('an edit and a partial refund: a supplementary invoice, a credit memo for the decrease and one for the refund, all against the original invoice (ADR-001)', async () => {
    const customer = newCustomer(system, 'Amend');
    const order = newOrder(system, customer);
    const orderId = String(order.id);
    await until('the invoice', () => complete(system, orderId, { invoices: 1, credits: 0 }));
    steps.edit(system, order);
    await until('the amendment', () => complete(system, orderId, { invoices: 2, credits: 1 }));
    steps.pay(system, order);
    system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
    steps.refund(system, order);
    await until('the refund credit memo', () => complete(system, orderId, { invoices: 2, credits: 2 }));
    const shop = await shopifyOrder(system, order.id);

    const { invoices, credits } = documentsOf(system, orderId);
    const original = invoices.find((i) => i.fields['CrossReference'] === orderId)!;
    const supplementary = invoices.find((i) => i.fields['CrossReference'] === `${orderId}-A1`);
    assert.ok(supplementary, 'the increase is a supplementary invoice <order id>-A1');
    assert.equal(money(trxCents(original)), '175.14', 'the original invoice is never changed');
    assert.equal(money(trxCents(supplementary)), '20.34', 'the added mug: 18.00 + 2.34 HST');
    assert.equal(supplementary.fields['BillToCustomerNumber'], original.fields['BillToCustomerNumber']);
    assert.ok(supplementary.distributions.every((d) => d['AccountCombination'] === REVENUE_ACCOUNT));
    assert.equal(credits.length, 2);
    for (const c of credits) assert.equal(c.fields['PreviousCustomerTrxId'], original.CustomerTransactionId, 'credits go against the original invoice');
    const lineIdOf = (sku: string) => original.lines.find((l) => String(l['Description']).startsWith(sku))!['CustomerTransactionLineId'];
    const amendment = credits.find((c) => /amendment/.test(String(c.fields['CreditMemoComments'])))!;
    assert.equal(money(trxCents(amendment)), '-28.25', 'one T-shirt less: 25.00 + 3.25 HST');
    // createCreditMemo credits at header level (Oracle's CreditMemo object has no lines): Fusion spreads the credit
    // over the original invoice's lines, each within what it billed.
    const onOriginal = (c: ArTransaction) =>
      c.lines.every((l) => original.lines.some((x) => x['CustomerTransactionLineId'] === l['PreviousCustomerTrxLineId'] && lineCents(l) >= -lineCents(x)));
    assert.ok(onOriginal(amendment) && lineIdOf(TSHIRT.sku) !== undefined);
    const refund = credits.find((c) => /refund/.test(String(c.fields['CreditMemoComments'])))!;
    assert.equal(money(trxCents(refund)), '-73.44', 'the hoodie: 64.99 + 8.45 HST');
    assert.ok(onOriginal(refund) && lineIdOf(HOODIE.sku) !== undefined);
    assert.equal(money(netCents(system, orderId)), shop.current_total_price, "net AR equals Shopify's current total");
    clean = stateOf(system, orderId, String(customer.id));
  });

  it('duplicated and reordered webhooks end in the same Fusion state; so does a dropped one, caught by the sweep', async () => {
    assert.ok(clean, 'the clean run of the previous test');
    // 1. Every webhook twice, each merchant action's webhooks newest first (orders/updated before orders/create,
    //    before refunds/create, before orders/paid; customers/create after the order).
    system.shopify.webhookFaults = { duplicate: true, reorder: true };
    const c1 = newCustomer(system, 'Chaos');
    const o1 = newOrder(system, c1);
    system.shopify.dispatcher.flush();
    await until('the invoice (reordered, duplicated)', () => complete(system, String(o1.id), { invoices: 1, credits: 0 }));
    steps.edit(system, o1);
    system.shopify.dispatcher.flush();
    await until('the amendment (reordered, duplicated)', () => complete(system, String(o1.id), { invoices: 2, credits: 1 }));
    steps.pay(system, o1);
    system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
    steps.refund(system, o1);
    system.shopify.dispatcher.flush();
    await until('the refund (reordered, duplicated)', () => complete(system, String(o1.id), { invoices: 2, credits: 2 }));

    // 2. The whole story held back and delivered newest first, twice: one invoice, the net the same.
    const c2 = newCustomer(system, 'Reversed');
    const o2 = newOrder(system, c2);
    system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
    steps.edit(system, o2);
    system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
    steps.pay(system, o2);
    system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
    steps.refund(system, o2);
    system.shopify.dispatcher.flush();
    system.shopify.webhookFaults = {};
    await until('the reversed story', () => netCents(system, String(o2.id)) === 9379 && complete(system, String(o2.id), { invoices: 1, credits: 2 }));

    // 3. The customer's and the order's webhooks lost: the sweep brings them; the rest comes by webhook.
    system.shopify.webhookFaults = { drop: true };
    const c3 = newCustomer(system, 'Dropped');
    const o3 = newOrder(system, c3);
    system.shopify.webhookFaults = {};
    await until('the invoice of the dropped order, through the sweep', () => complete(system, String(o3.id), { invoices: 1, credits: 0 }), 40_000);
    steps.edit(system, o3);
    await until('the amendment after the sweep', () => complete(system, String(o3.id), { invoices: 2, credits: 1 }));
    steps.pay(system, o3);
    system.shopify.advanceClock(20); // the next merchant action 20 ms later on Shopify's clock
    steps.refund(system, o3);
    await until('the refund after the sweep', () => complete(system, String(o3.id), { invoices: 2, credits: 2 }));
    assert.ok(
      system.shopify.deliveries.some((d) => d.dropped && d.topic === 'orders/create' && d.body.includes(String(o3.id))),
      'orders/create was dropped',
    );
    assert.ok(
      received.values().some((r) => r.deliveryId.startsWith(`sweep:gid://shopify/Order/${o3.id}:`)),
      'the sweep brought the order',
    );

    // Let stragglers (duplicates, later sweeps) do their damage, then compare: every delivery made, two more sweeps,
    // every record handled down to the write-back.
    await system.shopify.dispatcher.idle();
    await system.shopifySwept();
    await system.handled(SHOPIFY_PIPELINE, SHOPIFY_PIPELINE);
    assert.deepEqual(stateOf(system, String(o1.id), String(c1.id)), clean, 'duplicated + reordered = clean');
    assert.deepEqual(stateOf(system, String(o3.id), String(c3.id)), clean, 'dropped + swept = clean');
    const reversed = documentsOf(system, String(o2.id));
    assert.equal(reversed.invoices.filter((i) => i.fields['CrossReference'] === String(o2.id)).length, 1, 'one invoice for the reversed order');
    assert.equal(money(netCents(system, String(o2.id))), (await shopifyOrder(system, o2.id)).current_total_price, 'reversed: net AR = Shopify current total');
    for (const [c, o] of [
      [c1, o1],
      [c2, o2],
      [c3, o3],
    ] as const) {
      assert.equal(partiesOf(system, String(c.id)).length, 1, `one party for customer ${c.id}`);
      assert.equal(
        system.fusion.receivables.accounts.filter((a) => a.PartyId === partiesOf(system, String(c.id))[0]!.PartyId).length,
        1,
        `one account for customer ${c.id}`,
      );
      const refs = documentsOf(system, String(o.id)).invoices.map((i) => String(i.fields['CrossReference']));
      assert.equal(new Set(refs).size, refs.length, `no cross-reference twice for order ${o.id}`);
      const comments = documentsOf(system, String(o.id)).credits.map((m) => String(m.fields['CreditMemoComments']));
      assert.equal(new Set(comments).size, comments.length, `no credit memo twice for order ${o.id}`);
    }
  });

  it('a forged webhook (bad HMAC) is refused with 401 and changes nothing', async () => {
    const forgedId = '7777777777777777777';
    const eventId = randomUUID();
    const body = `{"id":${forgedId},"name":"#9999","email":"mallory@example.com","currency":"CAD","total_price":"1.00","financial_status":"paid","line_items":[{"id":1,"quantity":1,"price":"1.00","title":"Free money"}],"updated_at":"2030-01-01T00:00:00-05:00"}`;
    const post = (secret: string) =>
      fetch(`${system.service('webhook-gateway').url}/webhooks/shopify/${TENANT}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-Shopify-Topic': 'orders/create',
          'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
          'X-Shopify-Shop-Domain': system.shopify.shopDomain,
          'X-Shopify-API-Version': '2026-10',
          'X-Shopify-Webhook-Id': randomUUID(),
          'X-Shopify-Event-Id': eventId,
          'X-Shopify-Triggered-At': new Date().toISOString(),
        },
        body,
      });
    const res = await post('not-the-shop-secret');
    assert.equal(res.status, 401);
    const missing = await fetch(`${system.service('webhook-gateway').url}/webhooks/shopify/${TENANT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Shopify-Topic': 'orders/create' },
      body,
    });
    assert.equal(missing.status, 401, 'no signature at all');
    await system.handled(SHOPIFY_PIPELINE);
    await received.caughtUp(); // what was published before the 401s is read
    assert.equal(received.values().filter((v) => v.deliveryId === eventId || v.body.includes(forgedId)).length, 0, 'nothing published');
    assert.equal(documentsOf(system, forgedId).invoices.length, 0, 'nothing in Fusion');
    assert.equal(system.fusion.receivables.parties.filter((p) => p.fields['EmailAddress'] === 'mallory@example.com').length, 0);
  });

  it('an order id above 2^53 keeps its exact digits in Fusion (invoice and supplementary cross-references)', async () => {
    const big = 9007199254740993n; // 2^53 + 1: a JS number would make it …992
    const customer = newCustomer(system, 'Big');
    const order = newOrder(system, customer, big);
    await until('the invoice of the 64-bit order', () => complete(system, big.toString(), { invoices: 1, credits: 0 }));
    steps.edit(system, order);
    await until('its amendment', () => complete(system, big.toString(), { invoices: 2, credits: 1 }));
    const refs = documentsOf(system, big.toString())
      .invoices.map((i) => i.fields['CrossReference'])
      .sort();
    assert.deepEqual(refs, ['9007199254740993', '9007199254740993-A1']);
    assert.equal(
      system.fusion.receivables.invoices.filter((i) => String(i.fields['CrossReference']).startsWith('9007199254740992')).length,
      0,
      'no rounded id',
    );
    assert.equal(money(trxCents(documentsOf(system, big.toString()).invoices.find((i) => i.fields['CrossReference'] === big.toString())!)), '175.14');
  });
});
