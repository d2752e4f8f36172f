import { AppError } from '@mlc/platform-errors';
import { memoryAccessToken, PartnerPolicy, type RequestKind } from '@mlc/platform-partner-policy';
import {
  FusionAuthError,
  FusionBadResponseError,
  FusionNotFoundError,
  FusionOutcomeUnknownError,
  FusionReceiptPendingError,
  FusionReceiptProcessingError,
  FusionRejectedError,
  FusionUnavailableError,
} from './fusion.errors';
import { fusionErrorMessage, parseFusionBody, toFusionError } from './parse-fusion-error';
import { parseFusionJson } from './fusion-json';
import type {
  FusionArTransaction,
  FusionClientConfig,
  FusionCloseAction,
  FusionReopenAction,
  FusionCreditMemoInput,
  FusionInvoiceInput,
  FusionOrganization,
  FusionOrganizationInput,
  FusionOrganizationPatch,
  FusionAddressPatch,
  FusionPerson,
  FusionPersonInput,
  FusionPersonPatch,
  FusionPage,
  FusionPingResult,
  FusionPoLine,
  FusionPoSchedule,
  FusionPurchaseOrder,
  FusionReceiptConfirmOptions,
  FusionReceiptRequest,
  FusionReceiptRequestInput,
  FusionReceiptState,
} from './fusion.types';
import type { FusionCustomerAccountActivity, FusionShipToLocation, FusionSupplier } from './fusion-polling.types';

export const FSCM = '/fscmRestApi/resources/11.13.18.05';
export const CRM = '/crmRestApi/resources/11.13.18.05';
/** Pinned: versions are not backward compatible; 4 is what real clients send (reference §1). */
export const REST_FRAMEWORK_VERSION = '4';
/** The largest page we ask for: the real maximum is UNCONFIRMED, 3P sources agree on <= 499 (reference §2). */
export const MAX_PAGE_SIZE = 499;
export const DEFAULT_PAGE_SIZE = 200;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Our own cap on the NoteToReceiver text we write (a short, single problem note). */
const PO_NOTE_MAX = 1_000;
/** A receipt request read with its lines and their processing errors (fasrp receivingReceiptRequests lines/processingErrors). */
const RECEIPT_EXPAND = 'lines,lines.processingErrors';
/** Bounded read-back of a staged receipt: re-reads, first wait, and the cap of the doubling wait. */
const RECEIPT_CONFIRM_ATTEMPTS = 4;
const RECEIPT_CONFIRM_DELAY_MS = 250;
const RECEIPT_CONFIRM_MAX_DELAY_MS = 4_000;
/** How many of the newest receipt requests a ShipmentNumber look-up reads where `q` on it is refused. */
const RECEIPT_SCAN_MAX = 1_000;
/** Refresh in-memory tokens (one-off clients without a token provider) this long before they expire. */
const TOKEN_EXPIRY_SKEW_MS = 60_000;

/** receivingReceiptRequests header BillOfLading: Maximum Length 25 on the published schema (fasrp op-receivingreceiptrequests-post). */
export const BILL_OF_LADING_MAX = 25;
/** Header Comments are cut to this length (the RCV interface's comments column). */
const RECEIPT_COMMENTS_MAX = 240;

export const MEDIA_ITEM = 'application/vnd.oracle.adf.resourceitem+json';
export const MEDIA_ACTION = 'application/vnd.oracle.adf.action+json';

interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** A POST that creates a record: a 500 or a lost answer is an unknown outcome, not a retryable failure. */
  creates?: boolean;
  /** Return the body text as it is (SOAP answers XML). */
  raw?: boolean;
  /** Basic credentials to send instead of the client's own auth (SOAP with `soapAuth`). */
  basic?: { user: string; password: string };
}

type Row = Record<string, unknown>;

/** A child in an expanded payload: a collection object (v3+) or a bare array (v1/v2). */
function childRows(value: unknown): Row[] {
  if (Array.isArray(value)) return value as Row[];
  if (value && typeof value === 'object' && Array.isArray((value as Row)['items'])) return (value as { items: Row[] }).items;
  return [];
}

function selfKey(row: Row): string | undefined {
  const links = row['links'];
  if (!Array.isArray(links)) return undefined;
  const self = (links as Row[]).find((l) => l['rel'] === 'self');
  const href = typeof self?.['href'] === 'string' ? self['href'] : undefined;
  return href ? decodeURIComponent(href.slice(href.lastIndexOf('/') + 1)) : undefined;
}

/** The two TCA party hubs (organizations and persons): the same paths, attributes and queries. */
type PartyHub = 'hubOrganizations' | 'hubPersons';
/** How a party is looked up: by email, or by source system + reference. */
type PartyLookup = { email: string } | { sourceSystem: string; reference: string };

