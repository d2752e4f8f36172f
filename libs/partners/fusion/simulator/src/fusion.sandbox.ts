import { randomBytes } from 'node:crypto';
import { SandboxServer, type SandboxRequest, type SandboxResponse } from '@mlc/partners-sandbox-kit';
import { FusionFault, renderFault } from './fusion-fault';
import { renderCollection, renderSingle, type ResourceDef } from './fusion-rest';
import { checkBody, draftPoDffPatch, DRAFT_PO_PATCH, PO_CANCEL, PO_CLOSE, PO_REOPEN, queryableOf, RECEIPT_REQUEST_POST, type BodySchema } from './fusion-schemas';
import {
  purchaseOrderDef,
  receiptRequestDef,
  poLineDef,
  scheduleDef,
  shipToLocationDef,
  supplierDef,
  poDffDef,
} from './fusion.resources';
import {
  CLOSE_ACTIONS,
  PO_STATUSES,
  REOPEN_ACTIONS,
  FusionProcurementStore,
  fusionTimestamp,
  type PoLine,
  type PoSchedule,
  type PoStatus,
  type PurchaseOrder,
  type ReceiptLine,
  type ReceiptRequest,
  type SeedRequest,
} from './fusion.store';
import { registerReceivables, FusionReceivablesStore } from './fusion-receivables';
import { registerPollingReads } from './fusion-polling-reads';
import { registerSoapServices, type SoapStrictSwitches } from './fusion-soap';

export const FSCM_ROOT = '/fscmRestApi/resources/11.13.18.05';
export const CRM_ROOT = '/crmRestApi/resources/11.13.18.05';
export const TOKEN_PATH = '/oauth2/v1/token';

export const MEDIA = {
  item: 'application/vnd.oracle.adf.resourceitem+json',
  collection: 'application/vnd.oracle.adf.resourcecollection+json',
  action: 'application/vnd.oracle.adf.action+json',
  actionResult: 'application/vnd.oracle.adf.actionresult+json',
} as const;

/** Switches for behaviour the reference marks UNCONFIRMED; defaults are the stricter plausible reading (SOAP ones: fusion-soap.ts). */
export interface FusionStrictSwitches extends Partial<SoapStrictSwitches> {
  /** A `limit` above the page cap is a 400 (true) or clamped to the cap (false, default). */
  rejectOverCapLimit?: boolean;
  /** Actions accept only `…action+json` (default true); false also accepts `application/json`. */
  actionMediaTypeOnly?: boolean;
  /** Over-receipt tolerance in percent of the ordered quantity (default 0: any excess is refused). */
  receiptTolerancePct?: number;
  /** Fully received schedules become `Closed for Receiving` (default false: only the close action does that). */
  autoCloseForReceiving?: boolean;
  /** Answer invoice PATCH wrapped in `{items:[…]}` as Oracle's published sample shows (default false: bare item). */
  wrapInvoicePatchResponse?: boolean;
  /**
   * DELETE receivablesInvoices/{id} of a Complete invoice (UNCONFIRMED: Oracle documents DELETE without saying which
   * statuses it takes; its use case deletes an invoice made with a wrong source). Default false: only an Incomplete
   * invoice can be deleted, a Complete one must be credited.
   */
  deleteCompleteInvoices?: boolean;
  /**
   * Queryability Oracle's pages do not settle, per `<resource>.<Attribute>` (defaults and reasons in
   * fusion-schemas.ts UNCONFIRMED_QUERYABLE; e.g. `purchaseOrders.LastUpdateDate` true, `receivablesCreditMemos.CreditMemoComments` false).
   */
  queryable?: Record<string, boolean>;
}

