import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { AppError } from '@mlc/platform-errors';
import { FusionClient } from './fusion.client';
import { findBillToSites, findCreditMemosByComments, findInvoicesWithLines } from './fusion-receivables';
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
    const party = await client.createOrganization({ OrganizationName: 'Côté & Fils', EmailAddress: 'a@b.example', Address: [{ AddressType: 'BILL_TO', Address1: '1 Main St', City: 'Ottawa', Country: 'CA', PostalCode: 'K1P 1J1' }] });
    const account = await createCustomerAccount(client, { partyId: party.PartyId, accountName: 'Côté & Fils', partySiteId: party.Address[0]!.PartySiteId });
    assert.match(account.accountNumber, /^\d+$/);
    assert.equal(account.partyId, party.PartyId);
    assert.ok(account.billTo && account.billTo.location.includes('Côté & Fils'), 'the site name (Location) survives XML escaping');
    assert.equal(sandbox.written.customerAccounts.at(-1)?.['AccountNumber'], account.accountNumber);
    const sites = await findBillToSites(client, { partyId: party.PartyId });
    assert.deepEqual(sites.map((s) => [s.AccountNumber, s.Location, s.SiteUseId]), [[account.accountNumber, account.billTo.location, account.billTo.siteUseId]]);
    assert.equal((await findBillToSites(client, { accountNumber: account.accountNumber }))[0]?.PartyId, party.PartyId);
  });

  it('answers business errors with SOAP faults that the client turns into permanent FUSION.REJECTED', async () => {
    const err = await rejection(createCustomerAccount(client, { partyId: 42, accountName: 'Nobody', partySiteId: 1 }));
    assert.equal(err.code, 'FUSION.REJECTED');
    assert.equal(err.retryable, false);
    assert.deepEqual(err.details['fault'], { faultcode: 'env:Server', faultstring: "HZ_API_INVALID_FK: The party 42 doesn't exist.", code: 'HZ_API_INVALID_FK' });
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
    const garbage = await post(CUSTOMER_ACCOUNT_SERVICE_PATH, '<soapenv:Envelope><oops>', { authorization: basic(), 'content-type': 'text/xml; charset=utf-8' });
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

  it('credits specific lines of a completed invoice, refuses incomplete invoices and over-crediting, and is found again by its comments', async () => {
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
    const [tee, hst] = [found!.lines.find((l) => l.LineNumber === 1)!, found!.lines.find((l) => l.LineNumber === 2)!];
    const input = {
      businessUnit: 'US1 Business Unit',
      transactionSource: 'SHOPIFY',
      transactionType: 'Credit Memo',
      trxDate: '2026-11-03',
      currencyCode: 'CAD',
      previousCustomerTrxId: invoice.CustomerTransactionId,
      comments: 'Shopify refund 1 of order #1001',
      lines: [
        { description: 'Tee', quantity: '1', unitSellingPrice: '-25.00', previousCustomerTrxLineId: tee.CustomerTransactionLineId },
        { description: 'HST', quantity: '1', unitSellingPrice: '-3.25', previousCustomerTrxLineId: hst.CustomerTransactionLineId },
      ],
    };
    const incomplete = await rejection(createInvoiceCreditMemo(client, input));
    assert.equal((incomplete.details['fault'] as { code: string }).code, 'AR-CM-INCOMPLETE');
    await client.completeInvoice(invoice.CustomerTransactionId);
    const memo = await createInvoiceCreditMemo(client, input);
    assert.match(memo.transactionNumber, /^\d+$/);
    assert.equal(memo.enteredAmount, '-28.25');
    const credit = sandbox.written.invoiceCredits.at(-1)!;
    assert.equal(credit['PreviousCustomerTrxId'], invoice.CustomerTransactionId);
    assert.deepEqual((credit['lines'] as Record<string, unknown>[]).map((l) => l['PreviousCustomerTrxLineId']), [tee.CustomerTransactionLineId, hst.CustomerTransactionLineId]);
    assert.equal((await findCreditMemosByComments(client, input.comments))[0]?.TransactionNumber, memo.transactionNumber);
    const over = await rejection(createInvoiceCreditMemo(client, { ...input, comments: 'again', lines: [{ ...input.lines[0]!, quantity: '2' }] }));
    assert.equal((over.details['fault'] as { code: string }).code, 'AR-CM-OVERAPPLY');
    const positive = await rejection(createInvoiceCreditMemo(client, { ...input, comments: 'sign', lines: [{ ...input.lines[0]!, unitSellingPrice: '25.00' }] }));
    assert.equal((positive.details['fault'] as { code: string }).code, 'AR-CM-SIGN');
  });
});
