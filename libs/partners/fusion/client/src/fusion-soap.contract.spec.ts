import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { AppError } from '@mlc/platform-errors';
import { FusionClient } from './fusion.client';
import { findBillToSites, findInvoicesWithLines } from './fusion-receivables';
import { findCreditMemosByTransactionNumber } from './fusion-credit-memo-lookup';
import { createCustomerAccount, createInvoiceCreditMemo, CREDIT_MEMO_SERVICE_PATH, CUSTOMER_ACCOUNT_SERVICE_PATH, parseSoapFault } from './fusion-soap';

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('Fusion SOAP services (CustomerAccountService, CreditMemoService) against the sandbox', () => {
  const sandbox = new FusionSandbox({ seed: 3 });
  let url: string;
  let client: FusionClient;
  const basic = () => `Basic ${Buffer.from(`${sandbox.options.basicUser}:${sandbox.options.basicPassword}`).toString('base64')}`;

  before(async () => {
    url = await sandbox.listen(0);
    client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
  });
  after(() => sandbox.close());

  it('creates a customer account with a BILL_TO site for a party, found again through customerAccountSitesLOV', async () => {
    const party = await client.createOrganization({
      OrganizationName: 'Côté & Fils',
      EmailAddress: 'a@b.example',
      Address: [{ AddressType: 'BILL_TO', Address1: '1 Main St', City: 'Ottawa', Country: 'CA', PostalCode: 'K1P 1J1' }],
    });
    const account = await createCustomerAccount(client, { partyId: party.PartyId, accountName: 'Côté & Fils', partySiteId: party.Address[0]!.PartySiteId });
    assert.match(account.accountNumber, /^\d+$/);
    assert.equal(account.partyId, party.PartyId);
    assert.ok(account.billTo && account.billTo.location.includes('Côté & Fils'), 'the site name (Location) survives XML escaping');
    assert.equal(sandbox.written.customerAccounts.at(-1)?.['AccountNumber'], account.accountNumber);
    const sites = await findBillToSites(client, { partyId: party.PartyId });
    assert.deepEqual(
      sites.map((s) => [s.AccountNumber, s.Location, s.SiteUseId]),
      [[account.accountNumber, account.billTo.location, account.billTo.siteUseId]],
    );
    assert.equal((await findBillToSites(client, { accountNumber: account.accountNumber }))[0]?.PartyId, party.PartyId);
  });

  it('answers business errors with SOAP faults that the client turns into permanent FUSION.REJECTED', async () => {
    const err = await rejection(createCustomerAccount(client, { partyId: 42, accountName: 'Nobody', partySiteId: 1 }));
    assert.equal(err.code, 'FUSION.REJECTED');
    assert.equal(err.retryable, false);
    assert.deepEqual(err.details['fault'], {
      faultcode: 'env:Server',
      faultstring: "HZ_API_INVALID_FK: The party 42 doesn't exist.",
      code: 'HZ_API_INVALID_FK',
    });
    const party = await client.createOrganization({ OrganizationName: 'Other' });
    const wrongSite = await rejection(createCustomerAccount(client, { partyId: party.PartyId, accountName: 'Other', partySiteId: 1 }));
    assert.match(wrongSite.message, /doesn't belong to party/);
  });

  it('refuses what SOAP refuses: wrong media type (415), no credentials (401), not XML or an unknown operation (env:Client fault, HTTP 500)', async () => {
    const post = (path: string, body: string, headers: Record<string, string>) => fetch(url + path, { method: 'POST', body, headers });
    const wrongType = await post(CUSTOMER_ACCOUNT_SERVICE_PATH, '<x/>', { authorization: basic(), 'content-type': 'application/json' });
    assert.equal(wrongType.status, 415);
    const anonymous = await post(CUSTOMER_ACCOUNT_SERVICE_PATH, '<x/>', { 'content-type': 'text/xml' });
    assert.equal(anonymous.status, 401);
    const garbage = await post(CUSTOMER_ACCOUNT_SERVICE_PATH, '<soapenv:Envelope><oops>', {
      authorization: basic(),
      'content-type': 'text/xml; charset=utf-8',
    });
    assert.equal(garbage.status, 500);
    assert.equal(parseSoapFault(await garbage.text())?.faultcode, 'env:Client');
    const unknownOp = await post(
      CREDIT_MEMO_SERVICE_PATH,
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><t:deleteEverything xmlns:t="urn:nope"/></s:Body></s:Envelope>',
      { authorization: basic(), 'content-type': 'text/xml' },
    );
    assert.equal(unknownOp.status, 500);
    const fault = parseSoapFault(await unknownOp.text());
    assert.equal(fault?.faultcode, 'env:Client');
    assert.match(fault?.faultstring ?? '', /Unknown operation \{urn:nope\}deleteEverything/);
  });

  it('createCreditMemo: a header-level memo the strict sandbox accepts, found again by the number it kept; over-balance and incomplete invoices refused', async () => {
    const account = sandbox.receivables.accounts[0]!;
    const invoice = await client.createInvoice({
      BusinessUnit: 'US1 Business Unit',
      TransactionSource: 'SHOPIFY',
      TransactionType: 'Invoice',
      TransactionDate: '2026-11-02',
      BillToCustomerNumber: account.AccountNumber,
      InvoiceCurrencyCode: 'CAD',
      CrossReference: '9007199254740993',
      receivablesInvoiceLines: [
        { LineNumber: 1, Description: 'Tee', Quantity: 2, UnitSellingPrice: 25 },
        { LineNumber: 2, Description: 'HST', Quantity: 1, UnitSellingPrice: 6.5 },
      ],
    });
    const [found] = await findInvoicesWithLines(client, '9007199254740993');
    assert.equal(found?.CustomerTransactionId, invoice.CustomerTransactionId);
    const input = {
      previousCustomerTransactionId: invoice.CustomerTransactionId,
      currencyCode: 'CAD',
      transactionDate: '2026-11-03',
      lineAmount: '28.25',
      transactionNumber: 'R1ABC',
      comments: 'Shopify refund 1 of order #1001',
    };
    const incomplete = await rejection(createInvoiceCreditMemo(client, input));
    assert.equal((incomplete.details['fault'] as { code: string }).code, 'AR-CM-INCOMPLETE');
    await client.completeInvoice(invoice.CustomerTransactionId);
    const strict = sandbox.options.strict as typeof sandbox.options.strict & { creditMemoNumbering?: string };
    strict.creditMemoNumbering = 'kept';
    try {
      const memo = await createInvoiceCreditMemo(client, input);
      assert.equal(memo.transactionNumber, 'R1ABC');
      const credit = sandbox.written.invoiceCredits.at(-1)!;
      assert.equal(String(credit['PreviousCustomerTransactionId']), invoice.CustomerTransactionId);
      assert.equal(credit['LineAmount'], -28.25);
      assert.equal(credit['EnteredAmount'], -28.25);
      const again = await findCreditMemosByTransactionNumber(client, 'R1ABC');
      assert.deepEqual(
        again.map((m) => m.CustomerTransactionId),
        [memo.customerTransactionId],
      );
    } finally {
      delete strict.creditMemoNumbering;
    }
    const over = await rejection(createInvoiceCreditMemo(client, { ...input, transactionNumber: 'R1ABD', lineAmount: '28.26' }));
    assert.equal((over.details['fault'] as { code: string }).code, 'AR-CM-OVERAPPLY');
    assert.equal(over.retryable, false);
  });

  it('createCreditMemo writes amounts with the configured sign, so it works under both readings of the sandbox switch', async () => {
    const account = sandbox.receivables.accounts[0]!;
    const invoice = await client.createInvoice({
      BusinessUnit: 'US1 Business Unit',
      TransactionSource: 'SHOPIFY',
      TransactionType: 'Invoice',
      TransactionDate: '2026-11-02',
      BillToCustomerNumber: account.AccountNumber,
      InvoiceCurrencyCode: 'USD',
      receivablesInvoiceLines: [{ LineNumber: 1, Description: 'Tee', Quantity: 1, UnitSellingPrice: 10 }],
    });
    await client.completeInvoice(invoice.CustomerTransactionId);
    const input = { previousCustomerTransactionId: invoice.CustomerTransactionId, currencyCode: 'USD', transactionDate: '2026-11-03', lineAmount: '1.00' };
    const wrongSign = await rejection(createInvoiceCreditMemo(client, { ...input, amountSign: 'positive' }));
    assert.equal((wrongSign.details['fault'] as { code: string }).code, 'AR-CM-SIGN');
    await createInvoiceCreditMemo(client, input);
    const strict = sandbox.options.strict as typeof sandbox.options.strict & { creditMemoAmountSign?: string };
    strict.creditMemoAmountSign = 'positive';
    try {
      await createInvoiceCreditMemo(client, { ...input, amountSign: 'positive' });
    } finally {
      delete strict.creditMemoAmountSign;
    }
    assert.deepEqual(
      sandbox.written.invoiceCredits.slice(-2).map((c) => c['LineAmount']),
      [-1, -1],
    );
  });
});
