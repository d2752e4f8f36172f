import type { SandboxRequest, SandboxResponse } from '@mlc/partners-sandbox-kit';
import type { ResourceDef } from './fusion-rest';
import type { ArTransaction, CustomerAccount } from './fusion-receivables';
import type { FusionSandbox } from './fusion.sandbox';
import { childText, childrenNamed, escapeXml, parseXml, XmlSyntaxError, type XmlElement } from '@mlc/partners-xml';
import { CREDIT_MEMO_NS, CUSTOMER_ACCOUNT_NS, SOAP_TYPES, type SoapType } from './fusion-soap.schema';

/**
 * The SOAP services the REST API cannot replace (oracle-fusion.md §7, §8), in SOAP 1.1 form, each request checked
 * element by element against Oracle's published service data objects (fusion-soap.schema.ts, sources there):
 * - CustomerAccountService.createCustomerAccount (`/crmService/CustomerAccountService`, the WSDL URL on Oracle's
 *   service page): a customer account for a party, with an account site on one of its party sites and its site use.
 * - CreditMemoService.createCreditMemo (`/fscmService/CreditMemoService`): a header-level credit memo against a
 *   completed invoice, crediting its line, tax and freight balances (LineAmount / TaxAmount / FreightAmount).
 * An element the schema does not have, or one in the wrong place, is refused the way a JAX-WS service refuses an
 * unexpected element: HTTP 500, `env:Fault` whose faultstring names the element and lists the expected ones.
 * Business errors are `env:Server` faults with an ADF `ServiceErrorMessage` detail.
 */

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Oracle's service page: "Service WSDL URL: https://servername/crmService/CustomerAccountService?WSDL". */
export const CUSTOMER_ACCOUNT_SERVICE_PATH = '/crmService/CustomerAccountService';
export const CUSTOMER_ACCOUNT_TYPES_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/applicationModule/types/';
export { CUSTOMER_ACCOUNT_NS, CREDIT_MEMO_NS };
/** Oracle's service page: "Service WSDL URL: https://servername/fscmService/CreditMemoService?WSDL". */
export const CREDIT_MEMO_SERVICE_PATH = '/fscmService/CreditMemoService';
export const CREDIT_MEMO_TYPES_NS = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/creditMemoService/types/';
const ADF_ERRORS_NS = 'http://xmlns.oracle.com/adf/svc/errors/';

/**
 * Switches for the SOAP facts Oracle does not publish (UNCONFIRMED), read from `sandbox.options.strict` at each
 * request; each default is the stricter reading.
 */
export interface SoapStrictSwitches {
  /**
   * faultcode of a schema refusal (unknown or misplaced element). A JAX-WS runtime reports an unmarshalling error as
   * a Server fault; default 'Server'. The client treats both as a permanent refusal.
   */
  soapSchemaFaultCode: 'Server' | 'Client';
  /**
   * Sign of createCreditMemo's LineAmount / TaxAmount / FreightAmount. Oracle's credit memo APIs (EBS
   * AR_CREDIT_MEMO_API_PUB, the REST credit memo's UnitSellingPrice) take credits as negative amounts; default
   * 'negative'. The connector follows FUSION_CREDIT_MEMO_AMOUNT_SIGN.
   */
  creditMemoAmountSign: 'negative' | 'positive';
  /**
   * Whether a TransactionNumber sent to createCreditMemo becomes the memo's number ('kept', a manually numbered
   * transaction source) or is replaced by the source's automatic number ('assigned'); default 'assigned', so the
   * connector cannot rely on finding a memo by the number it sent.
   */
  creditMemoNumbering: 'assigned' | 'kept';
  /**
   * Whether the SOAP services take an OAuth bearer token as REST does. Oracle's SOAP web services guide and samples
   * authenticate with a user and password (HTTP Basic / WS-Security UsernameToken); bearer tokens on the ERP SOAP
   * services are UNCONFIRMED. Default false: a Bearer header on SOAP is a 401, so a tenant whose REST auth is OAuth
   * needs the connection's `soapAuth` (Basic) for the credit memo and customer account services.
   */
  soapBearerAuth: boolean;
}

