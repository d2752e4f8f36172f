import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { REPO_ROOT } from '@mlc/platform-testing';
import { FusionClient, parseArTransaction, parseCollectionPage, parsePurchaseOrder, receiptErrors, receiptState } from './fusion.client';
import { FusionReceiptPendingError, FusionReceiptProcessingError } from './fusion.errors';
import { findBillToSites, findCreditMemosByComments, findInvoicesWithLines } from './fusion-receivables';
import type { FusionInvoiceInput, FusionPurchaseOrder } from './fusion.types';

/** Published Fusion fixtures, copied unchanged into test/fixtures/fusion (see SOURCES.md there). */
const fixtureText = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'fusion', name), 'utf8');
const fixture = <T = Record<string, unknown>>(name: string) => JSON.parse(fixtureText(name)) as T;
const known = (name: string) => fixture<{ knownFields: Record<string, unknown> }>(name).knownFields;

async function all<T>(gen: AsyncGenerator<{ items: T[] }>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of gen) out.push(...page.items);
  return out;
}

/**
 * Every request the client builds, against the sandbox in its default (strict) configuration: each must be accepted.
 * A request with an attribute that Oracle's published schema does not define, or a `q` on an attribute that is not
 * queryable, would fail here with the sandbox's 400 (see fusion.sandbox.spec.ts for the refusals themselves).
 */