export interface FusionSandboxOptions {
  seed?: number;
  /** Numbering run: ids start at 300100000000001 + run × 10^6 and PO numbers at 1001 + run × 1000 (default 0). */
  run?: number;
  tokenTtlSec?: number;
  clientId?: string;
  clientSecret?: string;
  /** The scope a token request must ask for: `urn:opc:resource:fa:instanceid=<id>urn:opc:resource:consumer::all`. */
  scope?: string;
  basicUser?: string;
  basicPassword?: string;
  /** The largest `limit` a collection honours. */
  pageCap?: number;
  strict?: FusionStrictSwitches;
  /**
   * Source systems registered in the pod (Setup: Manage Trading Community Source Systems): a party's SourceSystem /
   * SourceSystemReference must name one. Default: the connector's `SHOPIFY` (libs/domain/accounting SHOPIFY_SOURCE_SYSTEM).
   */
  sourceSystems?: string[];
  /** API names of the PO header DFF segments defined in the pod. Default: fusion-writer's `shipbobFulfillmentStatus`. */
  poDffSegments?: string[];
}

/** Everything the connector wrote, for assertions (GET /__admin/written). */
export interface FusionWritten {
  asns: Record<string, unknown>[];
  receipts: Record<string, unknown>[];
  closures: Record<string, unknown>[];
  reopenings: Record<string, unknown>[];
  cancellations: Record<string, unknown>[];
  dffUpdates: Record<string, unknown>[];
  invoices: Record<string, unknown>[];
  invoiceUpdates: Record<string, unknown>[];
  /** DELETE receivablesInvoices/{id}: the invoice as it was. */
  invoiceDeletes: Record<string, unknown>[];
  creditMemos: Record<string, unknown>[];
  invoiceCredits: Record<string, unknown>[];
  customers: Record<string, unknown>[];
  customerAccounts: Record<string, unknown>[];
  /** PATCHes of hubOrganizations and their Address children. */
  customerUpdates: Record<string, unknown>[];
}

export interface FusionContext {
  version: number;
}

/** Statuses a purchase order, line or schedule can be received (or shipped by ASN) against. */
const RECEIVABLE: ReadonlySet<PoStatus> = new Set<PoStatus>(['Open', 'Closed for Invoicing']);

type FusionHandler = (req: SandboxRequest, ctx: FusionContext) => SandboxResponse | Promise<SandboxResponse>;

const DEFAULTS = {
  tokenTtlSec: 3600,
  clientId: 'MLC_INTEGRATION',
  clientSecret: 'sandbox-secret',
  scope: 'urn:opc:resource:fa:instanceid=1234567urn:opc:resource:consumer::all',
  basicUser: 'mlc.integration',
  basicPassword: 'sandbox-password',
  pageCap: 500,
};

/**
 * A simulated Oracle Fusion Cloud ERP pod: the IDCS token endpoint, ADF REST resources under the fscm and crm
 * roots (POs, receiving, suppliers, receivables, TCA parties), the SOAP services the connector needs, and an admin
 * API under /__admin to seed data, change it and read back what was written.
 */
export class FusionSandbox extends SandboxServer {
  readonly options: Required<Omit<FusionSandboxOptions, 'strict' | 'seed' | 'run'>> & { strict: FusionStrictSwitches };
  private readonly dffSchema: BodySchema;
  readonly procurement: FusionProcurementStore;
  readonly receivables: FusionReceivablesStore;
  readonly written: FusionWritten = {
    asns: [],
    receipts: [],
    closures: [],
    reopenings: [],
    cancellations: [],
    dffUpdates: [],
    invoices: [],
    invoiceUpdates: [],
    invoiceDeletes: [],
    creditMemos: [],
    invoiceCredits: [],
    customers: [],
    customerAccounts: [],
    customerUpdates: [],
  };
  private readonly tokens = new Map<string, number>();

