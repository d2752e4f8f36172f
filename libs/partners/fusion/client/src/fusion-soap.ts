import { AppError } from '@mlc/platform-errors';
import { FusionBadResponseError, FusionRejectedError } from './fusion.errors';
import type { FusionClient } from './fusion.client';
import { childText, childrenNamed, escapeXml, find, parseXml, type XmlElement } from '@mlc/partners-xml';

/**
 * The two Fusion SOAP services REST cannot replace (oracle-fusion.md §7, §8): creating a customer account with its
 * BILL_TO site, and a credit memo against a specific invoice. SOAP 1.1 envelopes built only from elements of
 * Oracle's published service data objects (the sandbox's fusion-soap.schema.ts lists them with their pages);
 * business failures come back as SOAP faults (HTTP 500) and are thrown as FusionRejectedError (`details.fault`),
 * never retried.
 */
export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
/** "Service WSDL URL: https://servername/crmService/CustomerAccountService?WSDL" (Oracle's service page). */
export const CUSTOMER_ACCOUNT_SERVICE_PATH = '/crmService/CustomerAccountService';
const CUSTOMER_ACCOUNT_TYPES_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/applicationModule/types/';
const CUSTOMER_ACCOUNT_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/';
/** "Service WSDL URL: https://servername/fscmService/CreditMemoService?WSDL" (Oracle's service page). */
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
  return {
    faultcode: childText(fault, 'faultcode') ?? '',
    faultstring: childText(fault, 'faultstring') ?? '',
    ...(detail && childText(detail, 'code') ? { code: childText(detail, 'code') } : {}),
  };
}

function envelope(prefixes: Record<string, string>, body: string): string {
  const ns = Object.entries(prefixes)
    .map(([p, uri]) => ` xmlns:${p}="${uri}"`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENV}"${ns}><soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

const el = (name: string, value: string | number | undefined | null): string =>
  value === undefined || value === null || value === '' ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;

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
  partyId: number | string;
  accountName: string;
  /** The party site that becomes the account site with a BILL_TO use. */
  partySiteId: number | string;
}

export interface FusionCustomerAccountCreated {
  /** Ids as Oracle wrote them (digits, possibly beyond 2^53): strings. */
  customerAccountId: string;
  accountNumber: string;
  partyId: string;
  billTo: { siteUseId: string; partySiteId: string; location: string } | null;
}

/**
 * CustomerAccountService.createCustomerAccount: account + account site + BILL_TO site use for a party, all in the
 * customerAccountService namespace as in Oracle's samples, each created by module HZ_WS.
 */
export async function createCustomerAccount(client: FusionClient, input: CustomerAccountInput): Promise<FusionCustomerAccountCreated> {
  const xml = envelope(
    { typ: CUSTOMER_ACCOUNT_TYPES_NS, cus: CUSTOMER_ACCOUNT_NS },
    `<typ:createCustomerAccount><typ:customerAccount>${el('cus:PartyId', input.partyId)}${el('cus:AccountName', input.accountName.slice(0, 240))}` +
      `<cus:CreatedByModule>HZ_WS</cus:CreatedByModule>` +
      `<cus:CustomerAccountSite>${el('cus:PartySiteId', input.partySiteId)}<cus:CreatedByModule>HZ_WS</cus:CreatedByModule>` +
      `<cus:CustomerAccountSiteUse><cus:SiteUseCode>BILL_TO</cus:SiteUseCode><cus:CreatedByModule>HZ_WS</cus:CreatedByModule></cus:CustomerAccountSiteUse>` +
      `</cus:CustomerAccountSite></typ:customerAccount></typ:createCustomerAccount>`,
  );
  const result = await call(client, CUSTOMER_ACCOUNT_SERVICE_PATH, 'createCustomerAccount', xml);
  const value = childrenNamed(result, 'Value')[0] ?? result;
  const site = childrenNamed(value, 'CustomerAccountSite')[0];
  const use = site ? childrenNamed(site, 'CustomerAccountSiteUse').find((u) => childText(u, 'SiteUseCode') === 'BILL_TO') : undefined;
  const accountNumber = childText(value, 'AccountNumber');
  if (!accountNumber) throw new FusionBadResponseError('createCustomerAccount: no AccountNumber in the answer');
  return {
    customerAccountId: childText(value, 'CustomerAccountId') ?? '',
    accountNumber,
    partyId: childText(value, 'PartyId') ?? String(input.partyId),
    billTo:
      use && site
        ? { siteUseId: childText(use, 'SiteUseId') ?? '', partySiteId: childText(site, 'PartySiteId') ?? '', location: childText(use, 'Location') ?? '' }
        : null,
  };
}

