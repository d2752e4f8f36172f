import type { SandboxRequest, SandboxResponse } from '@mlc/partners-sandbox-kit';
import type { ResourceDef } from './fusion-rest';
import type { ArTransaction, CustomerAccount } from './fusion-receivables';
import type { FusionSandbox } from './fusion.sandbox';
import { childText, childrenNamed, escapeXml, parseXml, XmlSyntaxError, type XmlElement } from '@mlc/partners-xml';

/**
 * The SOAP services the REST API cannot replace (oracle-fusion.md §7, §8), minimal but in SOAP 1.1 form:
 * - CustomerAccountService.createCustomerAccount (`/foundationParties/CustomerAccountService`, endpoint per [S25]):
 *   a customer account for a party, with an account site on one of its party sites and a BILL_TO site use.
 * - CreditMemoService.createCreditMemo (`/fscmService/CreditMemoService`, [S15]): a credit memo against a specific
 *   completed invoice, lines pointing at the invoice lines they credit (PREVIOUS_CUSTOMER_TRX_LINE_ID).
 * Requests must be `text/xml` with the operation in the service's types namespace; business errors are SOAP faults
 * (HTTP 500, `env:Server`, ADF `ServiceErrorMessage` detail), malformed requests `env:Client` faults. Element names
 * beyond those the reference names (PartyId, CreatedByModule, CustomerAccountSite, PartySiteId,
 * CustomerAccountSiteUse, SiteUseCode; CreditMemoTrxNumber, AmountApplied…) follow Oracle's ADF service naming and
 * are UNCONFIRMED.
 */
export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
export const CUSTOMER_ACCOUNT_SERVICE_PATH = '/foundationParties/CustomerAccountService';
export const CUSTOMER_ACCOUNT_TYPES_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/applicationModule/types/';
export const CUSTOMER_ACCOUNT_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/';
export const CREDIT_MEMO_SERVICE_PATH = '/fscmService/CreditMemoService';
export const CREDIT_MEMO_TYPES_NS = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/creditMemoService/types/';
export const CREDIT_MEMO_NS = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/creditMemoService/';
const ADF_ERRORS_NS = 'http://xmlns.oracle.com/adf/svc/errors/';

/** A SOAP fault: `Client` for requests the service cannot read, `Server` for business rule failures (JBO-…). */
export class SoapFault extends Error {
  constructor(
    readonly faultcode: 'Client' | 'Server',
    message: string,
    readonly code = faultcode === 'Client' ? 'SOAP-CLIENT' : 'JBO-27024',
  ) {
    super(message);
  }
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${SOAP_ENV}" xmlns:wsa="http://www.w3.org/2005/08/addressing"><env:Header/><env:Body>${body}</env:Body></env:Envelope>`;
}

export function renderSoapFault(f: SoapFault): SandboxResponse {
  const body =
    `<env:Fault><faultcode>env:${f.faultcode}</faultcode><faultstring>${escapeXml(`${f.code}: ${f.message}`)}</faultstring>` +
    `<detail><tns:ServiceErrorMessage xmlns:tns="${ADF_ERRORS_NS}"><tns:code>${escapeXml(f.code)}</tns:code><tns:message>${escapeXml(f.message)}</tns:message>` +
    `<tns:severity>SEVERITY_ERROR</tns:severity><tns:exceptionClassName>${f.faultcode === 'Client' ? 'oracle.jbo.JboException' : 'oracle.jbo.ValidationException'}</tns:exceptionClassName></tns:ServiceErrorMessage></detail></env:Fault>`;
  return { status: 500, headers: { 'content-type': 'text/xml; charset=UTF-8' }, body: envelope(body) };
}

function ok(body: string): SandboxResponse {
  return { status: 200, headers: { 'content-type': 'text/xml; charset=UTF-8' }, body: envelope(body) };
}