  constructor(opts: FusionSandboxOptions = {}) {
    super('fusion', opts.seed ?? 1);
    this.options = {
      tokenTtlSec: opts.tokenTtlSec ?? DEFAULTS.tokenTtlSec,
      clientId: opts.clientId ?? DEFAULTS.clientId,
      clientSecret: opts.clientSecret ?? DEFAULTS.clientSecret,
      scope: opts.scope ?? DEFAULTS.scope,
      basicUser: opts.basicUser ?? DEFAULTS.basicUser,
      basicPassword: opts.basicPassword ?? DEFAULTS.basicPassword,
      pageCap: opts.pageCap ?? DEFAULTS.pageCap,
      strict: { actionMediaTypeOnly: true, receiptTolerancePct: 0, ...opts.strict },
      sourceSystems: opts.sourceSystems ?? ['SHOPIFY'],
      poDffSegments: opts.poDffSegments ?? ['shipbobFulfillmentStatus'],
    };
    this.dffSchema = draftPoDffPatch(this.options.poDffSegments);
    this.procurement = new FusionProcurementStore(() => this.now(), opts.run ?? 0);
    this.receivables = new FusionReceivablesStore(this.procurement);
    this.receivables.sourceSystems = this.options.sourceSystems;
    this.rateLimitResponse = (s) => ({ status: 429, headers: { 'retry-after': String(s) }, body: 'Too Many Requests' });
    this.registerAuth();
    this.registerProcurement();
    this.registerAdmin();
    registerReceivables(this);
    registerPollingReads(this);
    registerSoapServices(this);
  }

  // ---- framework plumbing -------------------------------------------------------------------------------------

  /** Registers a Fusion resource route: auth, REST-Framework-Version, media type on writes, faults per version. */
  fusionRoute(method: string, path: string, kind: 'read' | 'item' | 'action', handler: FusionHandler): this {
    return this.route(method, path, async (req) => {
      let version = 1;
      try {
        this.authenticate(req);
        version = frameworkVersion(req);
        if (kind !== 'read') this.checkMediaType(req, kind);
        return await handler(req, { version });
      } catch (err) {
        if (err instanceof FusionFault) return renderFault(err, version);
        throw err;
      }
    });
  }

  collection<T>(def: ResourceDef<T>, records: readonly T[], href: string, req: SandboxRequest, ctx: FusionContext): SandboxResponse {
    return {
      status: 200,
      headers: { 'content-type': MEDIA.collection },
      body: renderCollection(def, records, href, {
        query: req.query,
        version: ctx.version,
        pageCap: this.options.pageCap,
        rejectOverCap: this.options.strict.rejectOverCapLimit ?? false,
        queryable: href.includes('/child/') ? undefined : queryableOf(def.name, this.options.strict.queryable),
      }),
    };
  }

  item<T>(def: ResourceDef<T>, rec: T, href: string, req: SandboxRequest, ctx: FusionContext, status = 200): SandboxResponse {
    return { status, headers: { 'content-type': MEDIA.item }, body: renderSingle(def, rec, href, req.query, ctx.version) };
  }