/** Sign of createCreditMemo amounts (UNCONFIRMED: Oracle's credit memo APIs take credits as negative amounts). */
export type CreditMemoAmountSign = 'negative' | 'positive';

export interface InvoiceCreditMemoInput {
  /** The invoice credited (its CustomerTransactionId). */
  previousCustomerTransactionId: number | string;
  currencyCode: string;
  /** yyyy-MM-dd */
  transactionDate: string;
  /** Positive decimal strings: what is credited from the invoice's line, tax and freight balances. */
  lineAmount?: string;
  taxAmount?: string;
  freightAmount?: string;
  /** How the amounts are written (FUSION_CREDIT_MEMO_AMOUNT_SIGN); default negative. */
  amountSign?: CreditMemoAmountSign;
  /** The connector's deterministic number for this memo (kept by a manually numbered source, else replaced). */
  transactionNumber?: string;
  /** Readable note of what the memo is for (Comments). */
  comments?: string;
  /** A credit memo reason lookup code (ReasonCode). */
  reasonCode?: string;
}

export interface FusionCreditMemoCreated {
  customerTransactionId: string;
  transactionNumber: string;
}

const signed = (amount: string, sign: CreditMemoAmountSign): string => {
  if (!/^\d+(\.\d+)?$/.test(amount)) throw new FusionRejectedError(`credit memo amounts are positive decimals, got ${amount}`);
  return sign === 'negative' && !/^0+(\.0+)?$/.test(amount) ? `-${amount}` : amount;
};

/**
 * CreditMemoService.createCreditMemo: a header-level credit memo against a completed invoice (the published
 * CreditMemo object has no lines): LineAmount / TaxAmount / FreightAmount credit the invoice's balances, each an
 * ADF AmountType with its currencyCode attribute.
 */
export async function createInvoiceCreditMemo(client: FusionClient, input: InvoiceCreditMemoInput): Promise<FusionCreditMemoCreated> {
  const sign = input.amountSign ?? 'negative';
  const amount = (name: string, v: string | undefined) =>
    v === undefined ? '' : `<cre:${name} currencyCode="${escapeXml(input.currencyCode)}">${signed(v, sign)}</cre:${name}>`;
  if (input.lineAmount === undefined && input.taxAmount === undefined && input.freightAmount === undefined) {
    throw new FusionRejectedError('a credit memo needs a line, tax or freight amount');
  }
  // Elements in the order of the published CreditMemo object.
  const xml = envelope(
    { typ: CREDIT_MEMO_TYPES_NS, cre: CREDIT_MEMO_NS },
    `<typ:createCreditMemo><typ:creditMemo>${el('cre:Comments', input.comments?.slice(0, 240))}${el('cre:CurrencyCode', input.currencyCode)}` +
      `${amount('FreightAmount', input.freightAmount)}${amount('LineAmount', input.lineAmount)}` +
      `${el('cre:PreviousCustomerTransactionId', input.previousCustomerTransactionId)}${el('cre:ReasonCode', input.reasonCode)}` +
      `${amount('TaxAmount', input.taxAmount)}${el('cre:TransactionDate', input.transactionDate)}${el('cre:TransactionNumber', input.transactionNumber)}` +
      `</typ:creditMemo></typ:createCreditMemo>`,
  );
  const result = await call(client, CREDIT_MEMO_SERVICE_PATH, 'createCreditMemo', xml);
  const number = childText(find(result, 'Value') ?? result, 'TransactionNumber');
  const id = childText(find(result, 'Value') ?? result, 'CustomerTransactionId');
  if (!number || !id) throw new FusionBadResponseError('createCreditMemo: no CustomerTransactionId or TransactionNumber in the answer');
  return { customerTransactionId: id, transactionNumber: number };
}
