import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { AppError } from '@mlc/platform-errors';
import { PartnerPolicy } from '@mlc/platform-partner-policy';
import { FusionClient } from './fusion.client';
import type { FusionClientConfig, FusionPurchaseOrder } from './fusion.types';

const TTL_SEC = 600;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

async function collect(gen: AsyncGenerator<{ items: FusionPurchaseOrder[] }>): Promise<{ pages: number; items: FusionPurchaseOrder[] }> {
  let pages = 0;
  const items: FusionPurchaseOrder[] = [];
  for await (const page of gen) {
    pages++;
    items.push(...page.items);
  }
  return { pages, items };
}

describe('FusionClient against FusionSandbox (contract)', () => {
  const sandbox = new FusionSandbox({ seed: 7, tokenTtlSec: TTL_SEC });
  let url = '';
  let oauth: FusionClientConfig;
  let basic: FusionClientConfig;

  before(async () => {
    url = await sandbox.listen(0);
    const o = sandbox.options;
    oauth = { baseUrl: url, auth: { kind: 'oauth', tokenUrl: `${url}/oauth2/v1/token`, clientId: o.clientId, clientSecret: o.clientSecret, scope: o.scope } };
    basic = { baseUrl: url, auth: { kind: 'basic', user: o.basicUser, password: o.basicPassword } };
    sandbox.seedPurchaseOrders({ count: 7, suppliers: ['Acme'], locations: ['WH-RENO'], items: ['SKU-A', 'SKU-B'] });
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.faults = {};
  });

  it('pages POs changed since a date over more than one page, oldest first, with lines and schedules', async () => {
    const client = new FusionClient(oauth);
    const { pages, items } = await collect(client.listPurchaseOrdersChangedSince(new Date(0), { pageSize: 3 }));
    assert.equal(pages, 3);
    assert.deepEqual(
      items.map((p) => p.POHeaderId),
      sandbox.procurement.pos.map((p) => String(p.POHeaderId)),
    );
    const stamps = items.map((p) => Date.parse(p.LastUpdateDate));
    assert.deepEqual(
      stamps,
      [...stamps].sort((a, b) => a - b),
    );
    const first = items[0]!;
    assert.match(first.LastUpdateDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    assert.ok(first.lines.length >= 1 && first.lines[0]!.schedules.length === 1, 'children unwrapped into arrays');
    assert.equal(first.lines[0]!.schedules[0]!.ShipToLocationCode, 'WH-RENO');
    assert.match(first.key ?? '', /^00020000000EACED0005/);
    const calls = sandbox.requests().filter((r) => r.path.endsWith('/purchaseOrders'));
    assert.equal(calls.at(-1)!.headers['rest-framework-version'], '4');
    assert.match(decodeURIComponent(calls.at(-1)!.query), /q=LastUpdateDate>='1970-01-01T00:00:00\.000Z'/);
  });

  it('returns only POs changed after the cursor, and sees a changed quantity', async () => {
    const client = new FusionClient(basic);
    const cursor = new Date(sandbox.now());
    sandbox.advanceClock(1000);
    const target = sandbox.procurement.pos[2]!;
    sandbox.procurement.changeQuantity(String(target.POHeaderId), 1, 99);
    const { items } = await collect(client.listPurchaseOrdersChangedSince(cursor));
    assert.deepEqual(
      items.map((p) => p.POHeaderId),
      [String(target.POHeaderId)],
    );
    assert.equal(items[0]!.lines[0]!.schedules[0]!.Quantity, '99');
  });

  it('gets one PO by POHeaderId and by its opaque key; unknown is FUSION.NOT_FOUND', async () => {
    const client = new FusionClient(basic);
    const po = sandbox.procurement.pos[0]!;
    const byId = await client.getPurchaseOrder(po.POHeaderId);
    const byKey = await client.getPurchaseOrder(byId.key!);
    assert.equal(byKey.OrderNumber, po.OrderNumber);
    await rejectsWith(client.getPurchaseOrder(1), 'FUSION.NOT_FOUND');
  });

  it('refreshes an expired token once and carries on', async () => {
    const client = new FusionClient(oauth);
    await client.getPurchaseOrder(sandbox.procurement.pos[0]!.POHeaderId);
    const tokensBefore = sandbox.requests().filter((r) => r.path === '/oauth2/v1/token').length;
    sandbox.advanceClock((TTL_SEC + 1) * 1000);
    const po = await client.getPurchaseOrder(sandbox.procurement.pos[0]!.POHeaderId);
    assert.equal(po.POHeaderId, String(sandbox.procurement.pos[0]!.POHeaderId));
    const tail = sandbox
      .requests()
      .slice(-3)
      .map((r) => `${r.path.endsWith('/oauth2/v1/token') ? 'token' : 'po'}:${r.status}`);
    assert.deepEqual(tail, ['po:401', 'token:200', 'po:200']);
    assert.equal(sandbox.requests().filter((r) => r.path === '/oauth2/v1/token').length, tokensBefore + 1);
  });

  it('asks an injected token provider with forceRefresh=true after a 401', async () => {
    const asked: boolean[] = [];
    const o = sandbox.options;
    const client = new FusionClient({
      ...basic,
      getAccessToken: async (force) => {
        asked.push(force);
        if (!force) return 'stale-token';
        const res = await fetch(`${url}/oauth2/v1/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: o.scope }).toString(),
        });
        return ((await res.json()) as { access_token: string }).access_token;
      },
    });
    await client.getPurchaseOrder(sandbox.procurement.pos[0]!.POHeaderId);
    assert.deepEqual(asked, [false, true]);
  });

  it('maps a wrong client secret to FUSION.AUTH, and a wrong Basic password to FUSION.AUTH without retrying', async () => {
    const badOauth = new FusionClient({ ...oauth, auth: { ...(oauth.auth as Extract<FusionClientConfig['auth'], { kind: 'oauth' }>), clientSecret: 'wrong' } });
    const err = await rejectsWith(badOauth.getPurchaseOrder(1), 'FUSION.AUTH');
    assert.equal(err.details['stage'], 'token');
    const before = sandbox.requests().length;
    const badBasic = new FusionClient({ ...basic, auth: { kind: 'basic', user: 'mlc.integration', password: 'nope' } });
    await rejectsWith(badBasic.getPurchaseOrder(sandbox.procurement.pos[0]!.POHeaderId), 'FUSION.AUTH');
    assert.equal(sandbox.requests().length, before + 1);
  });

  it('posts a receipt that moves QuantityReceived and LastUpdateDate, and an ASN that moves QuantityShipped', async () => {
    const client = new FusionClient(oauth);
    const po = await client.getPurchaseOrder(sandbox.procurement.pos[1]!.POHeaderId);
    const line = po.lines[0]!;
    const ordered = Number(line.schedules[0]!.Quantity!);
    const asn = await client.createReceiptRequest({
      shipmentNumber: 'SB-1',
      lines: [{ transactionType: 'SHIP', orderNumber: po.OrderNumber, lineNumber: line.LineNumber, quantity: ordered }],
    });
    assert.match(asn.HeaderInterfaceId, /^[1-9]\d*$/);
    sandbox.advanceClock(1000);
    const receipt = await client.createReceiptRequest({
      organizationCode: 'WH-',
      lines: [{ transactionType: 'RECEIVE', orderNumber: po.OrderNumber, lineNumber: line.LineNumber, quantity: ordered - 1, unitOfMeasure: 'Each' }],
    });
    assert.equal(receipt.lines.length, 1);
    assert.match(receipt.lines[0]!.InterfaceTransactionId, /^[1-9]\d*$/);
    const again = await client.getReceiptRequest(receipt.HeaderInterfaceId);
    assert.equal(again.lines[0]!.InterfaceTransactionId, receipt.lines[0]!.InterfaceTransactionId);
    const after = await client.getPurchaseOrder(po.POHeaderId);
    assert.equal(after.lines[0]!.schedules[0]!.QuantityReceived, String(ordered - 1));
    assert.equal(after.lines[0]!.schedules[0]!.QuantityShipped, String(ordered));
    assert.ok(Date.parse(after.LastUpdateDate) > Date.parse(po.LastUpdateDate));
    assert.equal(sandbox.written.receipts.at(-1)!['Quantity'], ordered - 1);
    assert.equal(sandbox.written.asns.at(-1)!['OrderNumber'], po.OrderNumber);
  });

  it("an over-receipt: a processing error with Oracle's text (default), or FUSION.REJECTED on the POST (receiptChecksAtPost); nothing received either way", async () => {
    const client = new FusionClient(oauth);
    const po = sandbox.procurement.pos[3]!;
    const sched = po.lines[0]!.schedules[0]!;
    const receiptsBefore = sandbox.written.receipts.length;
    const staged = await client.createReceiptRequest({
      lines: [{ transactionType: 'RECEIVE', orderNumber: po.OrderNumber, lineNumber: 1, quantity: sched.Quantity + 1 }],
    });
    const failed = await rejectsWith(client.awaitReceiptProcessed(staged.HeaderInterfaceId, {}, staged), 'FUSION.RECEIPT_PROCESSING_REJECTED');
    assert.equal(failed.retryable, false);
    assert.match(failed.message, /exceeds the quantity ordered/);
    sandbox.options.strict.receiptChecksAtPost = true;
    try {
      const err = await rejectsWith(
        client.createReceiptRequest({
          lines: [{ transactionType: 'RECEIVE', orderNumber: po.OrderNumber, lineNumber: 1, quantity: sched.Quantity + 1 }],
        }),
        'FUSION.REJECTED',
      );
      assert.equal(err.details['status'], 400);
      assert.match(JSON.stringify(err.details['body']), /exceeds the quantity ordered/);
    } finally {
      sandbox.options.strict.receiptChecksAtPost = false;
    }
    assert.equal(sched.QuantityReceived, 0);
    assert.equal(sandbox.written.receipts.length, receiptsBefore);
  });

  it('closes a PO for receiving, rolling down to lines; closing it finally twice is refused', async () => {
    const client = new FusionClient(oauth);
    const id = sandbox.procurement.pos[4]!.POHeaderId;
    await client.closePurchaseOrder(id, { action: 'closeForReceiving', reason: 'ShipBob received all' });
    const po = await client.getPurchaseOrder(id);
    assert.equal(po.Status, 'Closed for Receiving');
    assert.ok(po.lines.every((l) => l.Status === 'Closed for Receiving'));
    assert.equal(sandbox.written.closures.at(-1)!['closeReason'], 'ShipBob received all');
    await client.closePurchaseOrder(id, { action: 'finallyClose' });
    await rejectsWith(client.closePurchaseOrder(id, { action: 'close' }), 'FUSION.REJECTED');
  });

  it('reopens a PO closed for receiving; reopening an open PO is refused like Fusion does', async () => {
    const client = new FusionClient(oauth);
    const id = sandbox.procurement.pos[5]!.POHeaderId;
    await client.closePurchaseOrder(id, { action: 'closeForReceiving' });
    await client.reopenPurchaseOrder(id, { action: 'reopenForReceiving', reason: 'delivery reversed' });
    assert.equal((await client.getPurchaseOrder(id)).Status, 'Open');
    assert.equal(sandbox.written.reopenings.at(-1)!['reopenReason'], 'delivery reversed');
    await rejectsWith(client.reopenPurchaseOrder(id, { action: 'reopenForReceiving' }), 'FUSION.REJECTED');
  });

  it('surfaces a 429 storm as retryable FUSION.RATE_LIMITED with Retry-After, and 5xx as retryable FUSION.UNAVAILABLE', async () => {
    // The client's own retries run (sleeps skipped, so the 7 s Retry-After is not waited out in real time) and give up.
    const client = new FusionClient({ ...basic, policy: new PartnerPolicy({ partner: 'FUSION', sleep: async () => undefined, circuitThreshold: 100 }) });
    const id = sandbox.procurement.pos[0]!.POHeaderId;
    sandbox.faults = { rateLimitUntil: sandbox.now() + 60_000, rateLimitRetryAfterSec: 7 };
    const limited = await rejectsWith(client.getPurchaseOrder(id), 'FUSION.RATE_LIMITED');
    assert.equal(limited.retryable, true);
    assert.equal(limited.retryAfterMs, 7000);
    sandbox.faults = { outageFrom: sandbox.now() - 1, outageUntil: sandbox.now() + 60_000 };
    const down = await rejectsWith(client.getPurchaseOrder(id), 'FUSION.UNAVAILABLE');
    assert.equal(down.retryable, true);
    sandbox.faults = { errorRate: 1 };
    assert.equal((await rejectsWith(client.getPurchaseOrder(id), 'FUSION.UNAVAILABLE')).retryable, true);
    sandbox.faults = {};
    assert.equal((await client.getPurchaseOrder(id)).POHeaderId, String(id));
  });

  it('ping reports success, a token failure and a read failure', async () => {
    assert.equal((await new FusionClient(oauth).ping()).ok, true);
    const badSecret = await new FusionClient({
      ...oauth,
      auth: { ...(oauth.auth as Extract<FusionClientConfig['auth'], { kind: 'oauth' }>), clientSecret: 'x' },
    }).ping();
    assert.deepEqual([badSecret.ok, badSecret.failedAt, badSecret.error?.code], [false, 'token', 'FUSION.AUTH']);
    sandbox.faults = { outageFrom: sandbox.now() - 1, outageUntil: sandbox.now() + 60_000 };
    const down = await new FusionClient(basic).ping();
    assert.deepEqual([down.ok, down.failedAt, down.error?.code, down.error?.retryable], [false, 'read', 'FUSION.UNAVAILABLE', true]);
  });
});

describe('FusionClient receivables and customers against FusionSandbox', () => {
  const sandbox = new FusionSandbox({ seed: 5 });
  let client: FusionClient;
  let accountNumber = '';
  before(async () => {
    const url = await sandbox.listen(0);
    const o = sandbox.options;
    client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: o.basicUser, password: o.basicPassword } });
    accountNumber = sandbox.receivables.accounts[0]!.AccountNumber;
  });
  after(() => sandbox.close());

  const invoice = (crossReference: string) => ({
    BusinessUnit: 'Vision Operations',
    TransactionSource: 'Manual',
    TransactionType: 'Invoice',
    TransactionDate: '2025-03-01',
    BillToCustomerNumber: accountNumber,
    PaymentTerms: '30 Net',
    InvoiceCurrencyCode: 'USD',
    CrossReference: crossReference,
    receivablesInvoiceLines: [{ LineNumber: 1, Description: 'T-shirt', Quantity: 2, UnitSellingPrice: 12.5 }],
  });

  it('creates an invoice, finds it by CrossReference and completes it', async () => {
    const created = await client.createInvoice(invoice('shop-1001'));
    assert.equal(created.InvoiceStatus, 'Incomplete');
    assert.ok(Array.isArray(created['receivablesInvoiceLines']));
    const found = await client.findInvoicesByCrossReference('shop-1001');
    assert.deepEqual(
      found.map((i) => i.CustomerTransactionId),
      [created.CustomerTransactionId],
    );
    assert.deepEqual(await client.findInvoicesByCrossReference("nobody's"), []);
    const done = await client.completeInvoice(created.CustomerTransactionId);
    assert.equal(done.InvoiceStatus, 'Complete');
    assert.equal(sandbox.written.invoiceUpdates.at(-1)!['InvoiceStatus'], 'Complete');
  });

  it('completes an invoice when Fusion wraps the PATCH answer in items[]', async () => {
    sandbox.options.strict.wrapInvoicePatchResponse = true;
    const created = await client.createInvoice(invoice('shop-1002'));
    assert.equal((await client.completeInvoice(created.CustomerTransactionId)).InvoiceStatus, 'Complete');
    sandbox.options.strict.wrapInvoicePatchResponse = false;
  });

  it('rejects an invoice for an unknown account and a PATCH of a restricted field', async () => {
    const err = await rejectsWith(client.createInvoice({ ...invoice('shop-x'), BillToCustomerNumber: '999' }), 'FUSION.REJECTED');
    assert.match(String(err.message), /BillToCustomerNumber/);
    const created = sandbox.receivables.createInvoice(invoice('shop-y'));
    const res = await fetch(`${sandbox.url}/fscmRestApi/resources/11.13.18.05/receivablesInvoices/${created.CustomerTransactionId}`, {
      method: 'PATCH',
      headers: {
        authorization: `Basic ${Buffer.from(`${sandbox.options.basicUser}:${sandbox.options.basicPassword}`).toString('base64')}`,
        'rest-framework-version': '4',
        'content-type': 'application/vnd.oracle.adf.resourceitem+json',
      },
      body: JSON.stringify({ Comments: 'no' }),
    });
    assert.equal(res.status, 400);
  });

  it('creates an on-account credit memo with negative prices and refuses positive ones', async () => {
    const base = {
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Credit Memo',
      TransactionDate: '2025-03-02',
      BillToCustomerNumber: accountNumber,
      CreditMemoComments: 'Refund for invoice 1001',
    };
    const cm = await client.createOnAccountCreditMemo({
      ...base,
      receivablesCreditMemoLines: [{ LineDescription: 'Return', LineQuantityCredit: 1, UnitSellingPrice: -12.5 }],
    });
    assert.equal(cm['EnteredAmount'], '-12.5');
    assert.equal(sandbox.written.creditMemos.length, 1);
    await rejectsWith(
      client.createOnAccountCreditMemo({ ...base, receivablesCreditMemoLines: [{ LineDescription: 'x', LineQuantityCredit: 1, UnitSellingPrice: 5 }] }),
      'FUSION.REJECTED',
    );
    assert.equal(sandbox.written.creditMemos.length, 1);
  });

  it('creates a customer organization and finds it by email and by source reference', async () => {
    const org = await client.createOrganization({
      OrganizationName: 'Jane Doe Shop',
      EmailAddress: 'jane@example.com',
      SourceSystem: 'SHOPIFY',
      SourceSystemReferenceValue: 'gid-42',
      Address: [{ AddressType: 'BILL_TO', Address1: '1 Main St', City: 'Reno', Country: 'US', PostalCode: '89501', State: 'NV' }],
    });
    assert.ok(/^[1-9]\d*$/.test(org.PartyId) && /^[1-9]\d*$/.test(org.Address[0]!.PartySiteId));
    assert.deepEqual(
      (await client.findOrganizations({ email: 'jane@example.com' })).map((o) => o.PartyNumber),
      [org.PartyNumber],
    );
    assert.deepEqual(
      (await client.findOrganizations({ sourceSystem: 'SHOPIFY', reference: 'gid-42' })).map((o) => o.PartyNumber),
      [org.PartyNumber],
    );
    await rejectsWith(client.createOrganization({ OrganizationName: 'Bad', Address: [{ Country: 'USA' }] }), 'FUSION.REJECTED');
  });
});
