import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import { ledgerOfInvoice, orderInvoice, refundCreditMemo, type AccountingConfig, type ShopifyOrder } from '@mlc/domain-accounting';
import { FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { AppError, errorCategory } from '@mlc/platform-errors';
import { newMeta } from '@mlc/platform-kafka';
import { runSqlMigrations } from '@mlc/platform-service';
import { logger } from '@mlc/platform-telemetry';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { ReceivablesLedger } from './receivables.ledger';
import { RECEIVABLES_MIGRATIONS } from './receivables.migrations';
import { ReceivablesWriteService } from './receivables-write.service';

type Requested = TopicRecords['accounting.fusion-receivables.requested.v1'];

const CONFIG: AccountingConfig = { businessUnit: 'BU1', transactionSource: 'SHOPIFY', transactionType: 'Invoice', paymentTerms: 'IMMEDIATE', revenueAccountCombination: '01-430-5800', guestCustomerAccountNumber: '2001' };

const ORDER: ShopifyOrder = {
  id: '18446744073709551615',
  name: '#1042',
  currency: 'KWD',
  processed_at: '2026-11-02T10:15:00+03:00',
  total_price: '10.125',
  taxes_included: false,
  customer: { id: '7', email: 'sara@example.com', first_name: 'Sara', last_name: 'Al-Sabah', default_address: { address1: 'Gulf Rd 1', city: 'Kuwait City', country_code: 'KW', zip: '13001' } },
  line_items: [{ id: '11', title: 'Dallah', quantity: 3, price: '3.375', tax_lines: [] }],
  shipping_lines: [],
};

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
    await runSqlMigrations(pool, 'fusion-writer.receivables', RECEIVABLES_MIGRATIONS);
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
    { id: '99', order_id: ORDER.id, processed_at: '2026-11-04T09:00:00+03:00', refund_line_items: [{ id: 'r', line_item_id: '11', quantity: 1, subtotal: '3.375', total_tax: '0.000' }] },
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
    assert.deepEqual(inv.lines.map((l) => [l['Quantity'], l['UnitSellingPrice']]), [[3, 3.375]]);
    assert.equal(inv.fields['BillToCustomerNumber'], synced.fusionCustomerAccountNumber);
    assert.equal(((await service.handle(cmd('invoice_create', 'k:invoice', invoice)))[0]!.value as { outcome: string }).outcome, 'already_existed');
    await pool.query('DELETE FROM fusion_writer_receivables_done');
    await pool.query('DELETE FROM fusion_writer_receivables_customers');
    assert.equal(((await service.handle(cmd('invoice_create', 'k:invoice', invoice)))[0]!.value as { outcome: string }).outcome, 'already_existed');
    assert.equal(sandbox.receivables.invoices.filter((i) => i.fields['CrossReference'] === '18446744073709551615').length, 1);
    assert.equal(sandbox.receivables.parties.filter((p) => p.fields['EmailAddress'] === 'sara@example.com').length, 1, 'the customer was matched, not created again');
  });

  it('credits the refund against the invoice line once, also when replayed without our ledger', async () => {
    const [out] = await service.handle(cmd('credit_memo', 'k:refund:99', refund));
    assert.equal((out!.value as { outcome: string }).outcome, 'created');
    await pool.query('DELETE FROM fusion_writer_receivables_done');
    assert.equal(((await service.handle(cmd('credit_memo', 'k:refund:99', refund)))[0]!.value as { outcome: string }).outcome, 'already_existed');
    const credits = sandbox.written.invoiceCredits.filter((c) => c['CreditMemoComments'] === refund.comments);
    assert.equal(credits.length, 1);
    assert.equal(credits[0]!['EnteredAmount'], -3.375);
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
    const outcome = async (key: string, d: unknown) => ((await service.handle({ ...cmd('customer_upsert', key, d), shopifyCustomerId: '70' }))[0]!.value as { outcome: string }).outcome;
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
});
