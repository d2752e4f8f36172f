import { AppError } from '@mlc/platform-errors';
import { FusionBadResponseError, FusionRejectedError } from './fusion.errors';
import type { FusionClient } from './fusion.client';
import { childText, childrenNamed, escapeXml, find, parseXml, type XmlElement } from '@mlc/partners-xml';

/**
 * The two Fusion SOAP services REST cannot replace (oracle-fusion.md §7, §8): creating a customer account with its
 * BILL_TO site, and a credit memo against a specific invoice. SOAP 1.1 envelopes; business failures come back as
 * SOAP faults (HTTP 500) and are thrown as FusionRejectedError (`details.fault`), never retried.
 */
export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Endpoint per [S25] (not confirmed by Oracle). */
export const CUSTOMER_ACCOUNT_SERVICE_PATH = '/foundationParties/CustomerAccountService';
const CUSTOMER_ACCOUNT_TYPES_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/applicationModule/types/';
const CUSTOMER_ACCOUNT_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/';
const CUSTOMER_SITE_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/custAccountSiteService/';
export const CREDIT_MEMO_SERVICE_PATH = '/fscmService/CreditMemoService';
const CREDIT_MEMO_TYPES_NS = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/creditMemoService/types/';
const CREDIT_MEMO_NS = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/creditMemoService/';

export interface SoapFaultInfo {
  faultcode: string;
  faultstring: string;
  /** ADF ServiceErrorMessage code when present (JBO-…, HZ_…). */
  code?: string;
}

/** The fault of a SOAP answer, if it is one. */
export function parseSoapFault(xml: string): SoapFaultInfo | undefined {
  if (!/Fault>/.test(xml)) return undefined;
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    return undefined;
  }
  const fault = find(root, 'Fault');
  if (!fault) return undefined;
  const detail = find(fault, 'ServiceErrorMessage');
  return { faultcode: childText(fault, 'faultcode') ?? '', faultstring: childText(fault, 'faultstring') ?? '', ...(detail && childText(detail, 'code') ? { code: childText(detail, 'code') } : {}) };
}

function envelope(prefixes: Record<string, string>, body: string): string {
  const ns = Object.entries(prefixes)
    .map(([p, uri]) => ` xmlns:${p}="${uri}"`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENV}"${ns}><soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

const el = (name: string, value: string | number | undefined | null): string => (value === undefined || value === null || value === '' ? '' : `<${name}>${escapeXml(String(value))}</${name}>`);

async function call(client: FusionClient, path: string, operation: string, xml: string): Promise<XmlElement> {
  let text: string;
  try {
    text = await client.postSoap(path, xml);
  } catch (err) {
    const body = err instanceof AppError ? err.details['body'] : undefined;
    const fault = typeof body === 'string' ? parseSoapFault(body) : undefined;
    if (fault) {
      throw new FusionRejectedError(`${operation} refused: ${fault.faultstring}`, { cause: err, details: { operation, fault } });
    }
    throw err;
  }
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    throw new FusionBadResponseError(`${operation}: the answer is not XML`, { cause: err, details: { operation, bodyStart: text.slice(0, 200) } });
  }
  const fault = parseSoapFault(text);
  if (fault) throw new FusionRejectedError(`${operation} refused: ${fault.faultstring}`, { details: { operation, fault } });
  const result = find(root, 'result');
  if (!result) throw new FusionBadResponseError(`${operation}: no result in the answer`, { details: { operation, bodyStart: text.slice(0, 200) } });
  return result;
}

export interface CustomerAccountInput {
  partyId: number;
  accountName: string;
  /** The party site that becomes the account site with a BILL_TO use. */
  partySiteId: number;
}

export interface FusionCustomerAccountCreated {
  customerAccountId: number;
  accountNumber: string;
  partyId: number;
  billTo: { siteUseId: number; partySiteId: number; location: string } | null;
}