/** A string literal in a Fusion REST `q` expression (single quotes, doubled inside). */
function fusionLiteral(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function withoutLinks(row: Row): Row {
  const { links: _links, ...rest } = row;
  return rest;
}

/** A receivingReceiptRequests row (v1 arrays or v3+ collection objects) with lines and their processingErrors. */
function toReceiptRequest(row: Row): FusionReceiptRequest {
  return {
    ...(withoutLinks(row) as FusionReceiptRequest),
    lines: childRows(row['lines']).map((l) => ({
      ...withoutLinks(l),
      processingErrors: childRows(l['processingErrors']).map(withoutLinks),
    })) as FusionReceiptRequest['lines'],
  };
}

/** ProcessingStatusCode values of a processed interface record: SUCCESS or COMPLETED (which one is UNCONFIRMED). */
const PROCESSED = new Set(['SUCCESS', 'COMPLETED']);

/**
 * Where a staged receipt/ASN request stands. Processed only when the header (if it reports a status) and every line
 * say so; an ERROR anywhere, or a processing error row, is an error; anything else (PENDING, RUNNING, no status, a
 * value we do not know) is still pending: never success by default.
 */
export function receiptState(req: FusionReceiptRequest): FusionReceiptState {
  const statuses = [req.ProcessingStatusCode, ...req.lines.flatMap((l) => [l.ProcessingStatusCode, l.TransactionStatusCode])].map((s) =>
    s === undefined || s === null ? undefined : String(s).toUpperCase(),
  );
  if (statuses.includes('ERROR') || req.lines.some((l) => (l.processingErrors ?? []).length > 0)) return 'error';
  const lineStatuses = req.lines.map((l) => (l.ProcessingStatusCode === undefined ? undefined : String(l.ProcessingStatusCode).toUpperCase()));
  const header = req.ProcessingStatusCode === undefined ? undefined : String(req.ProcessingStatusCode).toUpperCase();
  const done = req.lines.length > 0 && lineStatuses.every((s) => s !== undefined && PROCESSED.has(s)) && (header === undefined || PROCESSED.has(header));
  return done ? 'processed' : 'pending';
}

/** Oracle's messages from every line's processingErrors, in line order. */
export function receiptErrors(req: FusionReceiptRequest): string[] {
  return req.lines.flatMap((l) => (l.processingErrors ?? []).map((e) => String(e.ErrorMessage ?? e.ErrorMessageName ?? 'error without a message')));
}

function toSchedule(row: Row): FusionPoSchedule {
  return { ...(withoutLinks(row) as unknown as FusionPoSchedule), key: selfKey(row) };
}

function toLine(row: Row): FusionPoLine {
  return { ...(withoutLinks(row) as unknown as FusionPoLine), schedules: childRows(row['schedules']).map(toSchedule) };
}

function toPurchaseOrder(row: Row): FusionPurchaseOrder {
  const { DFF: _dff, ...rest } = withoutLinks(row);
  return { ...(rest as unknown as FusionPurchaseOrder), key: selfKey(row), lines: childRows(row['lines']).map(toLine) };
}

/** A purchaseOrders (or purchaseOrdersLOV) item as the client returns it: links removed, children as arrays, `key` from `self`. */
export const parsePurchaseOrder = (row: Record<string, unknown>): FusionPurchaseOrder => toPurchaseOrder(row);

/**
 * A receivables item (invoice or credit memo) as the client returns it: links removed, expanded children as arrays.
 * An answer wrapped in `{items:[item]}` (Oracle's published invoice PATCH response) is unwrapped.
 */
export function parseArTransaction(row: Record<string, unknown>): FusionArTransaction {
  const items = row['items'];
  const item = Array.isArray(items) && items.length === 1 && row['CustomerTransactionId'] === undefined ? (items[0] as Row) : row;
  const out: Row = {};
  for (const [k, v] of Object.entries(withoutLinks(item)))
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && 'items' in v ? childRows(v).map(withoutLinks) : v;
  return out as FusionArTransaction;
}

/** One page of a collection answer (envelope items/count/hasMore/limit/offset), its items mapped. */
export function parseCollectionPage<T>(page: Record<string, unknown>, map: (row: Record<string, unknown>) => T): FusionPage<T> & { count: number } {
  const items = childRows(page).map(map);
  return { items, offset: typeof page['offset'] === 'number' ? page['offset'] : 0, hasMore: page['hasMore'] === true, count: items.length };
}

/** Fusion's datetime literal for `q`: ISO-8601 UTC with milliseconds. */
function toLiteral(since: Date | string): string {
  const d = since instanceof Date ? since : new Date(since);
  if (Number.isNaN(d.getTime())) throw new FusionRejectedError(`not a valid date: ${String(since)}`, { details: { since: String(since) } });
  return d.toISOString();
}

/**
 * The only code that knows Fusion's URLs, auth and payloads. Returns plain typed records (children always arrays,
 * links removed, opaque keys in `key`) and throws only AppError subclasses from fusion.errors.ts.
 */
export class FusionClient {
  private readonly baseUrl: string;
  private readonly policy: PartnerPolicy;
  private readonly policyKey: string;
  /** `config.getAccessToken` (services: the shared TokenManager), else an in-memory source for one-off use. */
  private readonly tokenSource: ((forceRefresh: boolean) => Promise<string>) | undefined;

  constructor(private readonly config: FusionClientConfig) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.policy = config.policy ?? new PartnerPolicy({ partner: 'FUSION', attemptTimeoutMs: timeoutMs, maxTotalMs: Math.max(20_000, timeoutMs + 5_000) });
    this.policyKey = config.policyKey ?? this.baseUrl;
    const auth = config.auth;
    this.tokenSource =
      config.getAccessToken ??
      (auth.kind === 'oauth'
        ? memoryAccessToken(() => requestFusionToken(auth, { timeoutMs: config.timeoutMs }), { skewMs: TOKEN_EXPIRY_SKEW_MS })
        : undefined);
  }

  // ---- purchase orders --------------------------------------------------------------------------------------------

  /**
   * Pages of POs whose LastUpdateDate >= since, oldest change first (ties by POHeaderId), with lines and schedules.
   * Advances with offset += count while hasMore (Fusion sends no `next` link). Callers overlap windows and de-duplicate
   * on POHeaderId + LastUpdateDate.
   */
  async *listPurchaseOrdersChangedSince(since: Date | string, opts: { pageSize?: number } = {}): AsyncGenerator<FusionPage<FusionPurchaseOrder>> {
    const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new FusionRejectedError(`pageSize must be 1..${MAX_PAGE_SIZE}`, { details: { pageSize } });
    }
    const q = `LastUpdateDate>='${toLiteral(since)}'`;
    let offset = 0;
    for (;;) {
      const page = await this.request<Row>('GET', `${FSCM}/purchaseOrders`, {
        query: { q, orderBy: 'LastUpdateDate:asc,POHeaderId:asc', expand: 'lines,lines.schedules', limit: pageSize, offset },
      });
      const items = childRows(page).map(toPurchaseOrder);
      const hasMore = page['hasMore'] === true;
      yield { items, offset, hasMore };
      if (!hasMore) return;
      if (!items.length) throw new FusionBadResponseError('Fusion reported hasMore with an empty page', { retryable: true, details: { offset } });
      offset += items.length;
    }
  }

  /** One PO by POHeaderId or opaque key, with lines and schedules. */
  async getPurchaseOrder(id: number | string): Promise<FusionPurchaseOrder> {
    const row = await this.request<Row>('GET', `${FSCM}/purchaseOrders/${encodeURIComponent(String(id))}`, {
      query: { expand: 'lines,lines.schedules' },
    });
    return toPurchaseOrder(row);
  }

  /** The close action (rolls down to lines and schedules). `closeForReceiving` after the 3PL received everything. */
  async closePurchaseOrder(id: number | string, opts: { action?: FusionCloseAction; reason?: string; poLineId?: number | string } = {}): Promise<void> {
    const line = opts.poLineId === undefined ? '' : `/child/lines/${opts.poLineId}`;
    await this.request('POST', `${FSCM}/purchaseOrders/${encodeURIComponent(String(id))}${line}/action/close`, {
      contentType: MEDIA_ACTION,
      body: { closeAction: opts.action ?? 'closeForReceiving', ...(opts.reason ? { closeReason: opts.reason } : {}) },
    });
  }

  /** Reopens a closed PO (or line): `reopenForReceiving` undoes `closeForReceiving` (e.g. a delivery must be reversed). */
  async reopenPurchaseOrder(id: number | string, opts: { action?: FusionReopenAction; reason?: string; poLineId?: number | string } = {}): Promise<void> {
    const line = opts.poLineId === undefined ? '' : `/child/lines/${opts.poLineId}`;
    await this.request('POST', `${FSCM}/purchaseOrders/${encodeURIComponent(String(id))}${line}/action/reopen`, {
      contentType: MEDIA_ACTION,
      body: { reopenAction: opts.action ?? 'reopenForReceiving', ...(opts.reason ? { reopenReason: opts.reason } : {}) },
    });
  }

  // ---- polling reads (oracle-poller): look-ups for mapping, receivables changed since --------------------------------

  /** A supplier with its sites (mapping: SupplierNumber, site names). */
  async getSupplier(supplierId: number | string): Promise<FusionSupplier> {
    const row = await this.request<Row>('GET', `${FSCM}/suppliers/${encodeURIComponent(String(supplierId))}`, { query: { expand: 'sites' } });
    return { ...(withoutLinks(row) as unknown as FusionSupplier), sites: childRows(row['sites']).map(withoutLinks) as FusionSupplier['sites'] };
  }

  /** A ship-to location (`b2bShipToLocationsLOV/{LocationId}`) with its address: the recipient of a 3PL order. */
  async getShipToLocation(locationId: number | string): Promise<FusionShipToLocation> {
    const row = await this.request<Row>('GET', `${FSCM}/b2bShipToLocationsLOV/${encodeURIComponent(String(locationId))}`, {});
    return withoutLinks(row) as unknown as FusionShipToLocation;
  }

  /** receivablesInvoices with LastUpdateDate >= since, oldest change first (ties by CustomerTransactionId). */
  listInvoicesChangedSince(since: Date | string, opts: { pageSize?: number } = {}): AsyncGenerator<FusionPage<FusionArTransaction>> {
    return this.pagesChangedSince(`${FSCM}/receivablesInvoices`, 'CustomerTransactionId', since, opts, (r) => this.transaction(r));
  }

  /** receivablesCreditMemos with LastUpdateDate >= since, oldest change first (ties by CustomerTransactionId). */
  listCreditMemosChangedSince(since: Date | string, opts: { pageSize?: number } = {}): AsyncGenerator<FusionPage<FusionArTransaction>> {
    return this.pagesChangedSince(`${FSCM}/receivablesCreditMemos`, 'CustomerTransactionId', since, opts, (r) => this.transaction(r));
  }

  /** receivablesCustomerAccountActivities (customer accounts) with LastUpdateDate >= since, oldest change first. */
  listCustomerAccountsChangedSince(since: Date | string, opts: { pageSize?: number } = {}): AsyncGenerator<FusionPage<FusionCustomerAccountActivity>> {
    return this.pagesChangedSince(
      `${FSCM}/receivablesCustomerAccountActivities`,
      'AccountId',
      since,
      opts,
      (r) => withoutLinks(r) as unknown as FusionCustomerAccountActivity,
    );
  }

  /** One invoice by CustomerTransactionId (a collection read filtered by id; FUSION.NOT_FOUND when absent). */
  async getInvoice(customerTransactionId: number | string): Promise<FusionArTransaction> {
    return this.transaction(await this.oneById(`${FSCM}/receivablesInvoices`, 'CustomerTransactionId', customerTransactionId));
  }

  /** One credit memo by CustomerTransactionId. */
  async getCreditMemo(customerTransactionId: number | string): Promise<FusionArTransaction> {
    return this.transaction(await this.oneById(`${FSCM}/receivablesCreditMemos`, 'CustomerTransactionId', customerTransactionId));
  }

  /** One customer account (receivablesCustomerAccountActivities) by AccountId. */
  async getCustomerAccount(accountId: number | string): Promise<FusionCustomerAccountActivity> {
    return withoutLinks(await this.oneById(`${FSCM}/receivablesCustomerAccountActivities`, 'AccountId', accountId)) as unknown as FusionCustomerAccountActivity;
  }

  private async oneById(path: string, idAttr: string, id: number | string): Promise<Row> {
    if (!/^\d{1,19}$/.test(String(id))) throw new FusionRejectedError(`${idAttr} must be a number`, { details: { id: String(id) } });
    const page = await this.request<Row>('GET', path, { query: { q: `${idAttr}=${id}`, onlyData: true, limit: 1 } });
    const row = childRows(page)[0];
    if (!row) throw new FusionNotFoundError(`${path.slice(path.lastIndexOf('/') + 1)} ${id} was not found`, { details: { id: String(id) } });
    return row;
  }

  /** Pages of a collection by `LastUpdateDate>=since`, ordered by it then by `idAttr`; offset += count while hasMore. */
  private async *pagesChangedSince<T>(
    path: string,
    idAttr: string,
    since: Date | string,
    opts: { pageSize?: number },
    map: (row: Row) => T,
  ): AsyncGenerator<FusionPage<T>> {
    const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new FusionRejectedError(`pageSize must be 1..${MAX_PAGE_SIZE}`, { details: { pageSize } });
    }
    const q = `LastUpdateDate>='${toLiteral(since)}'`;
    let offset = 0;
    for (;;) {
      const page = await this.request<Row>('GET', path, { query: { q, orderBy: `LastUpdateDate:asc,${idAttr}:asc`, onlyData: true, limit: pageSize, offset } });
      const items = childRows(page).map(map);
      const hasMore = page['hasMore'] === true;
      yield { items, offset, hasMore };
      if (!hasMore) return;
      if (!items.length) throw new FusionBadResponseError('Fusion reported hasMore with an empty page', { retryable: true, details: { path, offset } });
      offset += items.length;
    }
  }

  // ---- receiving -------------------------------------------------------------------------------------------------

  /**
   * Posts a receipt (lines with transactionType RECEIVE) or an ASN (SHIP) to receivingReceiptRequests. Creates:
   * a 500 or lost answer is FUSION.OUTCOME_UNKNOWN, check with getReceiptRequest / the PO's received quantity.
   */
  async createReceiptRequest(input: FusionReceiptRequestInput): Promise<FusionReceiptRequest> {
    if (!input.lines.length) throw new FusionRejectedError('a receipt request needs at least one line');
    if (input.billOfLading && input.billOfLading.length > BILL_OF_LADING_MAX) {
      throw new FusionRejectedError(`BillOfLading is at most ${BILL_OF_LADING_MAX} characters`, { details: { billOfLading: input.billOfLading } });
    }
    const ships = input.lines.some((l) => l.transactionType === 'SHIP');
    if (ships && input.lines.some((l) => l.transactionType === 'RECEIVE'))
      throw new FusionRejectedError('an ASN (SHIP lines) and a receipt (RECEIVE lines) are separate requests');
    const asnType = input.asnType ?? (ships ? 'ASN' : undefined);
    const body = {
      ReceiptSourceCode: 'VENDOR',
      ...(input.organizationCode ? { OrganizationCode: input.organizationCode } : {}),
      ...(input.vendorName ? { VendorName: input.vendorName } : {}),
      ...(input.vendorNumber ? { VendorNumber: input.vendorNumber } : {}),
      ...(input.businessUnit ? { BusinessUnit: input.businessUnit } : {}),
      ...(input.employeeId !== undefined ? { EmployeeId: input.employeeId } : {}),
      ...(input.shipmentNumber ? { ShipmentNumber: input.shipmentNumber } : {}),
      ...(input.expectedReceiptDate ? { ExpectedReceiptDate: input.expectedReceiptDate } : {}),
      ...(asnType ? { ASNType: asnType } : {}),
      ...(input.shippedDate ? { ShippedDate: input.shippedDate } : {}),
      ...(input.billOfLading ? { BillOfLading: input.billOfLading } : {}),
      ...(input.packingSlip ? { PackingSlip: input.packingSlip } : {}),
      ...(input.comments ? { Comments: input.comments.slice(0, RECEIPT_COMMENTS_MAX) } : {}),
      lines: input.lines.map((l) => ({
        ReceiptSourceCode: 'VENDOR',
        SourceDocumentCode: 'PO',
        TransactionType: l.transactionType,
        ...(l.transactionType === 'RECEIVE' ? { AutoTransactCode: 'DELIVER' } : {}),
        DocumentNumber: l.orderNumber,
        DocumentLineNumber: l.lineNumber,
        DocumentShipmentLineNumber: l.scheduleNumber ?? 1,
        Quantity: l.quantity,
        ...(l.unitOfMeasure ? { UnitOfMeasure: l.unitOfMeasure } : {}),
        ...((l.organizationCode ?? input.organizationCode) ? { OrganizationCode: l.organizationCode ?? input.organizationCode } : {}),
        ...(l.itemDescription ? { ItemDescription: l.itemDescription } : {}),
      })),
    };
    const row = await this.request<Row>('POST', `${FSCM}/receivingReceiptRequests`, { body, contentType: MEDIA_ITEM, creates: true });
    return toReceiptRequest(row);
  }

  /** One receipt/ASN request with its lines and their processingErrors (what the receiving processor refused). */
  async getReceiptRequest(headerInterfaceId: number | string): Promise<FusionReceiptRequest> {
    const row = await this.request<Row>('GET', `${FSCM}/receivingReceiptRequests/${encodeURIComponent(String(headerInterfaceId))}`, {
      query: { expand: RECEIPT_EXPAND },
    });
    return toReceiptRequest(row);
  }

  /**
   * Reads a staged receipt/ASN request back until Fusion's receiving processor has handled it (the POST only stages
   * interface records): returns it once processed, throws FusionReceiptProcessingError with Oracle's messages when
   * it failed, and FusionReceiptPendingError (retryable) when it is still pending after the bounded re-reads.
   * `seen` is a copy already read (e.g. the POST's answer), checked before reading again.
   */
  async awaitReceiptProcessed(
    headerInterfaceId: number | string,
    opts: FusionReceiptConfirmOptions = {},
    seen?: FusionReceiptRequest,
  ): Promise<FusionReceiptRequest> {
    const attempts = opts.attempts ?? RECEIPT_CONFIRM_ATTEMPTS;
    const maxDelay = opts.maxDelayMs ?? RECEIPT_CONFIRM_MAX_DELAY_MS;
    const wait = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let delay = opts.delayMs ?? RECEIPT_CONFIRM_DELAY_MS;
    let current = seen ?? (await this.getReceiptRequest(headerInterfaceId));
    for (let i = 0; ; i++) {
      const state = receiptState(current);
      if (state === 'processed') return current;
      if (state === 'error') {
        // A POST's answer carries the lines but not their processingErrors: read them before reporting.
        if (current === seen && !receiptErrors(current).length) current = await this.getReceiptRequest(headerInterfaceId);
        throw new FusionReceiptProcessingError(
          `Fusion did not process receipt request ${headerInterfaceId}: ${receiptErrors(current).join(' | ') || 'ProcessingStatusCode ERROR without a processing error'}`,
          {
            details: {
              headerInterfaceId,
              errors: receiptErrors(current),
              lines: current.lines.map((l) => ({ InterfaceTransactionId: l.InterfaceTransactionId, ProcessingStatusCode: l.ProcessingStatusCode ?? null })),
            },
          },
        );
      }
      if (i >= attempts) {
        throw new FusionReceiptPendingError(
          `receipt request ${headerInterfaceId} is still ${String(current.ProcessingStatusCode ?? 'unprocessed')} in Fusion`,
          {
            details: { headerInterfaceId, processingStatusCode: current.ProcessingStatusCode ?? null },
          },
        );
      }
      await wait(delay);
      delay = Math.min(delay * 2, maxDelay);
      current = await this.getReceiptRequest(headerInterfaceId);
    }
  }

  /**
   * Receipt/ASN requests whose header ShipmentNumber is `shipmentNumber`, with lines: how a writer checks whether
   * an earlier attempt (outcome unknown) already created its ASN or receipt before creating it again.
   */
  async findReceiptRequestsByShipmentNumber(shipmentNumber: string): Promise<FusionReceiptRequest[]> {
    const toRequest = toReceiptRequest;
    try {
      const page = await this.request<Row>('GET', `${FSCM}/receivingReceiptRequests`, {
        query: { q: `ShipmentNumber=${fusionLiteral(shipmentNumber)}`, expand: RECEIPT_EXPAND, onlyData: true, limit: 50 },
      });
      return childRows(page).map(toRequest);
    } catch (err) {
      // Whether ShipmentNumber is queryable is UNCONFIRMED: where Fusion refuses the q, read the newest requests
      // (no q at all) and match the shipment number here; a write whose answer was lost is among the latest.
      if (!(err instanceof FusionRejectedError) || err.details['status'] !== 400) throw err;
      const found: FusionReceiptRequest[] = [];
      for (let offset = 0; offset < RECEIPT_SCAN_MAX;) {
        const page = await this.request<Row>('GET', `${FSCM}/receivingReceiptRequests`, {
          query: { orderBy: 'HeaderInterfaceId:desc', expand: RECEIPT_EXPAND, onlyData: true, limit: DEFAULT_PAGE_SIZE, offset },
        });
        const rows = childRows(page);
        found.push(...rows.filter((r) => r['ShipmentNumber'] === shipmentNumber).map(toRequest));
        if (page['hasMore'] !== true || !rows.length) break;
        offset += rows.length;
      }
      return found;
    }
  }

  // ---- draft purchase orders (DFF) --------------------------------------------------------------------------------

  /**
   * Sets descriptive flexfield segments on a PO through draftPurchaseOrders (25A+: allowed on open POs). A PATCH:
   * repeating it with the same values is harmless.
   */
  async updatePurchaseOrderDff(poHeaderId: number | string, segments: Record<string, string | number | null>): Promise<void> {
    const id = encodeURIComponent(String(poHeaderId));
    await this.request('PATCH', `${FSCM}/draftPurchaseOrders/${id}/child/DFF/${id}`, { body: segments, contentType: MEDIA_ITEM });
  }

  /**
   * Sets the PO header's NoteToReceiver through draftPurchaseOrders PATCH (one of the three header attributes the
   * 25A+ PATCH on an open PO takes). It replaces the note; repeating it with the same text is harmless.
   */
  async updatePurchaseOrderNoteToReceiver(poHeaderId: number | string, note: string): Promise<void> {
    const id = encodeURIComponent(String(poHeaderId));
    await this.request('PATCH', `${FSCM}/draftPurchaseOrders/${id}`, { body: { NoteToReceiver: note.slice(0, PO_NOTE_MAX) }, contentType: MEDIA_ITEM });
  }

  // ---- receivables -----------------------------------------------------------------------------------------------

  /** Creates an invoice (status Incomplete until completeInvoice). A 500 or lost answer is FUSION.OUTCOME_UNKNOWN: call findInvoicesByCrossReference. */
  async createInvoice(input: FusionInvoiceInput): Promise<FusionArTransaction> {
    return this.transaction(await this.request<Row>('POST', `${FSCM}/receivablesInvoices`, { body: input, contentType: MEDIA_ITEM, creates: true }));
  }

  async findInvoicesByCrossReference(crossReference: string): Promise<FusionArTransaction[]> {
    const page = await this.request<Row>('GET', `${FSCM}/receivablesInvoices`, {
      query: { q: `CrossReference=${fusionLiteral(crossReference)}`, onlyData: true, limit: 25 },
    });
    return childRows(page) as FusionArTransaction[];
  }

  /** PATCH may change only InvoiceStatus, PaymentTerms and TransactionDate; this sets InvoiceStatus=Complete. */
  async completeInvoice(customerTransactionId: number | string): Promise<FusionArTransaction> {
    const row = await this.request<Row>('PATCH', `${FSCM}/receivablesInvoices/${encodeURIComponent(String(customerTransactionId))}`, {
      body: { InvoiceStatus: 'Complete' },
      contentType: MEDIA_ITEM,
    });
    // Oracle's published sample wraps this answer in items[]; plain ADF answers the bare item.
    return parseArTransaction(row);
  }

  /**
   * Deletes an invoice (DELETE receivablesInvoices/{id}, 204, no body:
   * https://docs.oracle.com/en/cloud/saas/financials/24d/farfa/op-receivablesinvoices-customertransactionid-delete.html).
   * Which statuses Fusion lets go is UNCONFIRMED: call it for an Incomplete invoice only; a Complete one is credited.
   * A lost answer is safe to try again after a look-up (a second DELETE of a gone invoice is a 404).
   */
  async deleteInvoice(customerTransactionId: number | string): Promise<void> {
    await this.request('DELETE', `${FSCM}/receivablesInvoices/${encodeURIComponent(String(customerTransactionId))}`);
  }

  /** An on-account credit memo (REST can't reference an invoice; put its number in CreditMemoComments). */
  async createOnAccountCreditMemo(input: FusionCreditMemoInput): Promise<FusionArTransaction> {
    return this.transaction(await this.request<Row>('POST', `${FSCM}/receivablesCreditMemos`, { body: input, contentType: MEDIA_ITEM, creates: true }));
  }

  // ---- customers (TCA) -------------------------------------------------------------------------------------------

  async createOrganization(input: FusionOrganizationInput): Promise<FusionOrganization> {
    return this.organization(await this.createParty('hubOrganizations', input));
  }

  /**
   * PATCH hubOrganizations/{PartyNumber} (reference §8: the TCA hubs take PATCH): top-level attributes such as
   * OrganizationName, EmailAddress, RawPhoneNumber. Addresses change through {@link updateOrganizationAddress}.
   */
  async updateOrganization(partyNumber: string, patch: FusionOrganizationPatch): Promise<FusionOrganization> {
    return this.organization(await this.updateParty('hubOrganizations', partyNumber, patch));
  }

  /**
   * PATCH hubOrganizations/{PartyNumber}/child/Address/{AddressId}: changes a party address in place, so the party
   * site (and the customer account's bill-to site built on it) keeps its id.
   */
  async updateOrganizationAddress(partyNumber: string, addressId: number | string, patch: FusionAddressPatch): Promise<Record<string, unknown>> {
    return this.updatePartyAddress('hubOrganizations', partyNumber, addressId, patch);
  }

  /** GET hubOrganizations/{PartyNumber} with its addresses; undefined when Fusion has no such party. */
  async getOrganization(partyNumber: string): Promise<FusionOrganization | undefined> {
    const row = await this.getParty('hubOrganizations', partyNumber);
    return row && this.organization(row);
  }

  /**
   * Finds organizations by email, or by source system + reference (top-level attributes). Their queryability is
   * UNCONFIRMED: where Fusion refuses such a `q` (400) and `opts.name` is given, the organizations of that name (a
   * queryable attribute) are read and matched on email / reference here.
   */
  async findOrganizations(by: PartyLookup, opts: { name?: string } = {}): Promise<FusionOrganization[]> {
    const fallback = opts.name === undefined ? undefined : `OrganizationName=${fusionLiteral(opts.name)}`;
    return (await this.findParties('hubOrganizations', by, fallback)).map((r) => this.organization(r));
  }

  // ---- persons (TCA hubPersons): an individual customer is a person party, not an organization named after them ----

  async createPerson(input: FusionPersonInput): Promise<FusionPerson> {
    return this.person(await this.createParty('hubPersons', input));
  }

  /** PATCH hubPersons/{PartyNumber}: names, email, phone. Addresses change through {@link updatePersonAddress}. */
  async updatePerson(partyNumber: string, patch: FusionPersonPatch): Promise<FusionPerson> {
    return this.person(await this.updateParty('hubPersons', partyNumber, patch));
  }

  /** PATCH hubPersons/{PartyNumber}/child/Address/{AddressId} (the party site keeps its id). */
  async updatePersonAddress(partyNumber: string, addressId: number | string, patch: FusionAddressPatch): Promise<Record<string, unknown>> {
    return this.updatePartyAddress('hubPersons', partyNumber, addressId, patch);
  }

  /** GET hubPersons/{PartyNumber} with its addresses; undefined when Fusion has no such person. */
  async getPerson(partyNumber: string): Promise<FusionPerson | undefined> {
    const row = await this.getParty('hubPersons', partyNumber);
    return row && this.person(row);
  }

  /**
   * Finds persons by email, or by source system + reference (top-level attributes), like findOrganizations: where
   * Fusion refuses such a `q` (400, UNCONFIRMED queryability) and `opts.lastName` is given, the persons of that last
   * name (PersonLastName, a documented queryable attribute) are read and matched on email / reference here.
   */
  async findPersons(by: PartyLookup, opts: { lastName?: string } = {}): Promise<FusionPerson[]> {
    const fallback = opts.lastName === undefined ? undefined : `PersonLastName=${fusionLiteral(opts.lastName)}`;
    return (await this.findParties('hubPersons', by, fallback)).map((r) => this.person(r));
  }

  // ---- the two TCA party hubs share one shape: hubOrganizations and hubPersons -------------------------------------

  private createParty(hub: PartyHub, input: object): Promise<Row> {
    return this.request<Row>('POST', `${CRM}/${hub}`, { body: input, contentType: MEDIA_ITEM, creates: true });
  }

  private updateParty(hub: PartyHub, partyNumber: string, patch: object): Promise<Row> {
    return this.request<Row>('PATCH', `${CRM}/${hub}/${encodeURIComponent(partyNumber)}`, { body: patch, contentType: MEDIA_ITEM });
  }

  private async updatePartyAddress(hub: PartyHub, partyNumber: string, addressId: number | string, patch: FusionAddressPatch): Promise<Row> {
    const path = `${CRM}/${hub}/${encodeURIComponent(partyNumber)}/child/Address/${encodeURIComponent(String(addressId))}`;
    return withoutLinks(await this.request<Row>('PATCH', path, { body: patch, contentType: MEDIA_ITEM }));
  }

  /** The party with its addresses; undefined when Fusion has none of that number. */
  private async getParty(hub: PartyHub, partyNumber: string): Promise<Row | undefined> {
    try {
      return await this.request<Row>('GET', `${CRM}/${hub}/${encodeURIComponent(partyNumber)}`, { query: { expand: 'Address', onlyData: true } });
    } catch (err) {
      if (err instanceof FusionNotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * The parties found by email or by source system + reference. Where Fusion refuses that `q` (400) and a `fallback`
   * query (a queryable attribute) is given, the parties it finds (up to 100) are matched on email / reference here.
   */
  private async findParties(hub: PartyHub, by: PartyLookup, fallback: string | undefined): Promise<Row[]> {
    const q =
      'email' in by
        ? `EmailAddress=${fusionLiteral(by.email)}`
        : `SourceSystem=${fusionLiteral(by.sourceSystem)} and SourceSystemReferenceValue=${fusionLiteral(by.reference)}`;
    try {
      return childRows(await this.request<Row>('GET', `${CRM}/${hub}`, { query: { q, expand: 'Address', onlyData: true } }));
    } catch (err) {
      if (fallback === undefined || !(err instanceof FusionRejectedError) || err.details['status'] !== 400) throw err;
      const page = await this.request<Row>('GET', `${CRM}/${hub}`, { query: { q: fallback, expand: 'Address', onlyData: true, limit: 100 } });
      const matches = (r: Row) =>
        'email' in by
          ? typeof r['EmailAddress'] === 'string' && r['EmailAddress'].toLowerCase() === by.email.toLowerCase()
          : r['SourceSystem'] === by.sourceSystem && r['SourceSystemReferenceValue'] === by.reference;
      return childRows(page).filter(matches);
    }
  }

  /** A person party in the organization's shape (the same TCA party attributes, read the same way). */
  private person(row: Row): FusionPerson {
    return this.organization(row) as unknown as FusionPerson;
  }

  // ---- raw access for the receivables services (fusion-receivables.ts, fusion-soap.ts) ---------------------------

  /** A GET of any resource path with this client's auth, version pin and error translation; the parsed JSON. */
  async getJson<T = Record<string, unknown>>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /**
   * A SOAP 1.1 call (text/xml) with `soapAuth` when configured, else this client's auth; the answer's text. A non-2xx
   * answer throws as any creating POST does (a 500 is FUSION.OUTCOME_UNKNOWN carrying the body); fusion-soap.ts reads
   * SOAP faults out of it.
   */
  async postSoap(path: string, envelope: string): Promise<string> {
    const soap = this.config.soapAuth;
    return this.request<string>('POST', path, {
      body: envelope,
      contentType: 'text/xml; charset=utf-8',
      creates: true,
      raw: true,
      ...(soap ? { basic: soap } : {}),
    });
  }

  private transaction(row: Row): FusionArTransaction {
    return parseArTransaction(row);
  }

  private organization(row: Row): FusionOrganization {
    return {
      ...(this.transaction(row) as unknown as FusionOrganization),
      Address: childRows(row['Address']).map(withoutLinks) as FusionOrganization['Address'],
    };
  }

  // ---- health --------------------------------------------------------------------------------------------------

  /** Gets a token (oauth) and does one cheap read; reports which step failed. Never throws. */
  async ping(): Promise<FusionPingResult> {
    const started = Date.now();
    const fail = (failedAt: 'token' | 'read', err: unknown): FusionPingResult => {
      const e = err instanceof AppError ? err : new FusionUnavailableError(String(err), { cause: err });
      return { ok: false, failedAt, error: { code: e.code, message: e.message, retryable: e.retryable }, latencyMs: Date.now() - started };
    };
    if (this.usesTokens()) {
      try {
        await this.accessToken(false);
      } catch (err) {
        return fail('token', err);
      }
    }
    try {
      await this.request('GET', `${FSCM}/purchaseOrders`, { query: { limit: 1, fields: 'POHeaderId', onlyData: true } });
    } catch (err) {
      return fail('read', err);
    }
    return { ok: true, latencyMs: Date.now() - started };
  }

  // ---- transport -------------------------------------------------------------------------------------------------

  private usesTokens(): boolean {
    return this.config.getAccessToken !== undefined || this.config.auth.kind === 'oauth';
  }

  private async authorization(forceRefresh: boolean): Promise<string> {
    const auth = this.config.auth;
    if (!this.usesTokens() && auth.kind === 'basic') return basicHeader(auth.user, auth.password);
    return `Bearer ${await this.accessToken(forceRefresh)}`;
  }

  /** A bearer token from the token source (the injected provider, else the in-memory one). */
  private async accessToken(forceRefresh: boolean): Promise<string> {
    if (!this.tokenSource) throw new FusionAuthError('no OAuth configuration for a bearer token');
    try {
      return await this.tokenSource(forceRefresh);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new FusionAuthError(`the token provider failed: ${String(err)}`, { cause: err, details: { stage: 'token' } });
    }
  }

  /**
   * One call under the partner policy (short retries honouring Retry-After, a bounded total time, a circuit per
   * tenant; see `fusionRequestKind` for what is repeated).
   */
  private async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return this.policy.execute(this.policyKey, { name: `${method} ${path}`, kind: fusionRequestKind(method) }, (signal) =>
      this.attempt<T>(method, path, opts, signal),
    );
  }

  /** One attempt with auth, the pinned framework version, a timeout, one more call on 401 with a fresh token, and error translation. */
  private async attempt<T>(method: string, path: string, opts: RequestOptions, signal: AbortSignal): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const creates = opts.creates ?? false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {
        authorization: opts.basic ? basicHeader(opts.basic.user, opts.basic.password) : await this.authorization(attempt > 1),
        'rest-framework-version': REST_FRAMEWORK_VERSION,
        accept: 'application/json',
      };
      if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
          signal,
        });
        text = await res.text();
      } catch (err) {
        const message = `${method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`;
        throw creates
          ? new FusionOutcomeUnknownError(message, { cause: err, details: { method, path } })
          : new FusionUnavailableError(message, { cause: err, details: { method, path } });
      }
      if (res.status === 401 && attempt === 1 && this.usesTokens() && !opts.basic) continue;
      if (!res.ok) {
        throw toFusionError({ method, path, status: res.status, body: parseFusionBody(text), retryAfter: res.headers.get('retry-after'), creates });
      }
      if (opts.raw) return text as T;
      if (!text) return undefined as T;
      try {
        return parseFusionJson<T>(text);
      } catch (err) {
        throw new FusionBadResponseError(`${method} ${path}: the answer is not valid JSON`, {
          retryable: !creates,
          cause: err,
          details: { method, path, status: res.status, bodyStart: text.slice(0, 200) },
        });
      }
    }
  }
}