export const SOAP_STRICT_DEFAULTS: SoapStrictSwitches = {
  soapSchemaFaultCode: 'Server',
  creditMemoAmountSign: 'negative',
  creditMemoNumbering: 'assigned',
  soapBearerAuth: false,
};

/** The SOAP switches of a sandbox (its `options.strict` may carry them; the REST switches live beside them). */
export function soapSwitches(sandbox: FusionSandbox): SoapStrictSwitches {
  return { ...SOAP_STRICT_DEFAULTS, ...(sandbox.options.strict as Partial<SoapStrictSwitches>) };
}

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
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'text/xml') throw new SoapFault('Client', `The media type ${type || '(none)'} is not supported; SOAP 1.1 requests are text/xml`, 'HTTP-415');
  let root: XmlElement;
  try {
    root = parseXml(req.rawBody.toString('utf8'));
  } catch (err) {
    throw new SoapFault('Client', `The request is not well-formed XML: ${err instanceof XmlSyntaxError ? err.message : String(err)}`);
  }
  if (root.name !== 'Envelope' || root.ns !== SOAP_ENV) throw new SoapFault('Client', 'The request is not a SOAP 1.1 envelope');
  const body = childrenNamed(root, 'Body')[0];
  const op = body?.children[0];
  if (!body || !op) throw new SoapFault('Client', 'The SOAP Body holds no operation');
  if (!allowed.includes(op.name) || op.ns !== typesNs) throw new SoapFault('Client', `Unknown operation {${op.ns}}${op.name}`);
  return op;
}

/**
 * The SDO element inside an operation, checked recursively against its published type: every child must be one
 * the type lists, in the type's namespace, and complex children are checked against their own type.
 */
function sdo(op: XmlElement, typesNs: string, parameter: string, typeName: string, faultcode: 'Server' | 'Client'): XmlElement {
  const unexpected = (el: XmlElement, expected: string[], where: string) =>
    new SoapFault(
      faultcode,
      `unexpected element (uri:"${el.ns}", local:"${el.name}") in ${where}. Expected elements are ${expected.join(',')}`,
      'SOAP-UNMARSHAL',
    );
  const [param, extra] = op.children;
  if (!param) throw new SoapFault(faultcode, `${op.name} needs a ${parameter} element`, 'SOAP-UNMARSHAL');
  if (param.name !== parameter || param.ns !== typesNs) throw unexpected(param, [`<{${typesNs}}${parameter}>`], op.name);
  if (extra) throw unexpected(extra, [], op.name);
  const check = (el: XmlElement, type: SoapType, path: string) => {
    const expected = Object.keys(type.children).map((n) => `<{${type.ns}}${n}>`);
    for (const c of el.children) {
      if (!(c.name in type.children) || c.ns !== type.ns) throw unexpected(c, expected, path);
      const sub = type.children[c.name];
      if (sub) check(c, SOAP_TYPES[sub]!, `${path}/${c.name}`);
      else if (c.children.length) throw unexpected(c.children[0]!, [], `${path}/${c.name}`);
    }
    for (const r of type.required ?? []) {
      if (!childText(el, r) && !childrenNamed(el, r).length) throw new SoapFault('Server', `The attribute ${r} in ${type.name} is required.`, 'JBO-27014');
    }
  };
  check(param, SOAP_TYPES[typeName]!, `${op.name}/${parameter}`);
  return param;
}

function need(el: XmlElement, name: string, where: string): string {
  const v = childText(el, name);
  if (!v) throw new SoapFault('Server', `The attribute ${name} in ${where} is required.`, 'JBO-27014');
  return v;
}

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
/** Amounts in thousandths, so sums of decimal inputs stay exact for 0–3 decimal currencies. */
const milli = (v: unknown) => Math.round(Number(v) * 1000);
const decimal = (m: number) => String(m / 1000);

type Bucket = 'Line' | 'Tax' | 'Freight';
const BUCKETS: Bucket[] = ['Line', 'Tax', 'Freight'];

