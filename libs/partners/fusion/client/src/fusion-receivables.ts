import type { FusionClient } from './fusion.client';

/**
 * REST reads fusion-writer needs around receivables (beside FusionClient's own): customer bill-to sites of a party,
 * an invoice with its lines by CrossReference, credit memos by their comments. Plain records, children as arrays.
 */
const FSCM = '/fscmRestApi/resources/11.13.18.05';

type Row = Record<string, unknown>;

function rows(value: unknown): Row[] {
  if (Array.isArray(value)) return value as Row[];
  if (value && typeof value === 'object' && Array.isArray((value as Row)['items'])) return (value as { items: Row[] }).items;
  return [];
}

const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;

export interface FusionCustomerSite {
  SiteUseId: string;
  CustomerAccountId: string;
  AccountNumber: string;
  PartyId: string;
  PartySiteId: string;
  SiteUseCode: string;
  /** The site name an invoice's BillToSite takes. */
  Location: string;
  [field: string]: unknown;
}

/** Bill-to sites of a party's customer accounts (`customerAccountSitesLOV`; attribute names UNCONFIRMED, reference §8). */
export async function findBillToSites(client: FusionClient, by: { partyId: number | string } | { accountNumber: string }): Promise<FusionCustomerSite[]> {
  const q = 'partyId' in by ? `PartyId=${by.partyId} and SiteUseCode='BILL_TO'` : `AccountNumber=${lit(by.accountNumber)} and SiteUseCode='BILL_TO'`;
  const page = await client.getJson(`${FSCM}/customerAccountSitesLOV`, { q, onlyData: true, limit: 50 });
  return rows(page) as FusionCustomerSite[];
}

export interface FusionInvoiceWithLines {
  CustomerTransactionId: string;
  TransactionNumber: string;
  InvoiceStatus?: string;
  CrossReference?: string;
  BillToCustomerNumber?: string;
  InvoiceCurrencyCode?: string;
  lines: { CustomerTransactionLineId: string; LineNumber: number; Quantity?: string; UnitSellingPrice?: string; Description?: string; [f: string]: unknown }[];
  [field: string]: unknown;
}

/** Invoices whose CrossReference equals `crossReference` (the connector's "look it up before creating"), with lines. */
export async function findInvoicesWithLines(client: FusionClient, crossReference: string): Promise<FusionInvoiceWithLines[]> {
  const page = await client.getJson(`${FSCM}/receivablesInvoices`, {
    q: `CrossReference=${lit(crossReference)}`,
    expand: 'receivablesInvoiceLines',
    onlyData: true,
    limit: 25,
  });
  return rows(page).map((r) => {
    const { receivablesInvoiceLines, ...rest } = r;
    return { ...(rest as FusionInvoiceWithLines), lines: rows(receivablesInvoiceLines) as FusionInvoiceWithLines['lines'] };
  });
}

export interface FusionCreditMemoRow {
  CustomerTransactionId: string;
  TransactionNumber: string;
  CreditMemoComments?: string;
  EnteredAmount?: string;
  [field: string]: unknown;
}

/** Documented queryable keys of receivablesCreditMemos that narrow a look-up (issue 15 / reference §7). */
export interface CreditMemoLookupKeys {
  billToCustomerNumber?: string;
  /** yyyy-MM-dd */
  transactionDate?: string;
}

/**
 * Credit memos whose CreditMemoComments equal `comments` (how the connector finds a memo it created before). Fusion
 * does not document CreditMemoComments as queryable, so the query uses only documented keys (BillToCustomerNumber,
 * TransactionDate) and the comments are compared here; without keys it pages through the collection. Nothing here
 * can be refused for an unqueryable attribute, so a look-up never parks a record.
 */
export async function findCreditMemosByComments(client: FusionClient, comments: string, keys: CreditMemoLookupKeys = {}): Promise<FusionCreditMemoRow[]> {
  const conditions = [
    ...(keys.billToCustomerNumber ? [`BillToCustomerNumber=${lit(keys.billToCustomerNumber)}`] : []),
    ...(keys.transactionDate ? [`TransactionDate=${lit(keys.transactionDate)}`] : []),
  ];
  const found: FusionCreditMemoRow[] = [];
  for (let offset = 0; ;) {
    const page = await client.getJson(`${FSCM}/receivablesCreditMemos`, {
      ...(conditions.length ? { q: conditions.join(' and ') } : {}),
      orderBy: 'CustomerTransactionId:asc',
      onlyData: true,
      limit: CREDIT_MEMO_PAGE,
      offset,
    });
    const items = rows(page) as FusionCreditMemoRow[];
    found.push(...items.filter((m) => m.CreditMemoComments === comments));
    if (page['hasMore'] !== true || !items.length) return found;
    offset += items.length;
  }
}

const CREDIT_MEMO_PAGE = 200;
