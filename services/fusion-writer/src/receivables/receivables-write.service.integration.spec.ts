import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import { ledgerOfInvoice, orderInvoice, refundCreditMemo, type AccountingConfig, type ShopifyOrder, type ShopifyRefund } from '@mlc/domain-accounting';
import { FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { AppError, errorCategory } from '@mlc/platform-errors';
import { newMeta } from '@mlc/platform-kafka';
import { logger } from '@mlc/platform-telemetry';
import { REPO_ROOT, testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { ReceivablesLedger } from './receivables.ledger';
import { creditMemoNumber, ReceivablesWriteService, type ExceptionSink } from './receivables-write.service';
import { TEST_ACCOUNTING as CONFIG } from '../fixtures/accounting';

type Requested = TopicRecords['accounting.fusion-receivables.requested.v1'];

const ORDER: ShopifyOrder = {
  id: '18446744073709551615',
  name: '#1042',
  currency: 'KWD',
  processed_at: '2026-11-02T10:15:00+03:00',
  total_price: '10.125',
  taxes_included: false,
  customer: {
    id: '7',
    email: 'sara@example.com',
    first_name: 'Sara',
    last_name: 'Al-Sabah',
    default_address: { address1: 'Gulf Rd 1', city: 'Kuwait City', country_code: 'KW', zip: '13001' },
  },
  line_items: [{ id: '11', title: 'Dallah', quantity: 3, price: '3.375', tax_lines: [] }],
  shipping_lines: [],
};

/**
 * A published Shopify sample from test/fixtures, ids kept exact as the mapper keeps them: integers of 16 digits and
 * more (beyond 2^53) become strings of their digits; money decimals read back exactly through String().
 */
function shopifyFixture<T>(name: string): T {
  const text = readFileSync(join(REPO_ROOT, 'test/fixtures/shopify', name), 'utf8');
  return JSON.parse(text.replace(/(:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"')) as T;
}

/** Collects the exceptions a command raises while it goes on (the consumer's HandlerContext.exception). */
function exceptionSink(): ExceptionSink & { raised: { code: string; message: string; details?: Record<string, unknown> }[] } {
  const raised: { code: string; message: string; details?: Record<string, unknown> }[] = [];
  return {
    raised,
    exception: (e) => {
      raised.push(e);
      return { topic: 'ops.exception.raised.v1', key: e.businessId, value: e } as never;
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('ReceivablesWriteService against the Fusion sandbox and real Postgres', () => {
  const sandbox = new FusionSandbox({ seed: 5 });
  let db: TestDatabase;
  let pool: Pool;
  let client: FusionClient;
  let service: ReceivablesWriteService;
  const cmd = (kind: Requested['kind'], idempotencyKey: string, document: unknown): Requested => ({
    meta: newMeta({ tenantId: 't1', source: 'test' }),
    kind,
    idempotencyKey,
    shopDomain: 'kw.myshopify.com',
    shopifyOrderId: ORDER.id,
    shopifyOrderName: ORDER.name ?? null,
    shopifyCustomerId: '7',
    shopifyRefundId: null,
    mappingVersion: 1,
    document: JSON.stringify(document),
  });

  before(async () => {
    db = await testDatabase('fw_receivables');
    pool = new Pool({ connectionString: db.url });
    const url = await sandbox.listen(0);
    client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
    service = new ReceivablesWriteService(async () => client, new ReceivablesLedger(pool), logger('test', 'error'));
  });
  after(async () => {
    await sandbox.close();
    await pool?.end();
    await db?.drop();
  });

  const invoice = orderInvoice(ORDER, CONFIG, 'external-id-then-email');
  const refund = refundCreditMemo(
    {
      id: '99',
      order_id: ORDER.id,
      processed_at: '2026-11-04T09:00:00+03:00',
      refund_line_items: [{ id: 'r', line_item_id: '11', quantity: 1, subtotal: '3.375', total_tax: '0.000' }],
    },
    { id: ORDER.id, name: '#1042', billTo: invoice.billTo },
    ledgerOfInvoice(invoice),
    CONFIG,
  )!;

  it('a credit memo whose invoice is not in Fusion yet is retryable, not parked', async () => {
    const err = await rejection(service.handle(cmd('credit_memo', 'k:refund:99', refund)));
    assert.equal(err.code, 'FUSION_WRITER.NOT_READY');
    assert.equal(err.retryable, true);
  });

  it('creates the customer and a 3-decimal invoice once; a replay, even with our ledger lost, finds it by CrossReference', async () => {
    const [out] = await service.handle(cmd('invoice_create', 'k:invoice', invoice));
    const synced = out!.value as TopicRecords['accounting.fusion-receivables.synced.v1'];
    assert.equal(synced.outcome, 'created');
    assert.equal(synced.amount, '10.125');
    const inv = sandbox.receivables.invoices.find((i) => i.fields['CrossReference'] === '18446744073709551615')!;
    assert.equal(inv.fields['InvoiceStatus'], 'Complete');
    assert.deepEqual(
      inv.lines.map((l) => [l['Quantity'], l['UnitSellingPrice']]),
      [[3, 3.375]],
    );
    assert.equal(inv.fields['BillToCustomerNumber'], synced.fusionCustomerAccountNumber);
    assert.equal(((await service.handle(cmd('invoice_create', 'k:invoice', invoice)))[0]!.value as { outcome: string }).outcome, 'already_existed');
    await pool.query('DELETE FROM fusion_writer_receivables_done');
    await pool.query('DELETE FROM fusion_writer_receivables_customers');
    assert.equal(((await service.handle(cmd('invoice_create', 'k:invoice', invoice)))[0]!.value as { outcome: string }).outcome, 'already_existed');
    assert.equal(sandbox.receivables.invoices.filter((i) => i.fields['CrossReference'] === '18446744073709551615').length, 1);
    assert.equal(
      sandbox.receivables.parties.filter((p) => p.fields['EmailAddress'] === 'sara@example.com').length,
      1,
      'the customer was matched, not created again',
    );
  });

  it('credits the refund once: our ledger guards a replay; with the ledger lost, the memo is found by the TransactionNumber Fusion kept', async () => {
    const [out] = await service.handle(cmd('credit_memo', 'k:refund:99', refund));
    assert.equal((out!.value as { outcome: string }).outcome, 'created');
    assert.equal(((await service.handle(cmd('credit_memo', 'k:refund:99', refund)))[0]!.value as { outcome: string }).outcome, 'already_existed');
    const credits = sandbox.written.invoiceCredits.filter((c) => c['CreditMemoComments'] === refund.comments);
    assert.equal(credits.length, 1);
    assert.equal(credits[0]!['EnteredAmount'], -3.375);
    assert.equal(credits[0]!['LineAmount'], -3.375);
    assert.equal(credits[0]!['SentTransactionNumber'], creditMemoNumber(refund));
    // A manually numbered source keeps our number: a replay without our ledger finds the memo by it.
    const strict = sandbox.options.strict as typeof sandbox.options.strict & { creditMemoNumbering?: string };
    strict.creditMemoNumbering = 'kept';
    try {
      const again = { ...refund, reason: { kind: 'refund' as const, shopifyRefundId: '100' }, comments: 'Shopify refund 100 of order #1042' };
      assert.equal(((await service.handle(cmd('credit_memo', 'k:refund:100', again)))[0]!.value as { outcome: string }).outcome, 'created');
      await pool.query('DELETE FROM fusion_writer_receivables_done');
      assert.equal(((await service.handle(cmd('credit_memo', 'k:refund:100', again)))[0]!.value as { outcome: string }).outcome, 'already_existed');
      assert.equal(sandbox.written.invoiceCredits.filter((c) => c['CreditMemoComments'] === again.comments).length, 1);
    } finally {
      delete strict.creditMemoNumbering;
    }
  });

  it("credits exactly the money of Shopify's published refunds/create sample against the invoice of its published orders/create sample", async () => {
    const order = shopifyFixture<ShopifyOrder>('orders_create.json');
    const published = shopifyFixture<ShopifyRefund>('refunds_create.json');
    const inv = orderInvoice(order, CONFIG, 'email-then-external-id');
    const doc = refundCreditMemo(published, { id: order.id, name: order.name ?? null, billTo: inv.billTo }, ledgerOfInvoice(inv), CONFIG)!;
    assert.equal(published.id, '890088186047892319');
    assert.equal(doc.total, '-85.00', 'the two successful refund transactions: 75.00 + 10.00');
    const orderCmd = (kind: Requested['kind'], key: string, d: unknown) => ({ ...cmd(kind, key, d), shopifyOrderId: order.id, shopifyCustomerId: null });
    await service.handle(orderCmd('invoice_create', 'sample:invoice', inv));
    const sink = exceptionSink();
    const [out] = await service.handle(orderCmd('credit_memo', 'sample:refund', doc), sink);
    const synced = out!.value as TopicRecords['accounting.fusion-receivables.synced.v1'];
    assert.equal(synced.outcome, 'created');
    assert.equal(synced.amount, '-85.00');
    const memo = sandbox.written.invoiceCredits.at(-1)!;
    const invoiceId = sandbox.receivables.invoices.find((i) => i.fields['CrossReference'] === order.id)!.CustomerTransactionId;
    assert.equal(memo['PreviousCustomerTransactionId'], invoiceId);
    assert.deepEqual([memo['LineAmount'], memo['FreightAmount'], memo['TaxAmount'], memo['EnteredAmount']], [-85, 0, 0, -85]);
    assert.deepEqual(sink.raised, []);
  });

  const TAXED: ShopifyOrder = {
    id: '4400000000000001',
    name: '#2001',
    currency: 'USD',
    processed_at: '2026-11-05T10:00:00-05:00',
    total_price: '67.80',
    taxes_included: false,
    customer: null,
    line_items: [
      { id: '21', title: 'Mug', quantity: 2, price: '20.00', tax_lines: [{ title: 'HST', price: '5.20', rate: '0.13' }] },
      { id: '22', title: 'Spoon', quantity: 1, price: '10.00', tax_lines: [{ title: 'HST', price: '1.30', rate: '0.13' }] },
    ],
    shipping_lines: [{ title: 'Standard', price: '10.00', tax_lines: [{ title: 'HST', price: '1.30', rate: '0.13' }] }],
  } as ShopifyOrder;

  it('credits a partial refund with its tax and shipping to the cent, and cuts a refund above the balance to it with a raised exception', async () => {
    const inv = orderInvoice(TAXED, { ...CONFIG, guestCustomerAccountNumber: sandbox.receivables.accounts[0]!.AccountNumber }, 'email-then-external-id');
    assert.equal(inv.total, '67.80');
    const taxedCmd = (kind: Requested['kind'], key: string, d: unknown) => ({ ...cmd(kind, key, d), shopifyOrderId: TAXED.id, shopifyCustomerId: null });
    await service.handle(taxedCmd('invoice_create', 'taxed:invoice', inv));
    const partial: ShopifyRefund = {
      id: '31',
      order_id: TAXED.id,
      processed_at: '2026-11-06T10:00:00-05:00',
      refund_line_items: [{ id: 'rl1', line_item_id: '21', quantity: 1, subtotal: '20.00', total_tax: '2.60' }],
      refund_shipping_lines: [
        {
          subtotal_amount_set: { shop_money: { amount: '10.00', currency_code: 'USD' } },
          tax_amount_set: { shop_money: { amount: '1.30', currency_code: 'USD' } },
        },
      ],
      transactions: [{ kind: 'refund', status: 'success', amount: '33.90' }],
    } as ShopifyRefund;
    const doc = refundCreditMemo(partial, { id: TAXED.id, name: '#2001', billTo: inv.billTo }, ledgerOfInvoice(inv), CONFIG)!;
    assert.equal(doc.total, '-33.90');
    const [out] = await service.handle(taxedCmd('credit_memo', 'taxed:refund:31', doc), exceptionSink());
    assert.equal((out!.value as { amount: string }).amount, '-33.90');
    assert.equal(sandbox.written.invoiceCredits.at(-1)!['EnteredAmount'], -33.9);
    // The customer is refunded 40.00 more although only 33.90 is left on the invoice: 33.90 is credited, and the
    // difference is an exception someone sees.
    const tooMuch = refundCreditMemo(
      {
        id: '32',
        order_id: TAXED.id,
        processed_at: '2026-11-07T10:00:00-05:00',
        refund_line_items: [],
        transactions: [{ kind: 'refund', status: 'success', amount: '40.00' }],
      } as ShopifyRefund,
      { id: TAXED.id, name: '#2001', billTo: inv.billTo },
      ledgerOfInvoice(inv),
      CONFIG,
    )!;
    const sink = exceptionSink();
    const outs = await service.handle(taxedCmd('credit_memo', 'taxed:refund:32', tooMuch), sink);
    assert.equal((outs[0]!.value as { amount: string; outcome: string }).amount, '-33.90');
    assert.equal(outs.length, 2, 'the synced record and the exception');
    assert.equal(sink.raised[0]?.code, 'FUSION_WRITER.CREDIT_ABOVE_BALANCE');
    assert.deepEqual([sink.raised[0]?.details?.['asked'], sink.raised[0]?.details?.['balance']], ['40.00', '33.90']);
    assert.equal(sandbox.written.invoiceCredits.at(-1)!['EnteredAmount'], -33.9);
    // Nothing left: a further refund writes no memo, and says so.
    const none = exceptionSink();
    const [nothing] = await service.handle(taxedCmd('credit_memo', 'taxed:refund:33', { ...tooMuch, reason: { kind: 'refund', shopifyRefundId: '33' } }), none);
    assert.equal((nothing!.value as { outcome: string }).outcome, 'unchanged');
    assert.equal(none.raised[0]?.code, 'FUSION_WRITER.CREDIT_ABOVE_BALANCE');
  });

  it('a guest account that does not exist in Fusion is a missing mapping (parked, not retried), and nothing is written', async () => {
    const guest = orderInvoice({ ...ORDER, id: '5', customer: null }, { ...CONFIG, guestCustomerAccountNumber: 'NOPE' }, 'email-then-external-id');
    const err = await rejection(service.handle(cmd('invoice_create', 'k:guest', guest)));
    assert.equal(err.code, 'FUSION_WRITER.MISSING_MAPPING_GUEST_ACCOUNT');
    assert.equal(errorCategory(err), 'missing-mapping');
    assert.equal(err.retryable, false);
    assert.equal(sandbox.receivables.invoices.filter((i) => i.fields['CrossReference'] === '5').length, 0);
  });

  it('a Fusion outage (5xx on every call) is retryable: the consumer backs off', async () => {
    sandbox.faults = { errorRate: 1 };
    try {
      const err = await rejection(service.handle(cmd('invoice_create', 'k:other', { ...invoice, crossReference: 'other' })));
      assert.equal(err.retryable, true);
    } finally {
      sandbox.faults = {};
    }
  });

  it('customer_upsert of a known customer PATCHes the party and its address; an older version changes nothing', async () => {
    const doc = (updatedAt: string, email: string, city: string) => ({
      type: 'customer',
      shopifyCustomerId: '70',
      email,
      phone: null,
      name: 'Omar Haddad',
      address: { AddressType: 'BILL_TO', Address1: '1 Sea Rd', City: city, PostalCode: '13002', Country: 'KW' },
      sourceSystem: 'SHOPIFY',
      matching: 'external-id-then-email',
      updatedAt,
    });
    const outcome = async (key: string, d: unknown) =>
      ((await service.handle({ ...cmd('customer_upsert', key, d), shopifyCustomerId: '70' }))[0]!.value as { outcome: string }).outcome;
    assert.equal(await outcome('c70:1', doc('2026-11-01T10:00:00Z', 'omar@example.com', 'Salmiya')), 'created');
    const party = sandbox.receivables.parties.find((p) => p.fields['SourceSystemReferenceValue'] === '70')!;
    const siteId = party.Address[0]!.PartySiteId;
    assert.equal(await outcome('c70:3', doc('2026-11-03T10:00:00Z', 'omar.h@example.com', 'Hawalli')), 'updated');
    assert.equal(party.fields['EmailAddress'], 'omar.h@example.com');
    assert.equal(party.Address[0]!['City'], 'Hawalli');
    assert.equal(party.Address[0]!.PartySiteId, siteId, 'updated in place');
    const writes = sandbox.written.customerUpdates.length;
    assert.equal(await outcome('c70:2', doc('2026-11-02T10:00:00Z', 'omar.old@example.com', 'Fahaheel')), 'unchanged');
    assert.equal(await outcome('c70:3b', doc('2026-11-03T10:00:00Z', 'omar.h@example.com', 'Hawalli')), 'unchanged');
    assert.equal(await outcome('c70:4', doc('2026-11-04T10:00:00Z', 'omar.h@example.com', 'Hawalli')), 'unchanged', 'newer but identical: nothing to write');
    assert.equal(sandbox.written.customerUpdates.length, writes);
    assert.equal(party.fields['EmailAddress'], 'omar.h@example.com');
    assert.equal(sandbox.receivables.parties.filter((p) => p.fields['SourceSystemReferenceValue'] === '70').length, 1);
  });
  it('an individual customer becomes a person (hubPersons) with its own customer account; a customer with a company stays an organization', async () => {
    const doc = (id: string, over: Record<string, unknown>) => ({
      type: 'customer',
      shopifyCustomerId: id,
      email: `${id}@example.com`,
      phone: null,
      name: 'Layla Nasser',
      address: { AddressType: 'BILL_TO', Address1: '3 Pearl St', City: 'Kuwait City', PostalCode: '13003', Country: 'KW' },
      sourceSystem: 'SHOPIFY',
      matching: 'email-then-external-id',
      updatedAt: '2026-11-01T10:00:00Z',
      ...over,
    });
    const handle = async (key: string, d: Record<string, unknown>) =>
      (await service.handle({ ...cmd('customer_upsert', key, d), shopifyCustomerId: String(d['shopifyCustomerId']) }))[0]!
        .value as TopicRecords['accounting.fusion-receivables.synced.v1'];
    const posted = sandbox.written.customers.length;
    const person = await handle('p81:1', doc('p81', { partyType: 'person', firstName: 'Layla', lastName: 'Nasser' }));
    assert.equal(person.outcome, 'created');
    const party = sandbox.receivables.parties.find((p) => p.fields['SourceSystemReferenceValue'] === 'p81')!;
    assert.equal(party.kind, 'person');
    assert.equal(party.fields['PersonFirstName'], 'Layla');
    assert.equal(party.fields['PersonLastName'], 'Nasser');
    assert.equal(party.fields['OrganizationName'], undefined, 'not an organization named after her');
    const [sent] = sandbox.written.customers.slice(posted);
    assert.deepEqual(
      Object.keys(sent!).sort(),
      [
        'Address',
        'EmailAddress',
        'PartyId',
        'PartyNumber',
        'PartyUsageCode',
        'PersonFirstName',
        'PersonLastName',
        'SourceSystem',
        'SourceSystemReferenceValue',
        'kind',
      ].sort(),
    );
    const account = sandbox.receivables.accounts.find((a) => a.PartyId === party.PartyId);
    assert.ok(account && account.billToSites.length === 1, 'customer account with a BILL_TO site for the person (SOAP)');
    assert.equal(person.fusionCustomerAccountNumber, account.AccountNumber);

    const org = await handle('o82:1', doc('o82', { name: 'Pearl Trading', partyType: 'organization' }));
    assert.equal(org.outcome, 'created');
    const orgParty = sandbox.receivables.parties.find((p) => p.fields['SourceSystemReferenceValue'] === 'o82')!;
    assert.equal(orgParty.kind, 'organization');
    assert.equal(orgParty.fields['OrganizationName'], 'Pearl Trading');

    // Matching by email finds the person (searched in hubPersons as well as hubOrganizations): no second party.
    await pool.query('DELETE FROM fusion_writer_receivables_customers');
    const again = await handle('p81:again', doc('p81', { partyType: 'person', firstName: 'Layla', lastName: 'Nasser', matching: 'email-then-external-id' }));
    assert.equal(again.outcome, 'already_existed');
    assert.equal(again.fusionCustomerAccountNumber, account.AccountNumber);
    // And a customer created as an organization before (an older document) is still matched by its external id.
    await pool.query("DELETE FROM fusion_writer_receivables_customers WHERE shopify_customer_id = 'o82'");
    const orgAgain = await handle(
      'o82:again',
      doc('o82', { email: null, partyType: 'person', firstName: null, lastName: 'Pearl', matching: 'external-id-then-email' }),
    );
    assert.equal(orgAgain.outcome, 'already_existed');
    assert.equal(sandbox.receivables.parties.filter((p) => ['p81', 'o82'].includes(String(p.fields['SourceSystemReferenceValue']))).length, 2);

    // An update of the person PATCHes hubPersons (names, email) and its address in place.
    const updated = await handle(
      'p81:2',
      doc('p81', {
        partyType: 'person',
        firstName: 'Layla',
        lastName: 'Nasser-Ali',
        email: 'layla@example.org',
        updatedAt: '2026-11-02T10:00:00Z',
        address: { AddressType: 'BILL_TO', Address1: '9 Gulf Rd', City: 'Salmiya', PostalCode: '22001', Country: 'KW' },
      }),
    );
    assert.equal(updated.outcome, 'updated');
    assert.equal(party.fields['PersonLastName'], 'Nasser-Ali');
    assert.equal(party.fields['EmailAddress'], 'layla@example.org');
    assert.equal(party.Address[0]!['City'], 'Salmiya');
    assert.ok(sandbox.written.customerUpdates.some((u) => u['kind'] === 'person' && u['PersonLastName'] === 'Nasser-Ali'));
  });
});

describe('customer matching where Fusion refuses q on email and source reference (UNCONFIRMED queryability off)', () => {
  const strictest = Object.fromEntries(
    ['EmailAddress', 'SourceSystem', 'SourceSystemReferenceValue'].flatMap((a) => [
      [`hubOrganizations.${a}`, false],
      [`hubPersons.${a}`, false],
    ]),
  );
  const sandbox = new FusionSandbox({ seed: 9, strict: { queryable: strictest } });
  let db: TestDatabase;
  let pool: Pool;
  let service: ReceivablesWriteService;

  before(async () => {
    db = await testDatabase('fw_receivables_strict_q');
    pool = new Pool({ connectionString: db.url });
    const url = await sandbox.listen(0);
    const client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
    service = new ReceivablesWriteService(async () => client, new ReceivablesLedger(pool), logger('test', 'error'));
  });
  after(async () => {
    await sandbox.close();
    await pool?.end();
    await db?.drop();
  });

  it('a person is still matched by email (persons of that last name, read by PersonLastName, a documented queryable attribute)', async () => {
    const doc = {
      type: 'customer',
      shopifyCustomerId: '91',
      email: 'rana@example.com',
      phone: null,
      name: 'Rana Saleh',
      address: { AddressType: 'BILL_TO', Address1: '7 Palm St', City: 'Kuwait City', PostalCode: '13004', Country: 'KW' },
      sourceSystem: 'SHOPIFY',
      matching: 'email-then-external-id',
      updatedAt: '2026-11-01T10:00:00Z',
      partyType: 'person',
      firstName: 'Rana',
      lastName: 'Saleh',
    };
    const handle = async (key: string) =>
      (
        (
          await service.handle({
            meta: newMeta({ tenantId: 't1', source: 'test' }),
            kind: 'customer_upsert',
            idempotencyKey: key,
            shopDomain: 'kw.myshopify.com',
            shopifyOrderId: null,
            shopifyOrderName: null,
            shopifyCustomerId: '91',
            shopifyRefundId: null,
            mappingVersion: 1,
            document: JSON.stringify(doc),
          })
        )[0]!.value as { outcome: string }
      ).outcome;
    assert.equal(await handle('c91:1'), 'created');
    await pool.query('DELETE FROM fusion_writer_receivables_customers');
    assert.equal(await handle('c91:again'), 'already_existed');
    assert.equal(
      sandbox.receivables.parties.filter((p) => p.kind === 'person' && p.fields['EmailAddress'] === 'rana@example.com').length,
      1,
      'matched, not created twice',
    );
  });
});