/** Reads the envelope and returns the operation element, checking content type, envelope and namespace. */
function operation(req: SandboxRequest, typesNs: string, allowed: string[]): XmlElement {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/xml') throw new SoapFault('Client', `The media type ${type || '(none)'} is not supported; SOAP 1.1 requests are text/xml`, 'HTTP-415');
  let root: XmlElement;
  try {
    root = parseXml(req.rawBody.toString('utf8'));
  } catch (err) {
    throw new SoapFault('Client', `The request is not well-formed XML: ${err instanceof XmlSyntaxError ? err.message : String(err)}`);
  }
  const nsOf = (prefix: string, ...scopes: XmlElement[]) => {
    for (const s of scopes.reverse()) {
      const v = s.attrs[prefix ? `xmlns:${prefix}` : 'xmlns'];
      if (v !== undefined) return v;
    }
    return undefined;
  };
  if (root.name !== 'Envelope' || nsOf(root.prefix, root) !== SOAP_ENV) throw new SoapFault('Client', 'The request is not a SOAP 1.1 envelope');
  const body = childrenNamed(root, 'Body')[0];
  const op = body?.children[0];
  if (!body || !op) throw new SoapFault('Client', 'The SOAP Body holds no operation');
  if (!allowed.includes(op.name) || nsOf(op.prefix, root, body, op) !== typesNs) {
    throw new SoapFault('Client', `Unknown operation {${nsOf(op.prefix, root, body, op) ?? ''}}${op.name}`);
  }
  return op;
}

function need(el: XmlElement, name: string, where: string): string {
  const v = childText(el, name);
  if (!v) throw new SoapFault('Server', `The attribute ${name} in ${where} is required.`, 'JBO-27014');
  return v;
}

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
/** Amounts in thousandths, so sums of decimal inputs stay exact for 0–3 decimal currencies. */
const milli = (v: unknown) => Math.round(Number(v) * 1000);

interface CustomerSiteRow {
  SiteUseId: number;
  CustomerAccountId: number;
  AccountNumber: string;
  AccountName: string;
  PartyId: number;
  PartyNumber: string | null;
  PartySiteId: number;
  SiteUseCode: string;
  Location: string;
}

/** `customerAccountSitesLOV` (fscm, keyed by SiteUseId per the reference §8): bill-to sites of customer accounts. */
const customerSiteDef: ResourceDef<CustomerSiteRow> = {
  name: 'customerAccountSitesLOV',
  attrs: { SiteUseId: 'number', CustomerAccountId: 'number', AccountNumber: 'string', AccountName: 'string', PartyId: 'number', PartyNumber: 'string', PartySiteId: 'number', SiteUseCode: 'string', Location: 'string' },
  key: (r) => String(r.SiteUseId),
  scalars: (r) => ({ ...r }),
};

