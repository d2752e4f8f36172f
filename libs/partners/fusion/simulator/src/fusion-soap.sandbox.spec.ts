import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childText, find, parseXml } from '@mlc/partners-xml';
import { FusionSandbox, type FusionStrictSwitches } from './fusion.sandbox';
import {
  CREDIT_MEMO_NS,
  CREDIT_MEMO_SERVICE_PATH,
  CREDIT_MEMO_TYPES_NS,
  CUSTOMER_ACCOUNT_NS,
  CUSTOMER_ACCOUNT_SERVICE_PATH,
  CUSTOMER_ACCOUNT_TYPES_NS,
  SOAP_ENV,
  type SoapStrictSwitches,
} from './fusion-soap';
import { SOAP_TYPES } from './fusion-soap.schema';

/** The SOAP operations of the sandbox over raw HTTP: schema refusals, fault shape, credit memo business rules. */
describe('Fusion sandbox SOAP services (raw HTTP)', () => {
  const sandbox = new FusionSandbox({ seed: 4 });
  const strict = sandbox.options.strict as FusionStrictSwitches & Partial<SoapStrictSwitches>;
  let url = '';
  let auth = '';

  const soap = async (path: string, body: string) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'text/xml; charset=UTF-8' },
      body: `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Header/><s:Body>${body}</s:Body></s:Envelope>`,
    });
    const text = await res.text();
    const root = parseXml(text);
    const fault = find(root, 'Fault');
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      root,
      fault: fault && {
        code: childText(fault, 'faultcode') ?? '',
        string: childText(fault, 'faultstring') ?? '',
        adf: childText(find(fault, 'ServiceErrorMessage')!, 'code'),
      },
    };
  };
  const memo = (inner: string) =>
    soap(
      CREDIT_MEMO_SERVICE_PATH,
      `<t:createCreditMemo xmlns:t="${CREDIT_MEMO_TYPES_NS}" xmlns:c="${CREDIT_MEMO_NS}"><t:creditMemo>${inner}</t:creditMemo></t:createCreditMemo>`,
    );
  const account = (inner: string) =>
    soap(
      CUSTOMER_ACCOUNT_SERVICE_PATH,
      `<t:createCustomerAccount xmlns:t="${CUSTOMER_ACCOUNT_TYPES_NS}" xmlns:c="${CUSTOMER_ACCOUNT_NS}"><t:customerAccount>${inner}</t:customerAccount></t:createCustomerAccount>`,
    );

  /** A completed invoice of 100.00 (two lines) in the sandbox. */
  const invoice = (complete = true, freight = 0) => {
    const acc = sandbox.receivables.accounts[0]!;
    const inv = sandbox.receivables.createInvoice({
      BusinessUnit: 'US1 Business Unit',
      TransactionSource: 'SHOPIFY',
      TransactionType: 'Invoice',
      TransactionDate: '2026-11-02',
      BillToCustomerNumber: acc.AccountNumber,
      InvoiceCurrencyCode: 'USD',
      receivablesInvoiceLines: [
        { LineNumber: 1, Description: 'Tee', Quantity: 2, UnitSellingPrice: 40, ...(freight ? { AllocatedFreightAmount: freight } : {}) },
        { LineNumber: 2, Description: 'Cap', Quantity: 1, UnitSellingPrice: 20 },
      ],
    });
    if (complete) sandbox.receivables.patchInvoice(String(inv.CustomerTransactionId), { InvoiceStatus: 'Complete' });
    return inv;
  };

  before(async () => {
    url = await sandbox.listen(0);
    auth = `Basic ${Buffer.from(`${sandbox.options.basicUser}:${sandbox.options.basicPassword}`).toString('base64')}`;
  });
  after(() => sandbox.close());

  describe('CreditMemoService.createCreditMemo', () => {
    it('refuses an element the CreditMemo object does not have, naming it and listing the allowed ones (HTTP 500 env:Server fault)', async () => {
      const inv = invoice();
      const res = await memo(
        `<c:BusinessUnit>US1 Business Unit</c:BusinessUnit><c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId><c:LineAmount>-10</c:LineAmount>`,
      );
      assert.equal(res.status, 500);
      assert.match(res.type, /^text\/xml/);
      assert.equal(res.root.ns, SOAP_ENV);
      assert.equal(res.fault?.code, 'env:Server');
      assert.match(res.fault!.string, /unexpected element \(uri:"[^"]+creditMemoService\/", local:"BusinessUnit"\)/);
      for (const allowed of ['PreviousCustomerTransactionId', 'TransactionDate', 'ReasonCode', 'LineAmount', 'TransactionNumber'])
        assert.ok(res.fault!.string.includes(`}${allowed}>`), allowed);
      assert.equal(res.fault!.adf, 'SOAP-UNMARSHAL');
      assert.equal(sandbox.written.invoiceCredits.length, 0);
    });

    it('refuses each name the old client sent, and line elements (the published object has no lines)', async () => {
      const inv = invoice();
      for (const bad of [
        'TransactionSource',
        'TransactionType',
        'TrxDate',
        'PreviousCustomerTrxId',
        'CreditMemoReason',
        'CreditMemoLine',
        'Quantity',
        'UnitSellingPrice',
        'PreviousCustomerTrxLineId',
      ]) {
        const res = await memo(`<c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId><c:${bad}>1</c:${bad}>`);
        assert.equal(res.status, 500, bad);
        assert.match(res.fault!.string, new RegExp(`local:"${bad}"`), bad);
      }
    });

    it('refuses a misplaced element (a CreditMemo field inside the flexfield), one in the wrong namespace, and a second parameter', async () => {
      const inv = invoice();
      const flex = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/model/flex/CreditMemoDff/';
      const misplaced = await memo(
        `<c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId><c:CreditMemoFLEXVA><f:LineAmount xmlns:f="${flex}">-1</f:LineAmount></c:CreditMemoFLEXVA>`,
      );
      assert.equal(misplaced.status, 500);
      assert.match(misplaced.fault!.string, /local:"LineAmount"\) in createCreditMemo\/creditMemo\/CreditMemoFLEXVA/);
      assert.ok(misplaced.fault!.string.includes('}__FLEX_Context>'));
      const nested = await memo(
        `<c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId><c:LineAmount><c:TaxAmount>-1</c:TaxAmount></c:LineAmount>`,
      );
      assert.match(nested.fault!.string, /local:"TaxAmount"\) in createCreditMemo\/creditMemo\/LineAmount/);
      const wrongNs = await memo(`<x:PreviousCustomerTransactionId xmlns:x="urn:other">${inv.CustomerTransactionId}</x:PreviousCustomerTransactionId>`);
      assert.match(wrongNs.fault!.string, /uri:"urn:other", local:"PreviousCustomerTransactionId"/);
      const two = await soap(
        CREDIT_MEMO_SERVICE_PATH,
        `<t:createCreditMemo xmlns:t="${CREDIT_MEMO_TYPES_NS}"><t:creditMemo/><t:creditMemo/></t:createCreditMemo>`,
      );
      assert.equal(two.status, 500);
      assert.match(two.fault!.string, /local:"creditMemo"\) in createCreditMemo/);
    });

    it('answers env:Client for schema refusals when soapSchemaFaultCode says so (UNCONFIRMED at Oracle)', async () => {
      strict.soapSchemaFaultCode = 'Client';
      try {
        const res = await memo('<c:TrxDate>2026-11-03</c:TrxDate>');
        assert.equal(res.status, 500);
        assert.equal(res.fault?.code, 'env:Client');
      } finally {
        delete strict.soapSchemaFaultCode;
      }
    });

    it('credits a completed invoice per bucket and answers the memo; refuses an incomplete invoice and a missing PreviousCustomerTransactionId', async () => {
      const draft = invoice(false);
      const incomplete = await memo(
        `<c:PreviousCustomerTransactionId>${draft.CustomerTransactionId}</c:PreviousCustomerTransactionId><c:LineAmount>-5</c:LineAmount>`,
      );
      assert.equal(incomplete.fault?.adf, 'AR-CM-INCOMPLETE');
      const missing = await memo('<c:LineAmount>-5</c:LineAmount>');
      assert.equal(missing.fault?.adf, 'JBO-27014');
      const inv = invoice();
      const ok = await memo(
        `<c:Comments>Shopify refund 1</c:Comments><c:CurrencyCode>USD</c:CurrencyCode><c:LineAmount currencyCode="USD">-30.50</c:LineAmount>` +
          `<c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId><c:ReasonCode>RETURN</c:ReasonCode><c:TransactionDate>2026-11-03</c:TransactionDate>`,
      );
      assert.equal(ok.status, 200, ok.fault?.string);
      const value = find(ok.root, 'Value')!;
      assert.match(childText(value, 'TransactionNumber') ?? '', /^\d+$/);
      const row = sandbox.written.invoiceCredits.at(-1)!;
      assert.equal(row['PreviousCustomerTransactionId'], inv.CustomerTransactionId);
      assert.equal(row['EnteredAmount'], -30.5);
      assert.equal(row['CreditMemoComments'], 'Shopify refund 1');
      assert.equal(row['CreditReason'], 'RETURN');
      const stored = sandbox.receivables.creditMemos.at(-1)!;
      assert.equal(stored.fields['TransactionDate'], '2026-11-03');
      // Spread over the invoice lines by what each has left (80 and 20 -> 24.40 and 6.10), never beyond a line.
      assert.deepEqual(
        stored.lines.map((l) => [l['LineDescription'], l['LineAmountCredit'], l['PreviousCustomerTrxLineId']]),
        [
          ['Tee', -24.4, inv.lines[0]!['CustomerTransactionLineId']],
          ['Cap', -6.1, inv.lines[1]!['CustomerTransactionLineId']],
        ],
      );
      assert.equal(stored.fields['PreviousCustomerTrxId'], inv.CustomerTransactionId);
      const rest = await fetch(`${url}/fscmRestApi/resources/11.13.18.05/receivablesCreditMemos?expand=receivablesCreditMemoLines&onlyData=true`, {
        headers: { authorization: auth },
      });
      const text = await rest.text();
      assert.equal(rest.status, 200, text);
      assert.ok(text.includes('Shopify refund 1') && !text.includes('PreviousCustomerTrx'), 'the sandbox bookkeeping is not a REST attribute');
    });

    it('never credits more than the invoice balance over all its memos, nor a bucket the invoice did not bill', async () => {
      const inv = invoice();
      const credit = (amount: string, bucket = 'LineAmount') =>
        memo(`<c:${bucket}>${amount}</c:${bucket}><c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId>`);
      const over = await credit('-100.01');
      assert.equal(over.fault?.adf, 'AR-CM-OVERAPPLY');
      assert.match(over.fault!.string, /exceeds the line balance 100 of transaction/);
      assert.equal((await credit('-60')).status, 200);
      const second = await credit('-40.01');
      assert.equal(second.fault?.adf, 'AR-CM-OVERAPPLY', 'the first memo counts');
      assert.equal((await credit('-40')).status, 200, 'exactly the balance is fine');
      const shares = sandbox.receivables.creditMemos.slice(-2).map((m) => m.lines.map((l) => l['LineAmountCredit']));
      assert.deepEqual(
        shares,
        [
          [-48, -12],
          [-32, -8],
        ],
        'each line credited up to what it billed, no more',
      );
      assert.equal((await credit('-0.01')).fault?.adf, 'AR-CM-OVERAPPLY');
      const noFreight = await memo(
        `<c:FreightAmount>-1</c:FreightAmount><c:PreviousCustomerTransactionId>${invoice().CustomerTransactionId}</c:PreviousCustomerTransactionId>`,
      );
      assert.equal(noFreight.fault?.adf, 'AR-CM-OVERAPPLY');
      const withFreight = invoice(true, 10);
      assert.equal(
        (
          await memo(
            `<c:FreightAmount>-10</c:FreightAmount><c:PreviousCustomerTransactionId>${withFreight.CustomerTransactionId}</c:PreviousCustomerTransactionId>`,
          )
        ).status,
        200,
      );
      const pct = await memo(
        `<c:LinePercent>50</c:LinePercent><c:PreviousCustomerTransactionId>${withFreight.CustomerTransactionId}</c:PreviousCustomerTransactionId>`,
      );
      assert.equal(pct.status, 200);
      assert.equal(sandbox.written.invoiceCredits.at(-1)!['LineAmount'], -50);
      const both = await memo(
        `<c:LineAmount>-1</c:LineAmount><c:LinePercent>1</c:LinePercent><c:PreviousCustomerTransactionId>${withFreight.CustomerTransactionId}</c:PreviousCustomerTransactionId>`,
      );
      assert.equal(both.fault?.adf, 'AR-CM-AMOUNT_AND_PERCENT');
    });

    it('takes amounts with the sign creditMemoAmountSign names (default negative), and refuses a wrong currency', async () => {
      const inv = invoice();
      const body = (amount: string) =>
        `<c:LineAmount>${amount}</c:LineAmount><c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId>`;
      assert.equal((await memo(body('5'))).fault?.adf, 'AR-CM-SIGN');
      strict.creditMemoAmountSign = 'positive';
      try {
        assert.equal((await memo(body('-5'))).fault?.adf, 'AR-CM-SIGN');
        assert.equal((await memo(body('5'))).status, 200);
      } finally {
        delete strict.creditMemoAmountSign;
      }
      const cad = await memo(
        `<c:LineAmount currencyCode="CAD">-1</c:LineAmount><c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId>`,
      );
      assert.equal(cad.fault?.adf, 'AR-CM-CURRENCY');
    });

    it('replaces a sent TransactionNumber by its own (creditMemoNumbering assigned, the default) or keeps it, once (kept)', async () => {
      const inv = invoice();
      const body = `<c:LineAmount>-1</c:LineAmount><c:PreviousCustomerTransactionId>${inv.CustomerTransactionId}</c:PreviousCustomerTransactionId><c:TransactionNumber>RABC</c:TransactionNumber>`;
      const assigned = await memo(body);
      assert.notEqual(childText(find(assigned.root, 'Value')!, 'TransactionNumber'), 'RABC');
      strict.creditMemoNumbering = 'kept';
      try {
        const kept = await memo(body);
        assert.equal(childText(find(kept.root, 'Value')!, 'TransactionNumber'), 'RABC');
        assert.equal((await memo(body)).fault?.adf, 'AR-CM-DUPLICATE_NUMBER');
      } finally {
        delete strict.creditMemoNumbering;
      }
    });
  });

  describe('CustomerAccountService.createCustomerAccount', () => {
    const party = () =>
      sandbox.receivables.createParty({
        OrganizationName: 'Acme',
        Address: [{ AddressType: 'BILL_TO', Address1: '1 Main St', City: 'Austin', Country: 'US' }],
      });
    const site = (siteId: number, use = '<c:SiteUseCode>BILL_TO</c:SiteUseCode><c:CreatedByModule>HZ_WS</c:CreatedByModule>') =>
      `<c:CustomerAccountSite><c:PartySiteId>${siteId}</c:PartySiteId><c:CreatedByModule>HZ_WS</c:CreatedByModule><c:CustomerAccountSiteUse>${use}</c:CustomerAccountSiteUse></c:CustomerAccountSite>`;

    it('creates an account with its BILL_TO site from Oracle-shaped elements', async () => {
      const p = party();
      const res = await account(
        `<c:PartyId>${p.PartyId}</c:PartyId><c:AccountName>Acme</c:AccountName><c:CreatedByModule>HZ_WS</c:CreatedByModule>${site(p.Address[0]!.PartySiteId)}`,
      );
      assert.equal(res.status, 200, res.fault?.string);
      assert.equal(childText(find(res.root, 'CustomerAccountSiteUse')!, 'SiteUseCode'), 'BILL_TO');
    });

    it('refuses an unknown element (CustomerType is not on the published object) and lists the allowed ones', async () => {
      const p = party();
      const res = await account(`<c:PartyId>${p.PartyId}</c:PartyId><c:CustomerType>R</c:CustomerType><c:CreatedByModule>HZ_WS</c:CreatedByModule>`);
      assert.equal(res.status, 500);
      assert.equal(res.fault?.code, 'env:Server');
      assert.match(res.fault!.string, /local:"CustomerType"\) in createCustomerAccount\/customerAccount\. Expected elements are /);
      for (const n of Object.keys(SOAP_TYPES['CustomerAccount']!.children)) assert.ok(res.fault!.string.includes(`}${n}>`), n);
    });

    it('refuses a misplaced element: a site use field at account level, a site field at site-use level', async () => {
      const p = party();
      const atAccount = await account(`<c:PartyId>${p.PartyId}</c:PartyId><c:SiteUseCode>BILL_TO</c:SiteUseCode><c:CreatedByModule>HZ_WS</c:CreatedByModule>`);
      assert.match(atAccount.fault!.string, /local:"SiteUseCode"\) in createCustomerAccount\/customerAccount\./);
      const atUse = await account(
        `<c:PartyId>${p.PartyId}</c:PartyId><c:CreatedByModule>HZ_WS</c:CreatedByModule>${site(p.Address[0]!.PartySiteId, '<c:SiteUseCode>BILL_TO</c:SiteUseCode><c:PartySiteId>1</c:PartySiteId>')}`,
      );
      assert.match(atUse.fault!.string, /local:"PartySiteId"\) in createCustomerAccount\/customerAccount\/CustomerAccountSite\/CustomerAccountSiteUse/);
    });

    it('refuses the site in another namespace than customerAccountService (what the old client sent)', async () => {
      const p = party();
      const other = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/custAccountSiteService/';
      const res = await account(
        `<c:PartyId>${p.PartyId}</c:PartyId><c:CreatedByModule>HZ_WS</c:CreatedByModule><c:CustomerAccountSite><s:PartySiteId xmlns:s="${other}">${p.Address[0]!.PartySiteId}</s:PartySiteId></c:CustomerAccountSite>`,
      );
      assert.equal(res.status, 500);
      assert.match(res.fault!.string, /uri:"http:\/\/xmlns\.oracle\.com\/apps\/cdm\/foundation\/parties\/custAccountSiteService\/", local:"PartySiteId"/);
    });

    it('takes Basic credentials: a wrong password is a 401, and a valid OAuth bearer token too unless soapBearerAuth (UNCONFIRMED) says SOAP takes tokens', async () => {
      const p = party();
      const body = `<c:PartyId>${p.PartyId}</c:PartyId><c:AccountName>Acme</c:AccountName><c:CreatedByModule>HZ_WS</c:CreatedByModule>${site(p.Address[0]!.PartySiteId)}`;
      const post = (authorization: string) =>
        fetch(url + CUSTOMER_ACCOUNT_SERVICE_PATH, {
          method: 'POST',
          headers: { authorization, 'content-type': 'text/xml' },
          body: `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><t:createCustomerAccount xmlns:t="${CUSTOMER_ACCOUNT_TYPES_NS}" xmlns:c="${CUSTOMER_ACCOUNT_NS}"><t:customerAccount>${body}</t:customerAccount></t:createCustomerAccount></s:Body></s:Envelope>`,
        });
      const wrong = await post(`Basic ${Buffer.from(`${sandbox.options.basicUser}:not-the-password`).toString('base64')}`);
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/);
      const tokenRes = await fetch(`${url}/oauth2/v1/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${sandbox.options.clientId}:${sandbox.options.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: sandbox.options.scope }).toString(),
      });
      const bearer = `Bearer ${((await tokenRes.json()) as { access_token: string }).access_token}`;
      assert.equal(
        (await fetch(`${url}/fscmRestApi/resources/11.13.18.05/purchaseOrders?limit=1`, { headers: { authorization: bearer } })).status,
        200,
        'the token works on REST',
      );
      const refused = await post(bearer);
      assert.equal(refused.status, 401);
      assert.match(await refused.text(), /user name and password is required/);
      const before = sandbox.written.customerAccounts.length;
      strict.soapBearerAuth = true;
      try {
        assert.equal((await post(bearer)).status, 200);
      } finally {
        strict.soapBearerAuth = false;
      }
      assert.equal(sandbox.written.customerAccounts.length, before + 1, 'only the accepted call created an account');
    });

    it("is served at /crmService/CustomerAccountService only (the WSDL URL on Oracle's page)", async () => {
      const res = await fetch(`${url}/foundationParties/CustomerAccountService`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'text/xml' },
        body: '<x/>',
      });
      assert.equal(res.status, 404);
    });
  });
});