/**
 * Whether a Fusion request may be repeated after a failure Fusion may have acted on. Reads (GET) and PATCH / DELETE
 * of one resource (the same values again) are idempotent. A POST — a create (receipts, invoices, credit memos,
 * parties), an action (PO close / reopen) or a SOAP call — carries no idempotency key Fusion honours, so it is
 * `once`: repeated only after a 429 or a connection never made (a lost answer to a create is
 * FUSION.OUTCOME_UNKNOWN: the caller looks the record up before it posts again; nothing is posted twice).
 */
export function fusionRequestKind(method: string): RequestKind {
  return method === 'GET' || method === 'PATCH' || method === 'DELETE' ? 'idempotent' : 'once';
}

function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * One client-credentials token request to Fusion's identity domain (what FusionClient does itself when it holds the
 * credentials). Exported for a shared token manager (`getAccessToken`). Throws FusionAuthError when the credentials
 * or scope are refused, FusionUnavailableError when the endpoint cannot be reached.
 */
export async function requestFusionToken(
  auth: { tokenUrl: string; clientId: string; clientSecret: string; scope: string },
  opts: { timeoutMs?: number } = {},
): Promise<{ accessToken: string; expiresInMs: number }> {
  let res: Response;
  try {
    res = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: auth.scope }).toString(),
      signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new FusionUnavailableError(`token endpoint unreachable: ${String(err)}`, { cause: err, details: { stage: 'token' } });
  }
  const text = await res.text().catch(() => '');
  const body = parseFusionBody(text);
  if (res.status === 400 || res.status === 401) {
    throw new FusionAuthError(`token request refused (${res.status}): ${fusionErrorMessage(body)}`, {
      details: { stage: 'token', status: res.status, body },
    });
  }
  if (!res.ok) {
    const err = toFusionError({
      method: 'POST',
      path: new URL(auth.tokenUrl).pathname,
      status: res.status,
      body,
      retryAfter: res.headers.get('retry-after'),
      creates: false,
    });
    throw err;
  }
  const token = body as { access_token?: unknown; expires_in?: unknown };
  if (typeof token.access_token !== 'string') {
    throw new FusionBadResponseError('token response without access_token', { retryable: true, details: { stage: 'token' } });
  }
  const ttlMs = (typeof token.expires_in === 'number' ? token.expires_in : 3600) * 1000;
  return { accessToken: token.access_token, expiresInMs: ttlMs };
}
