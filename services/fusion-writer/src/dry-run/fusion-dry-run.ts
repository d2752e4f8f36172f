import { jsonAnswer, type DryRunResponder, type WouldBeWrite } from '@mlc/tenancy';

/** Ids of stand-in answers: far above real Fusion ids, so a look-up by one finds nothing. */
const standInId = (seq: number): number => 900_000_000_000 + seq;
const standInNumber = (seq: number): string => `DRYRUN-${seq}`;

const parse = (body: string | null): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(body ?? '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/**
 * Stand-in answers for the Fusion writes a receivables command makes before its last one, so that a dry run goes on
 * from a new customer (party, then account over SOAP) to its invoice and the invoice's completion, and records each:
 * the party and invoice creates are answered with their own body plus stand-in ids (`DRYRUN-<n>`), PATCHes with their
 * body, createCustomerAccount with an account and BILL_TO site. Anything else (credit memos, deletes, receipts, PO
 * actions) stops the use case at that write, which is recorded.
 */
export const fusionStandIns: DryRunResponder = (w, seq) => {
  const path = w.path.split('?')[0]!;
  if (w.method === 'POST' && /\/(hubOrganizations|hubPersons)$/.test(path)) {
    const b = parse(w.body);
    const address = Array.isArray(b['Address']) ? (b['Address'] as Array<Record<string, unknown>>) : [];
    return jsonAnswer(201, {
      ...b,
      PartyId: standInId(seq),
      PartyNumber: standInNumber(seq),
      Address: address.map((a, i) => ({ ...a, AddressId: standInId(seq * 10 + i), PartySiteId: standInId(seq * 10 + i), AddressType: 'BILL_TO' })),
    });
  }
  if (w.method === 'POST' && /\/receivablesInvoices$/.test(path)) {
    return jsonAnswer(201, { ...parse(w.body), CustomerTransactionId: standInId(seq), TransactionNumber: standInNumber(seq), InvoiceStatus: 'Incomplete' });
  }
  if (w.method === 'PATCH') {
    const id = /\/receivablesInvoices\/(\d+)$/.exec(path)?.[1];
    return jsonAnswer(200, { ...parse(w.body), ...(id ? { CustomerTransactionId: Number(id), TransactionNumber: standInNumber(seq) } : {}) });
  }
  if (w.method === 'POST' && w.body?.includes('createCustomerAccount>')) {
    const partyId = /PartyId>(\d+)</.exec(w.body)?.[1] ?? '0';
    const partySiteId = /PartySiteId>(\d+)</.exec(w.body)?.[1] ?? '0';
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><createCustomerAccountResponse><result><Value>' +
      `<CustomerAccountId>${standInId(seq)}</CustomerAccountId><AccountNumber>${standInNumber(seq)}</AccountNumber><PartyId>${partyId}</PartyId>` +
      `<CustomerAccountSite><PartySiteId>${partySiteId}</PartySiteId><CustomerAccountSiteUse><SiteUseCode>BILL_TO</SiteUseCode><SiteUseId>${standInId(seq)}</SiteUseId><Location>${standInNumber(seq)}</Location></CustomerAccountSiteUse></CustomerAccountSite>` +
      '</Value></result></createCustomerAccountResponse></env:Body></env:Envelope>';
    return new Response(xml, { status: 200, headers: { 'content-type': 'text/xml' } });
  }
  return undefined;
};

/** A readable name for a would-be Fusion write, from its method, path and (SOAP) operation. */
export function fusionOperation(w: WouldBeWrite): string {
  const path = w.path.split('?')[0]!;
  const soap = /<(?:\w+:)?(create\w+|update\w+|delete\w+|merge\w+)>/.exec(w.body ?? '')?.[1];
  if (soap) return soap.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const action = /\/(\w+)\/[^/]+(?:\/child\/\w+\/[^/]+)?\/action\/(\w+)$/.exec(path);
  if (action) return `${action[2]!}-${action[1] === 'purchaseOrders' ? 'purchase-order' : action[1]!}`;
  const known: Array<[string, RegExp, string]> = [
    ['POST', /\/receivablesInvoices$/, 'create-invoice'],
    ['PATCH', /\/receivablesInvoices\/[^/]+$/, 'complete-invoice'],
    ['DELETE', /\/receivablesInvoices\/[^/]+$/, 'delete-invoice'],
    ['POST', /\/receivablesCreditMemos$/, 'create-credit-memo'],
    ['POST', /\/hubOrganizations$/, 'create-organization'],
    ['POST', /\/hubPersons$/, 'create-person'],
    ['PATCH', /\/(hubOrganizations|hubPersons)\//, 'update-customer'],
    ['POST', /\/receivingReceiptRequests$/, 'create-receipt-request'],
    ['PATCH', /\/draftPurchaseOrders\//, 'update-purchase-order'],
  ];
  const hit = known.find(([m, re]) => m === w.method && re.test(path));
  if (hit) return hit[2];
  return `${w.method.toLowerCase()}-${
    path
      .split('/')
      .filter((x) => /^[A-Za-z]\w*$/.test(x))
      .at(-1) ?? 'resource'
  }`;
}