/** CustomerAccountService.createCustomerAccount: account + account site + BILL_TO site use for a party (HZ_WS). */
export async function createCustomerAccount(client: FusionClient, input: CustomerAccountInput): Promise<FusionCustomerAccountCreated> {
  const xml = envelope(
    { typ: CUSTOMER_ACCOUNT_TYPES_NS, cus: CUSTOMER_ACCOUNT_NS, site: CUSTOMER_SITE_NS },
    `<typ:createCustomerAccount><typ:customerAccount>${el('cus:PartyId', input.partyId)}${el('cus:AccountName', input.accountName.slice(0, 240))}` +
      `<cus:CustomerType>R</cus:CustomerType><cus:CreatedByModule>HZ_WS</cus:CreatedByModule>` +
      `<cus:CustomerAccountSite>${el('site:PartySiteId', input.partySiteId)}<site:CreatedByModule>HZ_WS</site:CreatedByModule>` +
      `<site:CustomerAccountSiteUse><site:SiteUseCode>BILL_TO</site:SiteUseCode><site:CreatedByModule>HZ_WS</site:CreatedByModule></site:CustomerAccountSiteUse>` +
      `</cus:CustomerAccountSite></typ:customerAccount></typ:createCustomerAccount>`,
  );
  const result = await call(client, CUSTOMER_ACCOUNT_SERVICE_PATH, 'createCustomerAccount', xml);
  const value = childrenNamed(result, 'Value')[0] ?? result;
  const site = childrenNamed(value, 'CustomerAccountSite')[0];
  const use = site ? childrenNamed(site, 'CustomerAccountSiteUse').find((u) => childText(u, 'SiteUseCode') === 'BILL_TO') : undefined;
  const accountNumber = childText(value, 'AccountNumber');
  if (!accountNumber) throw new FusionBadResponseError('createCustomerAccount: no AccountNumber in the answer');
  return {
    customerAccountId: Number(childText(value, 'CustomerAccountId')),
    accountNumber,
    partyId: Number(childText(value, 'PartyId') ?? input.partyId),
    billTo: use && site ? { siteUseId: Number(childText(use, 'SiteUseId')), partySiteId: Number(childText(site, 'PartySiteId')), location: childText(use, 'Location') ?? '' } : null,
  };
}

export interface InvoiceCreditMemoInput {
  businessUnit: string;
  transactionSource: string;
  transactionType: string;
  /** yyyy-MM-dd */
  trxDate: string;
  currencyCode: string;
  /** The invoice credited (CustomerTransactionId). */
  previousCustomerTrxId: number;
  /** Where the connector records what the memo is for; searched before creating (receivablesCreditMemos CreditMemoComments). */
  comments: string;
  reason?: string;
  lines: {
    description: string;
    /** Positive decimal string. */
    quantity: string;
    /** Negative decimal string. */
    unitSellingPrice: string;
    /** The invoice line credited (CustomerTransactionLineId); absent: credited against the invoice as a whole. */
    previousCustomerTrxLineId?: number;
  }[];
}

export interface FusionCreditMemoCreated {
  customerTrxId: number;
  transactionNumber: string;
  enteredAmount: string | null;
}

/** CreditMemoService.createCreditMemo: a credit memo applied to a specific (complete) invoice, line by line. */
export async function createInvoiceCreditMemo(client: FusionClient, input: InvoiceCreditMemoInput): Promise<FusionCreditMemoCreated> {
  if (!input.lines.length) throw new FusionRejectedError('a credit memo needs at least one line');
  const lines = input.lines
    .map(
      (l) =>
        `<cre:CreditMemoLine>${el('cre:PreviousCustomerTrxLineId', l.previousCustomerTrxLineId)}${el('cre:Description', l.description.slice(0, 240))}` +
        `${el('cre:Quantity', l.quantity)}${el('cre:UnitSellingPrice', l.unitSellingPrice)}</cre:CreditMemoLine>`,
    )
    .join('');
  const xml = envelope(
    { typ: CREDIT_MEMO_TYPES_NS, cre: CREDIT_MEMO_NS },
    `<typ:createCreditMemo><typ:creditMemo>${el('cre:BusinessUnit', input.businessUnit)}${el('cre:TransactionSource', input.transactionSource)}` +
      `${el('cre:TransactionType', input.transactionType)}${el('cre:TrxDate', input.trxDate)}${el('cre:CurrencyCode', input.currencyCode)}` +
      `${el('cre:PreviousCustomerTrxId', input.previousCustomerTrxId)}${el('cre:CreditMemoReason', input.reason)}${el('cre:Comments', input.comments)}${lines}` +
      `</typ:creditMemo></typ:createCreditMemo>`,
  );
  const result = await call(client, CREDIT_MEMO_SERVICE_PATH, 'createCreditMemo', xml);
  const number = childText(result, 'TransactionNumber');
  if (!number) throw new FusionBadResponseError('createCreditMemo: no TransactionNumber in the answer');
  return { customerTrxId: Number(childText(result, 'CustomerTrxId')), transactionNumber: number, enteredAmount: childText(result, 'EnteredAmount') ?? null };
}