  /**
   * The JSON body of a write; a body that is not a JSON object is a 400. With a schema (fusion-schemas.ts), any
   * attribute the operation's published schema does not define, at any nesting level, is a 400 too.
   */
  body(req: SandboxRequest, schema?: BodySchema): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.rawBody.toString('utf8') || '{}');
    } catch {
      throw new FusionFault(400, 'The request body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new FusionFault(400, 'The request body must be a JSON object');
    if (schema) checkBody(parsed as Record<string, unknown>, schema);
    return parsed as Record<string, unknown>;
  }

  private authenticate(req: SandboxRequest): void {
    const header = req.headers['authorization'] ?? '';
    const unauthorized = (why: string) =>
      new FusionFault(401, why, { headers: { 'www-authenticate': header.startsWith('Bearer') ? 'Bearer error="invalid_token"' : 'Basic realm="fusion"' } });
    if (header.startsWith('Bearer ')) {
      const exp = this.tokens.get(header.slice(7).trim());
      if (exp === undefined) throw unauthorized('The access token is not valid');
      if (exp <= this.now()) throw unauthorized('The access token has expired');
      return;
    }
    if (header.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (user === this.options.basicUser && rest.join(':') === this.options.basicPassword) return;
      throw unauthorized('Invalid user name or password');
    }
    throw unauthorized('Authentication is required');
  }

  private checkMediaType(req: SandboxRequest, kind: 'item' | 'action'): void {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const allowed =
      kind === 'item'
        ? ['application/json', MEDIA.item]
        : this.options.strict.actionMediaTypeOnly
          ? [MEDIA.action]
          : [MEDIA.action, 'application/json'];
    if (!allowed.includes(type)) {
      throw new FusionFault(415, `The media type ${type || '(none)'} is not supported; use ${allowed.join(' or ')}`);
    }
  }

  // ---- OAuth2 (IDCS / identity domain) --------------------------------------------------------------------------

  private registerAuth(): void {
    this.route('POST', TOKEN_PATH, (req) => {
      const oauthError = (status: number, error: string, description: string): SandboxResponse => ({
        status,
        headers: status === 401 ? { 'www-authenticate': 'Basic realm="oauth"' } : {},
        body: { error, error_description: description },
      });
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') return oauthError(400, 'invalid_request', 'The body must be form-encoded');
      const header = req.headers['authorization'] ?? '';
      const [id, ...rest] = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':') : [];
      if (id !== this.options.clientId || rest.join(':') !== this.options.clientSecret) {
        return oauthError(401, 'invalid_client', 'Client authentication failed.');
      }
      const form = new URLSearchParams(req.rawBody.toString('utf8'));
      if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'Only client_credentials is enabled for this client');
      if (form.get('scope') !== this.options.scope) return oauthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
      const iat = Math.floor(this.now() / 1000);
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const token = [
        b64({ alg: 'RS256', typ: 'JWT', kid: 'SIGNING_KEY' }),
        b64({ sub: id, client_id: id, scope: form.get('scope'), iat, exp: iat + this.options.tokenTtlSec, jti: randomBytes(8).toString('hex') }),
        randomBytes(32).toString('base64url'),
      ].join('.');
      this.tokens.set(token, this.now() + this.options.tokenTtlSec * 1000);
      return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.options.tokenTtlSec } };
    });
  }

  /** Makes every issued token invalid at once (as if the identity domain rotated keys). */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  // ---- procurement --------------------------------------------------------------------------------------------

  private registerProcurement(): void {
    const store = this.procurement;
    const poHref = `${FSCM_ROOT}/purchaseOrders`;
    const linesHref = (po: PurchaseOrder) => `${poHref}/${po.uniqId}/child/lines`;

    this.fusionRoute('GET', poHref, 'read', (req, ctx) => this.collection(purchaseOrderDef, store.pos, this.url + poHref, req, ctx));
    this.fusionRoute('GET', `${poHref}/:po`, 'read', (req, ctx) =>
      this.item(purchaseOrderDef, store.findPo(req.params['po']!), this.url + poHref, req, ctx),
    );
    this.fusionRoute('GET', `${poHref}/:po/child/lines`, 'read', (req, ctx) => {
      const po = store.findPo(req.params['po']!);
      return this.collection(poLineDef, po.lines, this.url + linesHref(po), req, ctx);
    });
    this.fusionRoute('GET', `${poHref}/:po/child/lines/:line`, 'read', (req, ctx) => {
      const po = store.findPo(req.params['po']!);
      return this.item(poLineDef, store.findLine(po, req.params['line']!), this.url + linesHref(po), req, ctx);
    });
    this.fusionRoute('GET', `${poHref}/:po/child/lines/:line/child/schedules`, 'read', (req, ctx) => {
      const po = store.findPo(req.params['po']!);
      const line = store.findLine(po, req.params['line']!);
      return this.collection(scheduleDef, line.schedules, `${this.url}${linesHref(po)}/${line.POLineId}/child/schedules`, req, ctx);
    });
    this.fusionRoute('GET', `${poHref}/:po/child/DFF`, 'read', (req, ctx) => {
      const po = store.findPo(req.params['po']!);
      return this.collection(poDffDef, [po], `${this.url}${poHref}/${po.uniqId}/child/DFF`, req, ctx);
    });

    // The PO actions (close, reopen, cancel) on a PO or one of its lines: the status they change, then a written record.
    const target = (po: PurchaseOrder, lineId: string | undefined) => {
      const line = lineId === undefined ? undefined : store.findLine(po, lineId);
      return { line, current: line?.Status ?? po.Status };
    };
    const changeStatus = (po: PurchaseOrder, line: PoLine | undefined, status: PoStatus, into: Record<string, unknown>[], record: Record<string, unknown>): SandboxResponse => {
      if (line) store.setLineStatus(po, line, status);
      else store.setPoStatus(po, status);
      into.push({ POHeaderId: po.POHeaderId, OrderNumber: po.OrderNumber, ...record, at: fusionTimestamp(this.now()) });
      return { status: 200, headers: { 'content-type': MEDIA.actionResult }, body: { result: 'SUCCESS' } };
    };
    const lineIds = (line: PoLine | undefined) => (line ? { POLineId: line.POLineId, LineNumber: line.LineNumber } : {});
    const close = (req: SandboxRequest, po: PurchaseOrder, lineId?: string): SandboxResponse => {
      const body = this.body(req, PO_CLOSE);
      const action = String(body['closeAction'] ?? '');
      const status = CLOSE_ACTIONS[action];
      if (!status) throw new FusionFault(400, `The value ${action || '(none)'} of closeAction is not valid; use ${Object.keys(CLOSE_ACTIONS).join(', ')}`);
      const { line, current } = target(po, lineId);
      if (current === 'Canceled' || current === 'Finally Closed') {
        throw new FusionFault(400, `The purchase order ${po.OrderNumber} can't be closed because its status is ${current}.`);
      }
      return changeStatus(po, line, status, this.written.closures, { ...lineIds(line), closeAction: action, closeReason: body['closeReason'] ?? null });
    };
    const reopen = (req: SandboxRequest, po: PurchaseOrder, lineId?: string): SandboxResponse => {
      const body = this.body(req, PO_REOPEN);
      const action = String(body['reopenAction'] ?? '');
      const rule = REOPEN_ACTIONS[action];
      if (!rule) throw new FusionFault(400, `The value ${action || '(none)'} of reopenAction is not valid; use ${Object.keys(REOPEN_ACTIONS).join(', ')}`);
      const { line, current } = target(po, lineId);
      if (!rule.from.includes(current)) {
        throw new FusionFault(400, `The purchase order ${po.OrderNumber} can't be reopened with ${action} because its status is ${current}.`);
      }
      return changeStatus(po, line, rule.to, this.written.reopenings, { ...lineIds(line), reopenAction: action, reopenReason: body['reopenReason'] ?? null });
    };
    const cancel = (req: SandboxRequest, po: PurchaseOrder, lineId?: string): SandboxResponse => {
      const body = this.body(req, PO_CANCEL);
      const { line, current } = target(po, lineId);
      if (current !== 'Open') throw new FusionFault(400, `The purchase order ${po.OrderNumber} can't be canceled because its status is ${current}.`);
      const received = (line ? [line] : po.lines).some((l) => l.schedules.some((s) => s.QuantityReceived > 0));
      if (received) throw new FusionFault(400, `The purchase order ${po.OrderNumber} can't be canceled because quantities were received.`);
      return changeStatus(po, line, 'Canceled', this.written.cancellations, { ...(line ? { POLineId: line.POLineId } : {}), ...body });
    };
    for (const [name, act] of Object.entries({ close, reopen, cancel })) {
      this.fusionRoute('POST', `${poHref}/:po/action/${name}`, 'action', (req) => act(req, store.findPo(req.params['po']!)));
      this.fusionRoute('POST', `${poHref}/:po/child/lines/:line/action/${name}`, 'action', (req) => act(req, store.findPo(req.params['po']!), req.params['line']));
    }

    // draftPurchaseOrders: since 25A the PATCH works on open POs for a few attributes, and the DFF child.
    const draftHref = `${FSCM_ROOT}/draftPurchaseOrders`;
    this.fusionRoute('PATCH', `${draftHref}/:po`, 'item', (req, ctx) => {
      const po = store.findPo(req.params['po']!);
      const body = this.body(req, DRAFT_PO_PATCH);
      if (typeof body['Description'] === 'string') po.Description = body['Description'];
      store.touch(po);
      return this.item(purchaseOrderDef, po, this.url + draftHref, req, ctx);
    });
    this.fusionRoute('PATCH', `${draftHref}/:po/child/DFF/:dff`, 'item', (req, ctx) => {
      const po = store.findPo(req.params['po']!);
      if (req.params['dff'] !== String(po.POHeaderId)) throw new FusionFault(404, `The requested resource DFF/${req.params['dff']} was not found`);
      const body = this.body(req, this.dffSchema);
      Object.assign(po.dff, body);
      store.touch(po);
      this.written.dffUpdates.push({ POHeaderId: po.POHeaderId, OrderNumber: po.OrderNumber, ...body, at: po.LastUpdateDate });
      return this.item(poDffDef, po, `${this.url}${draftHref}/${po.POHeaderId}/child/DFF`, req, ctx);
    });

    // Suppliers and ship-to locations (for mapping a PO's ship-to to a warehouse).
    this.fusionRoute('GET', `${FSCM_ROOT}/suppliers`, 'read', (req, ctx) =>
      this.collection(supplierDef, store.suppliers, `${this.url}${FSCM_ROOT}/suppliers`, req, ctx),
    );
    this.fusionRoute('GET', `${FSCM_ROOT}/suppliers/:id`, 'read', (req, ctx) => {
      const s = store.suppliers.find((x) => String(x.SupplierId) === req.params['id']);
      if (!s) throw new FusionFault(404, `The requested resource suppliers/${req.params['id']} was not found`);
      return this.item(supplierDef, s, `${this.url}${FSCM_ROOT}/suppliers`, req, ctx);
    });
    this.fusionRoute('GET', `${FSCM_ROOT}/b2bShipToLocationsLOV`, 'read', (req, ctx) =>
      this.collection(shipToLocationDef, store.locations, `${this.url}${FSCM_ROOT}/b2bShipToLocationsLOV`, req, ctx),
    );

    // Receiving: receipts and ASNs through receivingReceiptRequests.
    const rcvHref = `${FSCM_ROOT}/receivingReceiptRequests`;
    this.fusionRoute('POST', rcvHref, 'item', (req, ctx) => {
      const rec = this.receive(this.body(req, RECEIPT_REQUEST_POST));
      // A create answers with the children it was given, like ADF does for nested POSTs.
      return this.item(receiptRequestDef, rec, this.url + rcvHref, { ...req, query: new URLSearchParams({ expand: 'lines' }) }, ctx, 201);
    });
    this.fusionRoute('GET', rcvHref, 'read', (req, ctx) => this.collection(receiptRequestDef, store.receiptRequests, this.url + rcvHref, req, ctx));
    this.fusionRoute('GET', `${rcvHref}/:id`, 'read', (req, ctx) => {
      const rec = store.receiptRequests.find((r) => String(r.HeaderInterfaceId) === req.params['id']);
      if (!rec) throw new FusionFault(404, `The requested resource receivingReceiptRequests/${req.params['id']} was not found`);
      return this.item(receiptRequestDef, rec, this.url + rcvHref, req, ctx);
    });
  }

  /**
   * Validates every line first, then applies them all (no partial receipts): RECEIVE adds to QuantityReceived,
   * SHIP (an ASN) to QuantityShipped. More than ordered (plus tolerance) is refused with 400.
   */
  private receive(body: Record<string, unknown>): ReceiptRequest {
    const store = this.procurement;
    const { lines, ...header } = body;
    if (!Array.isArray(lines) || !lines.length) throw new FusionFault(400, 'A receipt request needs at least one line in lines');
    if (header['ReceiptSourceCode'] !== undefined && header['ReceiptSourceCode'] !== 'VENDOR') {
      throw new FusionFault(400, `The value ${String(header['ReceiptSourceCode'])} of ReceiptSourceCode is not valid`);
    }
    const asnType = String(header['ASNType'] ?? 'STD');
    if (!['STD', 'ASN', 'ASBN'].includes(asnType)) throw new FusionFault(400, `The value ${asnType} of ASNType is not valid; use STD, ASN or ASBN.`);
    const tolerance = 1 + (this.options.strict.receiptTolerancePct ?? 0) / 100;
    const pending = new Map<PoSchedule, { received: number; shipped: number }>();
    const plan = (lines as Record<string, unknown>[]).map((l, i) => {
      const where = `line ${i + 1}`;
      if (l['SourceDocumentCode'] !== 'PO') throw new FusionFault(400, `${where}: SourceDocumentCode must be PO`);
      const type = String(l['TransactionType'] ?? '');
      if (type !== 'RECEIVE' && type !== 'SHIP') throw new FusionFault(400, `${where}: the value ${type || '(none)'} of TransactionType is not valid`);
      if ((type === 'SHIP') !== (asnType !== 'STD')) {
        throw new FusionFault(400, `${where}: TransactionType ${type} doesn't match the header's ASNType ${asnType} (SHIP lines need ASN or ASBN, RECEIVE lines STD).`);
      }
      const qty = Number(l['Quantity']);
      if (!(qty > 0)) throw new FusionFault(400, `${where}: Quantity must be greater than zero`);
      const po = store.pos.find((p) => p.OrderNumber === String(l['DocumentNumber'] ?? ''));
      if (!po) throw new FusionFault(400, `${where}: the purchase order ${String(l['DocumentNumber'])} is not valid for receiving`);
      const line = po.lines.find((x) => x.LineNumber === Number(l['DocumentLineNumber']));
      if (!line) throw new FusionFault(400, `${where}: line ${String(l['DocumentLineNumber'])} of purchase order ${po.OrderNumber} is not valid`);
      const sched = line.schedules.find((s) => s.ScheduleNumber === Number(l['DocumentShipmentLineNumber'] ?? 1));
      if (!sched) throw new FusionFault(400, `${where}: schedule ${String(l['DocumentShipmentLineNumber'])} is not valid`);
      // Only a PO, line and schedule in a receivable status take receipts and ASNs (reference §4 statuses).
      if (!RECEIVABLE.has(po.Status)) {
        throw new FusionFault(400, `${where}: purchase order ${po.OrderNumber} has status ${po.Status} and can't be received against.`, { errorCode: 'RCV-PO-NOT-RECEIVABLE' });
      }
      for (const [what, status] of [[`line ${line.LineNumber}`, line.Status], [`schedule ${sched.ScheduleNumber} of line ${line.LineNumber}`, sched.Status]] as const) {
        if (!RECEIVABLE.has(status)) {
          throw new FusionFault(400, `${where}: ${what} of purchase order ${po.OrderNumber} has status ${status} and can't be received against.`, { errorCode: 'RCV-PO-NOT-RECEIVABLE' });
        }
      }
      if (l['UnitOfMeasure'] !== undefined && l['UnitOfMeasure'] !== line.UOM) {
        throw new FusionFault(400, `${where}: the unit of measure ${String(l['UnitOfMeasure'])} doesn't match the purchase order line (${line.UOM})`);
      }
      const acc = pending.get(sched) ?? { received: 0, shipped: 0 };
      if (type === 'RECEIVE') acc.received += qty;
      else acc.shipped += qty;
      pending.set(sched, acc);
      const total = type === 'RECEIVE' ? sched.QuantityReceived + acc.received : sched.QuantityShipped + acc.shipped;
      if (total > sched.Quantity * tolerance + 1e-9) {
        throw new FusionFault(
          400,
          `${where}: the quantity ${total} exceeds the quantity ordered (${sched.Quantity}) plus the over-receipt tolerance for purchase order ${po.OrderNumber} line ${line.LineNumber} schedule ${sched.ScheduleNumber}.`,
          { errorCode: 'RCV-OVER-TOLERANCE' },
        );
      }
      return { l, po, line, sched, type, qty };
    });
    const stamp = store.stamp();
    const rec: ReceiptRequest = {
      HeaderInterfaceId: store.id(),
      fields: header,
      lines: [],
      CreationDate: stamp,
      LastUpdateDate: stamp,
    };
    for (const p of plan) {
      if (p.type === 'RECEIVE') p.sched.QuantityReceived += p.qty;
      else p.sched.QuantityShipped += p.qty;
      if (this.options.strict.autoCloseForReceiving && p.sched.QuantityReceived >= p.sched.Quantity) p.sched.Status = 'Closed for Receiving';
      store.touch(p.po);
      const line: ReceiptLine = { InterfaceTransactionId: store.id(), ...p.l, ProcessingStatusCode: 'SUCCESS' };
      rec.lines.push(line);
      (p.type === 'RECEIVE' ? this.written.receipts : this.written.asns).push({
        HeaderInterfaceId: rec.HeaderInterfaceId,
        InterfaceTransactionId: line.InterfaceTransactionId,
        POHeaderId: p.po.POHeaderId,
        OrderNumber: p.po.OrderNumber,
        LineNumber: p.line.LineNumber,
        ScheduleNumber: p.sched.ScheduleNumber,
        Item: p.line.Item,
        Quantity: p.qty,
        header,
        at: stamp,
      });
    }
    store.receiptRequests.push(rec);
    return rec;
  }

  // ---- admin ----------------------------------------------------------------------------------------------------

  private adminRoute(method: string, path: string, handler: (req: SandboxRequest) => unknown): void {
    this.route(method, `/__admin${path}`, (req) => {
      try {
        return { status: 200, body: handler(req) };
      } catch (err) {
        if (err instanceof FusionFault) return renderFault(err, 4);
        throw err;
      }
    });
  }

  /** Seeds `count` POs (see SeedRequest); returns them. */
  seedPurchaseOrders(req: SeedRequest): PurchaseOrder[] {
    return this.procurement.seed(req, this.seed);
  }

  private registerAdmin(): void {
    const summary = (po: PurchaseOrder) => ({ POHeaderId: po.POHeaderId, OrderNumber: po.OrderNumber, uniqId: po.uniqId, LastUpdateDate: po.LastUpdateDate });
    this.adminRoute('POST', '/seed', (req) => ({ created: this.seedPurchaseOrders(req.json<SeedRequest>()).map(summary) }));
    this.adminRoute('GET', '/purchase-orders', () => ({ items: this.procurement.pos }));
    this.adminRoute('POST', '/purchase-orders/:po/lines', (req) => {
      const line = this.procurement.addLine(req.params['po']!, req.json());
      return { POLineId: line.POLineId, LineNumber: line.LineNumber };
    });
    this.adminRoute('PATCH', '/purchase-orders/:po/lines/:lineNumber', (req) => {
      const { Quantity, ScheduleNumber } = req.json<{ Quantity: number; ScheduleNumber?: number }>();
      return this.procurement.changeQuantity(req.params['po']!, Number(req.params['lineNumber']), Number(Quantity), ScheduleNumber);
    });
    this.adminRoute('POST', '/purchase-orders/:po/cancel', (req) => {
      const { LineNumber } = (req.rawBody.length ? req.json() : {}) as { LineNumber?: number };
      return summary(this.procurement.cancel(req.params['po']!, LineNumber));
    });
    // Sets a PO (or one line) to a status, e.g. On Hold, as a buyer would in Fusion: { Status, LineNumber? }.
    this.adminRoute('POST', '/purchase-orders/:po/status', (req) => {
      const { Status, LineNumber } = req.json<{ Status: PoStatus; LineNumber?: number }>();
      if (!PO_STATUSES.includes(Status)) throw new FusionFault(400, `Status must be one of ${PO_STATUSES.join(', ')}`);
      const po = this.procurement.findPo(req.params['po']!);
      if (LineNumber === undefined) this.procurement.setPoStatus(po, Status);
      else this.procurement.setLineStatus(po, this.procurement.lineByNumber(po, LineNumber), Status);
      return summary(po);
    });
    this.adminRoute('GET', '/written', () => this.written);
    this.adminRoute('POST', '/tokens/expire', () => {
      this.expireTokens();
      return { expired: this.tokens.size };
    });
  }
}

function frameworkVersion(req: SandboxRequest): number {
  const raw = req.headers['rest-framework-version'];
  if (raw === undefined) return 1; // Fusion's default when the header is absent
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > 9) throw new FusionFault(400, `The REST-Framework-Version ${String(raw)} is not supported; allowed: 1-9`);
  return v;
}