describe('FusionClient contract: every builder and query against the strict sandbox', () => {
  const sandbox = new FusionSandbox({ seed: 21 });
  let client: FusionClient;
  let account = '';
  let po: FusionPurchaseOrder;
  const raw = (method: string, path: string, body: string, contentType = 'application/vnd.oracle.adf.resourceitem+json') =>
    fetch(`${sandbox.url}/fscmRestApi/resources/11.13.18.05${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${sandbox.options.basicUser}:${sandbox.options.basicPassword}`).toString('base64')}`,
        'rest-framework-version': '4',
        'content-type': contentType,
      },
      body,
    });

  before(async () => {
    const url = await sandbox.listen(0);
    const o = sandbox.options;
    client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: o.basicUser, password: o.basicPassword } });
    sandbox.seedPurchaseOrders({ count: 4, linesPerPo: 2, suppliers: ['Acme'], locations: ['WH-RENO'], items: ['SKU-A', 'SKU-B'] });
    account = sandbox.receivables.seedCustomerAccount({
      accountNumber: '1008',
      name: 'Total Internet',
      address: { Address1: '1 Main', City: 'Reno', Country: 'US' },
    }).AccountNumber;
    po = (await all(client.listPurchaseOrdersChangedSince(new Date(0), { pageSize: 2 })))[0]!;
  });
  after(() => sandbox.close());

  it('reads POs (delta q on LastUpdateDate, expand lines.schedules), one PO, its supplier and ship-to location, and pings', async () => {
    assert.ok(po.lines.length >= 1 && po.lines[0]!.schedules.length === 1);
    assert.equal((await client.getPurchaseOrder(po.key!)).POHeaderId, po.POHeaderId);
    assert.equal((await client.getSupplier(po.SupplierId!)).sites.length, 1);
    assert.equal((await client.getShipToLocation(po.ShipToLocationId!)).LocationCode, 'WH-RENO');
    assert.equal((await client.ping()).ok, true);
  });

  it('posts a receipt and an ASN (carrier and tracking in documented attributes) and finds them again', async () => {
    const line = po.lines[0]!;
    const asn = await client.createReceiptRequest({
      shipmentNumber: 'SB-77',
      shippedDate: '2026-11-30',
      billOfLading: '1Z999AA10123456784',
      comments: 'Carrier: UPS; Tracking: https://ups.example/1Z999AA10123456784',
      lines: [
        { transactionType: 'SHIP', orderNumber: po.OrderNumber, lineNumber: line.LineNumber, quantity: 1, unitOfMeasure: 'Each', itemDescription: 'SKU' },
      ],
    });
    const header = sandbox.written.asns.at(-1)!['header'] as Record<string, unknown>;
    assert.deepEqual([header['ASNType'], header['BillOfLading']], ['ASN', '1Z999AA10123456784']);
    const receipt = await client.createReceiptRequest({
      shipmentNumber: 'SB-77',
      organizationCode: 'WH-',
      comments: 'Delivered by ShipBob shipment 77',
      lines: [{ transactionType: 'RECEIVE', orderNumber: po.OrderNumber, lineNumber: line.LineNumber, quantity: 1 }],
    });
    assert.equal((await client.getReceiptRequest(receipt.HeaderInterfaceId)).lines.length, 1);
    const found = await client.findReceiptRequestsByShipmentNumber('SB-77');
    assert.deepEqual(found.map((r) => r.HeaderInterfaceId).sort(), [asn.HeaderInterfaceId, receipt.HeaderInterfaceId].sort());
  });

  it('finds receipt requests by ShipmentNumber also where Fusion does not let q name it (switch off)', async () => {
    sandbox.options.strict.queryable = { 'receivingReceiptRequests.ShipmentNumber': false };
    try {
      const found = await client.findReceiptRequestsByShipmentNumber('SB-77');
      assert.equal(found.length, 2);
      assert.ok(found.every((r) => r['ShipmentNumber'] === 'SB-77' && r.lines.length === 1));
      assert.deepEqual(await client.findReceiptRequestsByShipmentNumber('SB-none'), []);
      const refused = sandbox.requests().filter((r) => r.path.endsWith('/receivingReceiptRequests') && r.status === 400);
      assert.ok(refused.length >= 2, 'the q was refused and the client fell back');
    } finally {
      sandbox.options.strict.queryable = {};
    }
  });

  it('reads a staged receipt back until processed (expand lines.processingErrors), under both success values of the UNCONFIRMED switch', async () => {
    sandbox.options.receiptProcessingDelayMs = 3_000;
    sandbox.procurement.changeQuantity(String(sandbox.procurement.pos[3]!.POHeaderId), 1, 100);
    try {
      for (const processed of ['SUCCESS', 'COMPLETED'] as const) {
        sandbox.options.strict.receiptProcessedStatus = processed;
        const target = sandbox.procurement.pos[3]!;
        const staged = await client.createReceiptRequest({
          shipmentNumber: `SB-8${processed.length}`,
          lines: [{ transactionType: 'RECEIVE', orderNumber: target.OrderNumber, lineNumber: 1, quantity: 1 }],
        });
        assert.equal(receiptState(staged), 'pending');
        const waits: number[] = [];
        const done = await client.awaitReceiptProcessed(
          staged.HeaderInterfaceId,
          {
            attempts: 5,
            delayMs: 1_000,
            sleep: async (ms) => {
              waits.push(ms);
              sandbox.advanceClock(ms);
            },
          },
          staged,
        );
        assert.deepEqual([done.ProcessingStatusCode, receiptState(done), waits], [processed, 'processed', [1_000, 2_000]]);
        assert.deepEqual(done.lines[0]!.processingErrors, []);
      }
      const pending = await client.createReceiptRequest({
        shipmentNumber: 'SB-90',
        lines: [{ transactionType: 'RECEIVE', orderNumber: sandbox.procurement.pos[3]!.OrderNumber, lineNumber: 1, quantity: 1 }],
      });
      await assert.rejects(
        client.awaitReceiptProcessed(pending.HeaderInterfaceId, { attempts: 0 }, pending),
        (e: unknown) => e instanceof FusionReceiptPendingError && e.retryable,
      );
      const over = sandbox.procurement.pos[3]!.lines[0]!.schedules[0]!.Quantity;
      const refused = await client.createReceiptRequest({
        shipmentNumber: 'SB-91',
        lines: [{ transactionType: 'RECEIVE', orderNumber: sandbox.procurement.pos[3]!.OrderNumber, lineNumber: 1, quantity: over }],
      });
      sandbox.advanceClock(3_000);
      const read = await client.getReceiptRequest(refused.HeaderInterfaceId);
      assert.equal(receiptState(read), 'error');
      assert.match(receiptErrors(read)[0]!, /exceeds the quantity ordered/);
      await assert.rejects(
        client.awaitReceiptProcessed(refused.HeaderInterfaceId),
        (e: unknown) => e instanceof FusionReceiptProcessingError && !e.retryable && /exceeds the quantity ordered/.test(e.message),
      );
    } finally {
      sandbox.options.receiptProcessingDelayMs = 0;
      sandbox.options.strict.receiptProcessedStatus = undefined;
    }
  });

  it('writes a shipment problem note onto the PO (draftPurchaseOrders NoteToReceiver)', async () => {
    const target = sandbox.procurement.pos[3]!;
    await client.updatePurchaseOrderNoteToReceiver(target.POHeaderId, 'ShipBob shipment 1 is on hold: Invalid address');
    assert.equal(target.NoteToReceiver, 'ShipBob shipment 1 is on hold: Invalid address');
  });

  it('closes and reopens a PO and a line, and sets the status DFF segment through draftPurchaseOrders', async () => {
    const target = sandbox.procurement.pos[2]!;
    await client.closePurchaseOrder(target.POHeaderId, { action: 'closeForReceiving', reason: 'Every line delivered by ShipBob' });
    await client.reopenPurchaseOrder(target.POHeaderId, { action: 'reopenForReceiving', reason: 'reversed' });
    await client.closePurchaseOrder(target.POHeaderId, { action: 'closeForReceiving', poLineId: target.lines[0]!.POLineId });
    assert.equal(target.lines[0]!.Status, 'Closed for Receiving');
    await client.updatePurchaseOrderDff(target.POHeaderId, { shipbobFulfillmentStatus: 'exception: address' });
    assert.equal(sandbox.written.dffUpdates.at(-1)!['shipbobFulfillmentStatus'], 'exception: address');
  });

  it('creates an invoice with lines and distributions, finds it by CrossReference (with lines), completes it, and reads receivables changed since', async () => {
    const input: FusionInvoiceInput = {
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Invoice',
      TransactionDate: '2026-11-01',
      BillToCustomerNumber: account,
      PaymentTerms: '30 Net',
      InvoiceCurrencyCode: 'USD',
      CrossReference: 'shop-9001',
      PurchaseOrder: '#9001',
      Comments: 'Shopify order #9001',
      receivablesInvoiceLines: [{ LineNumber: 1, Description: 'SKU-A Tee', Quantity: 2, UnitSellingPrice: 12.5 }],
      receivablesInvoiceDistributions: [{ InvoiceLineNumber: 1, AccountClass: 'Revenue', AccountCombination: '01-430-5800-1400-000', Amount: 25 }],
    };
    const created = await client.createInvoice(input);
    assert.equal((await client.findInvoicesByCrossReference('shop-9001'))[0]?.CustomerTransactionId, created.CustomerTransactionId);
    assert.equal((await findInvoicesWithLines(client, 'shop-9001'))[0]?.lines.length, 1);
    assert.equal((await client.completeInvoice(created.CustomerTransactionId)).InvoiceStatus, 'Complete');
    assert.equal((await client.getInvoice(created.CustomerTransactionId)).InvoiceStatus, 'Complete');
    assert.ok((await all(client.listInvoicesChangedSince(new Date(0)))).some((i) => i.CustomerTransactionId === created.CustomerTransactionId));
  });

  it('creates an on-account credit memo and finds it by documented keys (CreditMemoComments is matched by the client, never queried)', async () => {
    const comments = 'Refund 5 of order #9001';
    const memo = await client.createOnAccountCreditMemo({
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Credit Memo',
      TransactionDate: '2026-11-02',
      BillToCustomerNumber: account,
      CreditMemoCurrency: 'USD',
      CreditMemoComments: comments,
      CreditReason: 'RETURN',
      receivablesCreditMemoLines: [{ LineDescription: 'Return', LineQuantityCredit: 1, UnitSellingPrice: -12.5 }],
    });
    const byKeys = await findCreditMemosByComments(client, comments, { billToCustomerNumber: account, transactionDate: '2026-11-02' });
    assert.deepEqual(
      byKeys.map((m) => m.CustomerTransactionId),
      [memo.CustomerTransactionId],
    );
    assert.deepEqual(
      (await findCreditMemosByComments(client, comments)).map((m) => m.CustomerTransactionId),
      [memo.CustomerTransactionId],
    );
    assert.deepEqual(await findCreditMemosByComments(client, comments, { billToCustomerNumber: account, transactionDate: '2026-11-03' }), []);
    const queries = sandbox.requests().filter((r) => r.path.endsWith('/receivablesCreditMemos') && r.method === 'GET');
    assert.ok(queries.every((r) => !decodeURIComponent(r.query).includes('CreditMemoComments')));
    assert.equal((await client.getCreditMemo(memo.CustomerTransactionId)).TransactionNumber, memo.TransactionNumber);
    assert.ok((await all(client.listCreditMemosChangedSince(new Date(0)))).length >= 1);
  });

  it('creates, finds, reads and updates a customer organization (SHOPIFY is a registered source system), its address and bill-to sites', async () => {
    const org = await client.createOrganization({
      OrganizationName: 'Jane Doe',
      EmailAddress: 'jane@example.com',
      RawPhoneNumber: '+15555550100',
      PartyUsageCode: 'CUSTOMER',
      SourceSystem: 'SHOPIFY',
      SourceSystemReferenceValue: '7001',
      Address: [{ AddressType: 'BILL_TO', Address1: '1 Main St', City: 'Reno', State: 'NV', PostalCode: '89501', Country: 'US' }],
    });
    assert.equal((await client.findOrganizations({ email: 'jane@example.com' }))[0]?.PartyNumber, org.PartyNumber);
    assert.equal((await client.findOrganizations({ sourceSystem: 'SHOPIFY', reference: '7001' }))[0]?.PartyNumber, org.PartyNumber);
    sandbox.options.strict.queryable = {
      'hubOrganizations.EmailAddress': false,
      'hubOrganizations.SourceSystem': false,
      'hubOrganizations.SourceSystemReferenceValue': false,
    };
    try {
      assert.equal(
        (await client.findOrganizations({ email: 'JANE@example.com' }, { name: 'Jane Doe' }))[0]?.PartyNumber,
        org.PartyNumber,
        'matched by name where q on email is refused',
      );
      assert.equal((await client.findOrganizations({ sourceSystem: 'SHOPIFY', reference: '7001' }, { name: 'Jane Doe' }))[0]?.PartyNumber, org.PartyNumber);
      assert.deepEqual(await client.findOrganizations({ sourceSystem: 'SHOPIFY', reference: '7999' }, { name: 'Jane Doe' }), []);
    } finally {
      sandbox.options.strict.queryable = {};
    }
    await client.updateOrganization(org.PartyNumber, { OrganizationName: 'Jane Doe-Smith', EmailAddress: 'jane2@example.com', RawPhoneNumber: '+15555550101' });
    await client.updateOrganizationAddress(org.PartyNumber, org.Address[0]!.AddressId, {
      Address1: '2 Main St',
      Address2: null as unknown as string,
      City: 'Reno',
    });
    assert.equal((await client.getOrganization(org.PartyNumber))?.OrganizationName, 'Jane Doe-Smith');
    assert.deepEqual(await findBillToSites(client, { partyId: org.PartyId }), []);
    assert.equal((await findBillToSites(client, { accountNumber: account }))[0]?.AccountNumber, account);
    const accounts = await all(client.listCustomerAccountsChangedSince(new Date(0)));
    assert.ok(accounts.some((a) => a.AccountNumber === account));
    assert.equal((await client.getCustomerAccount(accounts[0]!.AccountId)).AccountId, accounts[0]!.AccountId);
  });

  it('creates, finds, reads and updates a person (an individual customer) through hubPersons', async () => {
    const person = await client.createPerson({
      PersonFirstName: 'Ann',
      PersonLastName: 'Lee',
      EmailAddress: 'ann@example.com',
      PartyUsageCode: 'CUSTOMER',
      SourceSystem: 'SHOPIFY',
      SourceSystemReferenceValue: '7002',
      Address: [{ AddressType: 'BILL_TO', Address1: '3 Main St', City: 'Reno', Country: 'US' }],
    });
    assert.ok(/^[1-9]\d*$/.test(person.PartyId) && /^[1-9]\d*$/.test(person.Address[0]!.PartySiteId));
    assert.equal((await client.findPersons({ email: 'ann@example.com' }))[0]?.PartyNumber, person.PartyNumber);
    assert.equal((await client.findPersons({ sourceSystem: 'SHOPIFY', reference: '7002' }))[0]?.PartyNumber, person.PartyNumber);
    await client.updatePerson(person.PartyNumber, { PersonLastName: 'Lee-Park', EmailAddress: 'ann2@example.com' });
    await client.updatePersonAddress(person.PartyNumber, person.Address[0]!.AddressId, { City: 'Sparks' });
    const again = await client.getPerson(person.PartyNumber);
    assert.deepEqual([again?.PersonLastName, again?.Address[0]?.['City']], ['Lee-Park', 'Sparks']);
    assert.equal(await client.getOrganization(person.PartyNumber), undefined, 'a person is not an organization');
  });

  it("POSTs Oracle's published invoice body byte for byte (201) and completes it with the published PATCH body", async () => {
    const res = await raw('POST', '/receivablesInvoices', fixtureText('receivables-invoice-post.request.json'));
    assert.equal(res.status, 201, await res.clone().text());
    const created = parseArTransaction((await res.json()) as Record<string, unknown>);
    assert.equal((created['receivablesInvoiceLines'] as unknown[]).length, 3);
    const patch = await raw('PATCH', `/receivablesInvoices/${created.CustomerTransactionId}`, fixtureText('receivables-invoice-complete.patch.request.json'));
    assert.equal(patch.status, 200);
    assert.equal(parseArTransaction((await patch.json()) as Record<string, unknown>).InvoiceStatus, 'Complete');
  });

  it("parses Oracle's published responses (invoice PATCH wrapped in items, credit memo GET, PO LOV item) and the recorded envelope", () => {
    const completed = parseArTransaction(known('receivables-invoice-complete.patch.response.partial.json'));
    assert.deepEqual([completed.CustomerTransactionId, completed.TransactionNumber, completed.BillToSite], [300100169169047, '864', 'Foster City (OPS)']);
    const memo = parseArTransaction(known('receivables-credit-memo-get.response.partial.json'));
    assert.deepEqual([memo.TransactionNumber, memo['EnteredAmount']], ['2287', -71.99]);
    const lov = parsePurchaseOrder(known('purchase-orders-lov-get.response.partial.json'));
    assert.deepEqual([lov.OrderNumber, lov.POHeaderId, lov.CurrencyCode, lov.lines], ['1004595', 548246, 'EUR', []]);
    const mock = parsePurchaseOrder(fixture('purchase-order-get-with-lines.thirdparty-mock.json'));
    assert.deepEqual([mock.OrderNumber, mock.Status, mock.lines[0]?.LineNumber, mock.lines[0]?.schedules], ['US164535', 'Pending Approval', 1, []]);
    const recorded = fixture<{ response: Record<string, unknown> }>('collection-envelope.hcm-workers.excerpt.json').response;
    const page = parseCollectionPage(recorded, (r) => r);
    assert.deepEqual([page.count, page.hasMore, page.offset], [1, true, 4500]);
    assert.equal('links' in (page.items[0] as Record<string, unknown>), false, 'onlyData=true items carry no links');
  });
});