/** Registers the two SOAP services and the customer-site read on the sandbox. */
export function registerSoapServices(sandbox: FusionSandbox): void {
  const store = sandbox.receivables;
  const credited = new Map<number, Map<number, number>>(); // invoice id -> line id -> milli credited so far
  let nextCm = 5001;

  const soapRoute = (path: string, handler: (req: SandboxRequest) => SandboxResponse) =>
    sandbox.fusionRoute('POST', path, 'read', (req) => {
      try {
        return handler(req);
      } catch (err) {
        if (err instanceof SoapFault) {
          if (err.code === 'HTTP-415') return { status: 415, headers: { 'content-type': 'text/plain' }, body: err.message };
          return renderSoapFault(err);
        }
        throw err;
      }
    });

  soapRoute(CUSTOMER_ACCOUNT_SERVICE_PATH, (req) => {
    const op = operation(req, CUSTOMER_ACCOUNT_TYPES_NS, ['createCustomerAccount']);
    const acc = childrenNamed(op, 'customerAccount')[0];
    if (!acc) throw new SoapFault('Client', 'createCustomerAccount needs a customerAccount element');
    const partyId = Number(need(acc, 'PartyId', 'customerAccount'));
    if (need(acc, 'CreatedByModule', 'customerAccount') !== 'HZ_WS') throw new SoapFault('Server', 'The value of CreatedByModule must be HZ_WS.', 'HZ-CREATED_BY_MODULE');
    const party = store.parties.find((p) => p.PartyId === partyId);
    if (!party) throw new SoapFault('Server', `The party ${partyId} doesn't exist.`, 'HZ_API_INVALID_FK');
    const sites = childrenNamed(acc, 'CustomerAccountSite');
    if (sites.length > 1) throw new SoapFault('Server', 'The sandbox accepts one CustomerAccountSite per account.');
    let partySiteId: number | undefined;
    let siteUse: string | undefined;
    if (sites[0]) {
      partySiteId = Number(need(sites[0], 'PartySiteId', 'CustomerAccountSite'));
      if (!party.Address.some((a) => a.PartySiteId === partySiteId)) throw new SoapFault('Server', `The party site ${partySiteId} doesn't belong to party ${partyId}.`, 'HZ_API_INVALID_FK');
      const use = childrenNamed(sites[0], 'CustomerAccountSiteUse')[0];
      if (!use) throw new SoapFault('Server', 'A CustomerAccountSite needs a CustomerAccountSiteUse.', 'JBO-27014');
      siteUse = need(use, 'SiteUseCode', 'CustomerAccountSiteUse');
      if (siteUse !== 'BILL_TO' && siteUse !== 'SHIP_TO') throw new SoapFault('Server', `The value ${siteUse} of SiteUseCode is not valid.`, 'HZ_API_INVALID_LOOKUP');
    }
    const name = childText(acc, 'AccountName') || String(party.fields['OrganizationName'] ?? party.PartyNumber);
    const account: CustomerAccount = store.createAccount(partyId, name, siteUse === 'BILL_TO' ? partySiteId : undefined);
    (account as CustomerAccount & { LastUpdateDate?: string }).LastUpdateDate = store.ids.stamp();
    const site = account.billToSites[0];
    sandbox.written.customerAccounts.push({ CustomerAccountId: account.CustomerAccountId, AccountNumber: account.AccountNumber, PartyId: partyId, AccountName: name, billToSites: account.billToSites });
    const siteXml = site
      ? `<ns1:CustomerAccountSite><ns1:CustomerAccountSiteId>${site.SiteUseId - 1}</ns1:CustomerAccountSiteId><ns1:PartySiteId>${site.PartySiteId}</ns1:PartySiteId>` +
        `<ns1:CustomerAccountSiteUse><ns1:SiteUseId>${site.SiteUseId}</ns1:SiteUseId><ns1:SiteUseCode>BILL_TO</ns1:SiteUseCode><ns1:Location>${escapeXml(site.SiteName)}</ns1:Location></ns1:CustomerAccountSiteUse></ns1:CustomerAccountSite>`
      : '';
    return ok(
      `<ns0:createCustomerAccountResponse xmlns:ns0="${CUSTOMER_ACCOUNT_TYPES_NS}"><ns0:result xmlns:ns1="${CUSTOMER_ACCOUNT_NS}"><ns1:Value>` +
        `<ns1:CustomerAccountId>${account.CustomerAccountId}</ns1:CustomerAccountId><ns1:PartyId>${partyId}</ns1:PartyId><ns1:AccountNumber>${escapeXml(account.AccountNumber)}</ns1:AccountNumber>` +
        `<ns1:AccountName>${escapeXml(name)}</ns1:AccountName><ns1:Status>A</ns1:Status><ns1:CreatedByModule>HZ_WS</ns1:CreatedByModule>${siteXml}</ns1:Value></ns0:result></ns0:createCustomerAccountResponse>`,
    );
  });

  soapRoute(CREDIT_MEMO_SERVICE_PATH, (req) => {
    const op = operation(req, CREDIT_MEMO_TYPES_NS, ['createCreditMemo', 'applyOnAccountCreditMemo']);
    if (op.name === 'applyOnAccountCreditMemo') throw new SoapFault('Server', 'applyOnAccountCreditMemo is not offered by this sandbox; credit the invoice with createCreditMemo.', 'SANDBOX-UNSUPPORTED');
    const cm = childrenNamed(op, 'creditMemo')[0];
    if (!cm) throw new SoapFault('Client', 'createCreditMemo needs a creditMemo element');
    const header: Record<string, string> = {};
    for (const n of ['BusinessUnit', 'TransactionSource', 'TransactionType', 'TrxDate', 'CurrencyCode']) header[n] = need(cm, n, 'creditMemo');
    if (!isDate(header['TrxDate']!)) throw new SoapFault('Server', `The value ${header['TrxDate']} of TrxDate is not a valid date (yyyy-MM-dd).`, 'JBO-27018');
    const prevId = childText(cm, 'PreviousCustomerTrxId');
    const prevNumber = childText(cm, 'PreviousTransactionNumber');
    const invoice: ArTransaction | undefined = store.invoices.find((i) => (prevId ? String(i.CustomerTransactionId) === prevId : i.TransactionNumber === prevNumber));
    if (!prevId && !prevNumber) throw new SoapFault('Server', 'PreviousCustomerTrxId or PreviousTransactionNumber is required to credit an invoice.', 'AR-CM-NO_INVOICE');
    if (!invoice) throw new SoapFault('Server', `The transaction ${prevId ?? prevNumber} to credit doesn't exist.`, 'AR-CM-NO_INVOICE');
    if (invoice.fields['InvoiceStatus'] !== 'Complete') throw new SoapFault('Server', `The transaction ${invoice.TransactionNumber} is not complete and can't be credited.`, 'AR-CM-INCOMPLETE');
    const currency = String(invoice.fields['InvoiceCurrencyCode'] ?? header['CurrencyCode']);
    if (currency !== header['CurrencyCode']) throw new SoapFault('Server', `The credit memo currency ${header['CurrencyCode']} differs from the invoice currency ${currency}.`, 'AR-CM-CURRENCY');
    const lineEls = childrenNamed(cm, 'CreditMemoLine');
    if (!lineEls.length) throw new SoapFault('Server', 'A credit memo needs at least one CreditMemoLine.', 'JBO-27014');
    const seen = credited.get(invoice.CustomerTransactionId) ?? new Map<number, number>();
    const pending = new Map(seen);
    const lines = lineEls.map((l, i) => {
      const where = `CreditMemoLine ${i + 1}`;
      const qty = Number(need(l, 'Quantity', where));
      const unit = Number(need(l, 'UnitSellingPrice', where));
      const description = need(l, 'Description', where);
      if (!(qty > 0) || !(unit < 0)) throw new SoapFault('Server', `${where}: Quantity must be positive and UnitSellingPrice negative.`, 'AR-CM-SIGN');
      const amount = milli(qty) * milli(unit) / 1000;
      const prevLine = childText(l, 'PreviousCustomerTrxLineId');
      let target: Record<string, unknown> | undefined;
      if (prevLine) {
        target = invoice.lines.find((x) => String(x['CustomerTransactionLineId']) === prevLine);
        if (!target) throw new SoapFault('Server', `${where}: the invoice line ${prevLine} doesn't belong to transaction ${invoice.TransactionNumber}.`, 'AR-CM-LINE');
        const lineId = Number(prevLine);
        const remaining = milli(target['Quantity']) * milli(target['UnitSellingPrice']) / 1000 - (pending.get(lineId) ?? 0);
        if (-amount > remaining + 0.5) throw new SoapFault('Server', `${where}: the credit amount exceeds the remaining balance of invoice line ${String(target['LineNumber'])}.`, 'AR-CM-OVERAPPLY');
        pending.set(lineId, (pending.get(lineId) ?? 0) - amount);
      }
      return { CustomerTransactionLineId: store.ids.id(), LineNumber: i + 1, LineDescription: description, LineQuantityCredit: qty, UnitSellingPrice: unit, LineAmount: amount / 1000, PreviousCustomerTrxLineId: target ? Number(prevLine) : null };
    });
    const invoiceTotal = invoice.lines.reduce((s, l) => s + (milli(l['Quantity']) * milli(l['UnitSellingPrice'])) / 1000, 0);
    const creditedBefore = store.creditMemos.filter((c) => c.fields['PreviousCustomerTrxId'] === invoice.CustomerTransactionId).reduce((s, c) => s - milli(c.fields['EnteredAmount']), 0);
    const total = lines.reduce((s, l) => s + Math.round(l.LineAmount * 1000), 0);
    if (creditedBefore - total > invoiceTotal + 0.5) throw new SoapFault('Server', `The credits would exceed the amount of transaction ${invoice.TransactionNumber}.`, 'AR-CM-OVERAPPLY');
    credited.set(invoice.CustomerTransactionId, pending);
    const stamp = store.ids.stamp();
    const memo: ArTransaction = {
      CustomerTransactionId: store.ids.id(),
      TransactionNumber: String(nextCm++),
      fields: {
        BusinessUnit: header['BusinessUnit'],
        TransactionSource: header['TransactionSource'],
        TransactionType: header['TransactionType'],
        TransactionDate: header['TrxDate'],
        AccountingDate: header['TrxDate'],
        CreditMemoCurrency: currency,
        BillToCustomerNumber: invoice.fields['BillToCustomerNumber'],
        BillToSite: invoice.fields['BillToSite'],
        CreditMemoComments: childText(cm, 'Comments') ?? null,
        CreditReason: childText(cm, 'CreditMemoReason') ?? null,
        PreviousCustomerTrxId: invoice.CustomerTransactionId,
        PreviousTransactionNumber: invoice.TransactionNumber,
        EnteredAmount: total / 1000,
        CreatedBy: 'MLC_INTEGRATION',
      },
      lines,
      distributions: [],
      CreationDate: stamp,
      LastUpdateDate: stamp,
    };
    store.creditMemos.push(memo);
    sandbox.written.invoiceCredits.push({ CustomerTransactionId: memo.CustomerTransactionId, TransactionNumber: memo.TransactionNumber, ...memo.fields, lines });
    return ok(
      `<ns0:createCreditMemoResponse xmlns:ns0="${CREDIT_MEMO_TYPES_NS}"><ns0:result xmlns:ns1="${CREDIT_MEMO_NS}">` +
        `<ns1:CustomerTrxId>${memo.CustomerTransactionId}</ns1:CustomerTrxId><ns1:TransactionNumber>${memo.TransactionNumber}</ns1:TransactionNumber>` +
        `<ns1:PreviousCustomerTrxId>${invoice.CustomerTransactionId}</ns1:PreviousCustomerTrxId><ns1:EnteredAmount>${total / 1000}</ns1:EnteredAmount>` +
        `<ns1:CurrencyCode>${escapeXml(currency)}</ns1:CurrencyCode></ns0:result></ns0:createCreditMemoResponse>`,
    );
  });

  const sitesHref = '/fscmRestApi/resources/11.13.18.05/customerAccountSitesLOV';
  const siteRows = (): CustomerSiteRow[] =>
    store.accounts.flatMap((a) =>
      a.billToSites.map((s) => ({
        SiteUseId: s.SiteUseId,
        CustomerAccountId: a.CustomerAccountId,
        AccountNumber: a.AccountNumber,
        AccountName: a.AccountName,
        PartyId: a.PartyId,
        PartyNumber: store.parties.find((p) => p.PartyId === a.PartyId)?.PartyNumber ?? null,
        PartySiteId: s.PartySiteId,
        SiteUseCode: 'BILL_TO',
        Location: s.SiteName,
      })),
    );
  sandbox.fusionRoute('GET', sitesHref, 'read', (req, ctx) => sandbox.collection(customerSiteDef, siteRows(), sandbox.url + sitesHref, req, ctx));
}