/** What an invoice bills per bucket, in thousandths: its lines; freight allocated on lines; tax the sandbox never computes. */
function invoiceBuckets(invoice: ArTransaction): Record<Bucket, number> {
  const line = invoice.lines.reduce((s, l) => s + (milli(l['Quantity']) * milli(l['UnitSellingPrice'])) / 1000, 0);
  const freight = invoice.lines.reduce((s, l) => s + milli(l['AllocatedFreightAmount'] ?? 0), 0);
  return { Line: line, Tax: 0, Freight: freight };
}

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
  attrs: {
    SiteUseId: 'number',
    CustomerAccountId: 'number',
    AccountNumber: 'string',
    AccountName: 'string',
    PartyId: 'number',
    PartyNumber: 'string',
    PartySiteId: 'number',
    SiteUseCode: 'string',
    Location: 'string',
  },
  key: (r) => String(r.SiteUseId),
  scalars: (r) => ({ ...r }),
};

/**
 * Sets a property tests and the sandbox read (which invoice, which invoice line a memo credits) but the REST views
 * do not render: they spread the enumerable fields only, and Oracle's REST credit memo does not name these.
 */
function hide<T extends Record<string, unknown>>(obj: T, name: string, value: unknown): T {
  Object.defineProperty(obj, name, { value, enumerable: false, writable: true, configurable: true });
  return obj;
}

/** Bookkeeping of createCreditMemo per invoice (not Fusion fields, so kept out of the REST rows). */
interface InvoiceCredit {
  credited: Record<Bucket, number>;
  /** Per invoice line (CustomerTransactionLineId): its share of the line credits so far, in thousandths. */
  lines: Map<number, number>;
}

const THREE_DECIMALS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const ZERO_DECIMALS = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
/** The currency's smallest unit in thousandths (ISO 4217 minor units). */
const minorStep = (currency: string) => (THREE_DECIMALS.has(currency) ? 1 : ZERO_DECIMALS.has(currency) ? 1000 : 10);

/**
 * A header-level line credit spread over the invoice's lines in proportion to what each billed (Oracle's prorate
 * credit method), each share rounded to the currency and never beyond what the line has left; what rounding or a
 * full line leaves over goes to the lines with room, in order. The same credits give the same shares in any order.
 */
function prorateLines(invoice: ArTransaction, amount: number, before: Map<number, number>, step: number): { line: Record<string, unknown>; share: number }[] {
  const rows = invoice.lines
    .map((l) => {
      const billed = (milli(l['Quantity']) * milli(l['UnitSellingPrice'])) / 1000;
      return { line: l, billed, left: billed - (before.get(Number(l['CustomerTransactionLineId'])) ?? 0), share: 0 };
    })
    .filter((x) => x.billed > 0);
  const total = rows.reduce((s, x) => s + x.billed, 0);
  for (const x of rows) x.share = Math.max(0, Math.min(x.left, Math.round((amount * x.billed) / total / step) * step));
  let rest = amount - rows.reduce((s, x) => s + x.share, 0);
  for (const x of rest > 0 ? rows : [...rows].reverse()) {
    const move = rest > 0 ? Math.min(rest, x.left - x.share) : Math.max(rest, -x.share);
    x.share += move;
    rest -= move;
  }
  return rows.filter((x) => x.share > 0).map(({ line, share }) => ({ line, share }));
}

/** Registers the two SOAP services and the customer-site read on the sandbox. */
export function registerSoapServices(sandbox: FusionSandbox): void {
  const store = sandbox.receivables;
  const credits = new Map<number, InvoiceCredit>(); // invoice id -> what the memos against it credited
  let nextCm = 5001;

  const soapRoute = (path: string, handler: (req: SandboxRequest) => SandboxResponse) =>
    sandbox.fusionRoute('POST', path, 'read', (req) => {
      // Credentials were checked by fusionRoute (a wrong user or password is a 401 there); a valid bearer token is
      // refused here unless the switch says SOAP takes tokens.
      if (/^Bearer\s/i.test(req.headers['authorization'] ?? '') && !soapSwitches(sandbox).soapBearerAuth) {
        return {
          status: 401,
          headers: { 'www-authenticate': 'Basic realm="fusion"', 'content-type': 'text/plain' },
          body: 'Authentication with a user name and password is required for this web service',
        };
      }
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
    const acc = sdo(op, CUSTOMER_ACCOUNT_TYPES_NS, 'customerAccount', 'CustomerAccount', soapSwitches(sandbox).soapSchemaFaultCode);
    const partyId = Number(need(acc, 'PartyId', 'CustomerAccount'));
    const modules = [
      acc,
      ...childrenNamed(acc, 'CustomerAccountSite'),
      ...childrenNamed(acc, 'CustomerAccountSite').flatMap((s) => childrenNamed(s, 'CustomerAccountSiteUse')),
    ];
    if (modules.some((m) => childText(m, 'CreatedByModule') !== 'HZ_WS'))
      throw new SoapFault('Server', 'The value of CreatedByModule must be HZ_WS.', 'HZ-CREATED_BY_MODULE');
    const party = store.parties.find((p) => p.PartyId === partyId);
    if (!party) throw new SoapFault('Server', `The party ${partyId} doesn't exist.`, 'HZ_API_INVALID_FK');
    const sites = childrenNamed(acc, 'CustomerAccountSite');
    if (sites.length > 1) throw new SoapFault('Server', 'The sandbox accepts one CustomerAccountSite per account.', 'SANDBOX-UNSUPPORTED');
    let partySiteId: number | undefined;
    let siteUse: string | undefined;
    if (sites[0]) {
      partySiteId = Number(need(sites[0], 'PartySiteId', 'CustomerAccountSite'));
      if (!party.Address.some((a) => a.PartySiteId === partySiteId))
        throw new SoapFault('Server', `The party site ${partySiteId} doesn't belong to party ${partyId}.`, 'HZ_API_INVALID_FK');
      const uses = childrenNamed(sites[0], 'CustomerAccountSiteUse');
      if (uses.length !== 1)
        throw new SoapFault('Server', 'The sandbox accepts exactly one CustomerAccountSiteUse per CustomerAccountSite.', 'SANDBOX-UNSUPPORTED');
      siteUse = need(uses[0]!, 'SiteUseCode', 'CustomerAccountSiteUse');
      if (siteUse !== 'BILL_TO' && siteUse !== 'SHIP_TO')
        throw new SoapFault('Server', `The value ${siteUse} of SiteUseCode is not valid.`, 'HZ_API_INVALID_LOOKUP');
    }
    const name = childText(acc, 'AccountName') || String(party.fields['OrganizationName'] ?? party.PartyNumber);
    const account: CustomerAccount = store.createAccount(partyId, name, siteUse === 'BILL_TO' ? partySiteId : undefined);
    (account as CustomerAccount & { LastUpdateDate?: string }).LastUpdateDate = store.ids.stamp();
    const site = account.billToSites[0];
    sandbox.written.customerAccounts.push({
      CustomerAccountId: account.CustomerAccountId,
      AccountNumber: account.AccountNumber,
      PartyId: partyId,
      AccountName: name,
      billToSites: account.billToSites,
    });
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
    const switches = soapSwitches(sandbox);
    const op = operation(req, CREDIT_MEMO_TYPES_NS, ['createCreditMemo']);
    const cm = sdo(op, CREDIT_MEMO_TYPES_NS, 'creditMemo', 'CreditMemo', switches.soapSchemaFaultCode);
    const prevId = need(cm, 'PreviousCustomerTransactionId', 'CreditMemo');
    const invoice: ArTransaction | undefined = store.invoices.find((i) => String(i.CustomerTransactionId) === prevId);
    if (!invoice) throw new SoapFault('Server', `The transaction ${prevId} to credit doesn't exist.`, 'AR-CM-NO_INVOICE');
    if (invoice.fields['InvoiceStatus'] !== 'Complete')
      throw new SoapFault('Server', `The transaction ${invoice.TransactionNumber} is not complete and can't be credited.`, 'AR-CM-INCOMPLETE');
    const currency = String(invoice.fields['InvoiceCurrencyCode'] ?? 'USD');
    const sentCurrency = childText(cm, 'CurrencyCode');
    if (sentCurrency && sentCurrency !== currency)
      throw new SoapFault('Server', `The credit memo currency ${sentCurrency} differs from the invoice currency ${currency}.`, 'AR-CM-CURRENCY');
    for (const d of ['TransactionDate', 'GlDate']) {
      const v = childText(cm, d);
      if (v !== undefined && !isDate(v)) throw new SoapFault('Server', `The value ${v} of ${d} is not a valid date (yyyy-MM-dd).`, 'JBO-27018');
    }
    // Per bucket: an amount (AmountType: decimal with an optional currencyCode attribute) or a percentage of what
    // the invoice billed in that bucket, never both; at least one bucket credited.
    const billed = invoiceBuckets(invoice);
    const sign = switches.creditMemoAmountSign === 'negative' ? -1 : 1;
    const credit: Record<Bucket, number> = { Line: 0, Tax: 0, Freight: 0 };
    for (const b of BUCKETS) {
      const amountEl = childrenNamed(cm, `${b}Amount`)[0];
      const percent = childText(cm, `${b}Percent`);
      if (amountEl && percent !== undefined) throw new SoapFault('Server', `Enter either ${b}Amount or ${b}Percent, not both.`, 'AR-CM-AMOUNT_AND_PERCENT');
      if (amountEl) {
        const text = amountEl.text.trim();
        if (!/^-?\d+(\.\d+)?$/.test(text)) throw new SoapFault('Server', `The value ${text} of ${b}Amount is not a number.`, 'JBO-27018');
        const cc = amountEl.attrs['currencyCode'];
        if (cc !== undefined && cc !== currency)
          throw new SoapFault('Server', `The currency ${cc} of ${b}Amount differs from the invoice currency ${currency}.`, 'AR-CM-CURRENCY');
        const m = milli(text);
        if (m % minorStep(currency))
          throw new SoapFault('Server', `The value ${text} of ${b}Amount has more decimals than ${currency} allows.`, 'AR-CM-PRECISION');
        if (m !== 0 && Math.sign(m) !== sign) {
          throw new SoapFault('Server', `${b}Amount must be ${switches.creditMemoAmountSign} for a credit memo.`, 'AR-CM-SIGN');
        }
        credit[b] = Math.abs(m);
      } else if (percent !== undefined) {
        const pct = Number(percent);
        if (!(pct > 0 && pct <= 100)) throw new SoapFault('Server', `The value ${percent} of ${b}Percent must be above 0 and at most 100.`, 'AR-CM-PERCENT');
        credit[b] = Math.round((billed[b] * pct) / 100);
      }
    }
    const total = credit.Line + credit.Tax + credit.Freight;
    if (total === 0) throw new SoapFault('Server', 'Enter a line, tax or freight amount (or percentage) to credit.', 'AR-CM-NO_AMOUNT');
    // Never more than the invoice's balance, bucket by bucket, counting every memo already against it.
    const previous = credits.get(invoice.CustomerTransactionId);
    const before = previous?.credited ?? { Line: 0, Tax: 0, Freight: 0 };
    for (const b of BUCKETS) {
      const remaining = billed[b] - before[b];
      if (credit[b] > remaining) {
        throw new SoapFault(
          'Server',
          `The ${b.toLowerCase()} amount to credit, ${decimal(credit[b])}, exceeds the ${b.toLowerCase()} balance ${decimal(Math.max(remaining, 0))} of transaction ${invoice.TransactionNumber}.`,
          'AR-CM-OVERAPPLY',
        );
      }
    }
    const sentNumber = childText(cm, 'TransactionNumber');
    let number = String(nextCm++);
    if (sentNumber && switches.creditMemoNumbering === 'kept') {
      if (store.creditMemos.some((c) => c.TransactionNumber === sentNumber) || store.invoices.some((i) => i.TransactionNumber === sentNumber)) {
        throw new SoapFault('Server', `The transaction number ${sentNumber} already exists.`, 'AR-CM-DUPLICATE_NUMBER');
      }
      number = sentNumber;
    }
    const lineShares = credit.Line ? prorateLines(invoice, credit.Line, previous?.lines ?? new Map(), minorStep(currency)) : [];
    const lineCredits = new Map(previous?.lines ?? []);
    for (const { line, share } of lineShares)
      lineCredits.set(Number(line['CustomerTransactionLineId']), (lineCredits.get(Number(line['CustomerTransactionLineId'])) ?? 0) + share);
    credits.set(invoice.CustomerTransactionId, {
      credited: { Line: before.Line + credit.Line, Tax: before.Tax + credit.Tax, Freight: before.Freight + credit.Freight },
      lines: lineCredits,
    });
    const stamp = store.ids.stamp();
    const date = childText(cm, 'TransactionDate') ?? stamp.slice(0, 10);
    const memo: ArTransaction = {
      CustomerTransactionId: store.ids.id(),
      TransactionNumber: number,
      fields: {
        BusinessUnit: invoice.fields['BusinessUnit'],
        TransactionSource: invoice.fields['TransactionSource'],
        TransactionType: 'Credit Memo',
        TransactionDate: date,
        AccountingDate: childText(cm, 'GlDate') ?? date,
        CreditMemoCurrency: currency,
        BillToCustomerNumber: invoice.fields['BillToCustomerNumber'],
        BillToSite: invoice.fields['BillToSite'],
        CreditMemoComments: childText(cm, 'Comments') ?? null,
        CreditReason: childText(cm, 'ReasonCode') ?? null,
        EnteredAmount: -total / 1000,
        CreatedBy: 'MLC_INTEGRATION',
      },
      lines: lineShares.map(({ line, share }, i) =>
        hide(
          {
            CustomerTransactionLineId: store.ids.id(),
            LineNumber: i + 1,
            LineDescription: line['Description'],
            LineQuantityCredit: 1,
            UnitSellingPrice: -share / 1000,
            LineAmountCredit: -share / 1000,
          },
          'PreviousCustomerTrxLineId',
          line['CustomerTransactionLineId'],
        ),
      ),
      distributions: [],
      CreationDate: stamp,
      LastUpdateDate: stamp,
    };
    if (credit.Freight) memo.fields['FreightCreditAmount'] = -credit.Freight / 1000;
    hide(memo.fields, 'PreviousCustomerTrxId', invoice.CustomerTransactionId);
    store.creditMemos.push(memo);
    sandbox.written.invoiceCredits.push({
      CustomerTransactionId: memo.CustomerTransactionId,
      TransactionNumber: memo.TransactionNumber,
      ...memo.fields,
      PreviousCustomerTransactionId: invoice.CustomerTransactionId,
      SentTransactionNumber: sentNumber ?? null,
      LineAmount: credit.Line ? -credit.Line / 1000 : 0,
      TaxAmount: credit.Tax ? -credit.Tax / 1000 : 0,
      FreightAmount: credit.Freight ? -credit.Freight / 1000 : 0,
    });
    const amount = (b: Bucket) => (credit[b] ? `<ns1:${b}Amount currencyCode="${escapeXml(currency)}">${decimal(sign * credit[b])}</ns1:${b}Amount>` : '');
    return ok(
      `<ns0:createCreditMemoResponse xmlns:ns0="${CREDIT_MEMO_TYPES_NS}"><ns0:result xmlns:ns1="${CREDIT_MEMO_NS}"><ns1:Value>` +
        `<ns1:CustomerTransactionId>${memo.CustomerTransactionId}</ns1:CustomerTransactionId><ns1:TransactionNumber>${escapeXml(memo.TransactionNumber)}</ns1:TransactionNumber>` +
        `<ns1:PreviousCustomerTransactionId>${invoice.CustomerTransactionId}</ns1:PreviousCustomerTransactionId><ns1:TransactionDate>${date}</ns1:TransactionDate>` +
        `<ns1:CurrencyCode>${escapeXml(currency)}</ns1:CurrencyCode>${amount('Line')}${amount('Tax')}${amount('Freight')}</ns1:Value></ns0:result></ns0:createCreditMemoResponse>`,
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
