import { randomBytes } from 'node:crypto';
import { SandboxServer, type SandboxRequest, type SandboxResponse } from '@mlc/partners-sandbox-kit';
import { FusionFault, renderFault } from './fusion-fault';
import { renderCollection, renderSingle, type ResourceDef } from './fusion-rest';
import {
  checkBody,
  draftPoDffPatch,
  DRAFT_PO_PATCH,
  PO_CANCEL,
  PO_CLOSE,
  PO_REOPEN,
  queryableOf,
  RECEIPT_REQUEST_POST,
  type BodySchema,
} from './fusion-schemas';
import {
  purchaseOrderDef,
  receiptLineDef,
  receiptProcessingErrorDef,
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
  type ShipToLocation,
  type PoStatus,
  type PurchaseOrder,
  type ReceiptRequest,
  type SeedRequest,
} from './fusion.store';
import { registerReceivables, FusionReceivablesStore } from './fusion-receivables';
import { registerPollingReads } from './fusion-polling-reads';
import { registerSoapServices, type SoapStrictSwitches } from './fusion-soap';
import { DEFAULT_FUSION_SETUP, FusionSetupStore, registerSetupLovs, type FusionSetupSeed } from './fusion-setup-lovs';

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
  /**
   * b2bShipToLocationsLOV also answers the location's address (AddressLine1, TownOrCity, Region2, PostalCode, Country,
   * Address); UNCONFIRMED, default false: only LocationId, LocationCode and OrganizationCode.
   */
  shipToLovAddress?: boolean;
  /** A `limit` above the page cap is a 400 (true) or clamped to the cap (false, default). */
  rejectOverCapLimit?: boolean;
  /** Actions accept only `…action+json` (default true); false also accepts `application/json`. */
  actionMediaTypeOnly?: boolean;
  /** Over-receipt tolerance in percent of the ordered quantity (default 0: any excess is refused). */
  receiptTolerancePct?: number;
  /** Fully received schedules become `Closed for Receiving` (default false: only the close action does that). */
  autoCloseForReceiving?: boolean;
  /**
   * Where the receivable-status and over-receipt-tolerance checks of a receipt/ASN happen. Default false: the POST
   * only stages interface records and the receiving processor refuses the line later (ProcessingStatusCode ERROR with
   * a processingErrors row), which is what Oracle's interface model describes; true also refuses them synchronously
   * with 400 on the POST. UNCONFIRMED which one a pod does; the connector works under both.
   */
  receiptChecksAtPost?: boolean;
  /** The ProcessingStatusCode of a processed request/line: `SUCCESS` (default) or `COMPLETED` (UNCONFIRMED). */
  receiptProcessedStatus?: 'SUCCESS' | 'COMPLETED';
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
  /**
   * How long (sandbox clock) a posted receipt/ASN request stays PENDING before the receiving processor handles it.
   * Default 0: processed as part of the POST. The standalone sandbox and the e2e system use a delay, so a pending phase
   * is visible.
   */
  receiptProcessingDelayMs?: number;
  /** Receivables setup the pod's lists of values answer (fusion-setup-lovs.ts). Default: the demo tenant's values. */
  setup?: FusionSetupSeed;
}

/** Everything the connector wrote, for assertions (GET /__admin/written). */
export interface FusionWritten {
  asns: Record<string, unknown>[];
  receipts: Record<string, unknown>[];
  closures: Record<string, unknown>[];
  reopenings: Record<string, unknown>[];
  cancellations: Record<string, unknown>[];
  dffUpdates: Record<string, unknown>[];
  /** draftPurchaseOrders header PATCHes (Description, NoteToReceiver, NoteToSupplier). */
  poUpdates: Record<string, unknown>[];
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
  readonly options: Required<Omit<FusionSandboxOptions, 'strict' | 'seed' | 'run' | 'setup'>> & { strict: FusionStrictSwitches };
  private readonly dffSchema: BodySchema;
  readonly procurement: FusionProcurementStore;
  readonly receivables: FusionReceivablesStore;
  readonly setup = new FusionSetupStore();
  readonly written: FusionWritten = {
    asns: [],
    receipts: [],
    closures: [],
    reopenings: [],
    cancellations: [],
    dffUpdates: [],
    poUpdates: [],
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
      receiptProcessingDelayMs: opts.receiptProcessingDelayMs ?? 0,
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
    this.setup.add(opts.setup ?? DEFAULT_FUSION_SETUP);
    registerSetupLovs(this, this.setup);
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
        this.processReceipts();
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
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    const allowed =
      kind === 'item' ? ['application/json', MEDIA.item] : this.options.strict.actionMediaTypeOnly ? [MEDIA.action] : [MEDIA.action, 'application/json'];
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
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') return oauthError(400, 'invalid_request', 'The body must be form-encoded');
      const header = req.headers['authorization'] ?? '';
      const [id, ...rest] = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':') : [];
      if (id !== this.options.clientId || rest.join(':') !== this.options.clientSecret) {
        return oauthError(401, 'invalid_client', 'Client authentication failed.');
      }
      const form = new URLSearchParams(req.rawBody.toString('utf8'));
      if (form.get('grant_type') !== 'client_credentials')
        return oauthError(400, 'unsupported_grant_type', 'Only client_credentials is enabled for this client');
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

  /**
   * A ship-to location as b2bShipToLocationsLOV answers it. Its address attributes are UNCONFIRMED: by default only the
   * documented keys, and the product reads the address from the PO's ShipToLocationAddress; `strict.shipToLovAddress`
   * adds the structured address.
   */
  lovView(l: ShipToLocation): ShipToLocation {
    return this.options.strict.shipToLovAddress
      ? l
      : ({ LocationId: l.LocationId, LocationCode: l.LocationCode, OrganizationCode: l.OrganizationCode } as ShipToLocation);
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
    this.fusionRoute('GET', `${poHref}/:po`, 'read', (req, ctx) => this.item(purchaseOrderDef, store.findPo(req.params['po']!), this.url + poHref, req, ctx));
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
    const changeStatus = (
      po: PurchaseOrder,
      line: PoLine | undefined,
      status: PoStatus,
      into: Record<string, unknown>[],
      record: Record<string, unknown>,
    ): SandboxResponse => {
      if (line) store.setLineStatus(po, line, status);
      else store.setPoStatus(po, status);
      into.push({ POHeaderId: po.POHeaderId, OrderNumber: po.OrderNumber, ...record, at: fusionTimestamp(this.now()) });
      return { status: 200, headers: { 'content-type': MEDIA.actionResult }, body: { result: 'SUCCESS' } };
    };
    /** The action a body names in `field` and what it does, or Fusion's 400 naming the valid ones. */
    const chosen = <R>(body: Record<string, unknown>, field: string, actions: Record<string, R>): [string, R] => {
      const action = String(body[field] ?? '');
      const rule = actions[action];
      if (!rule) throw new FusionFault(400, `The value ${action || '(none)'} of ${field} is not valid; use ${Object.keys(actions).join(', ')}`);
      return [action, rule];
    };
    const lineIds = (line: PoLine | undefined) => (line ? { POLineId: line.POLineId, LineNumber: line.LineNumber } : {});
    const close = (req: SandboxRequest, po: PurchaseOrder, lineId?: string): SandboxResponse => {
      const body = this.body(req, PO_CLOSE);
      const [action, status] = chosen(body, 'closeAction', CLOSE_ACTIONS);
      const { line, current } = target(po, lineId);
      if (current === 'Canceled' || current === 'Finally Closed') {
        throw new FusionFault(400, `The purchase order ${po.OrderNumber} can't be closed because its status is ${current}.`);
      }
      return changeStatus(po, line, status, this.written.closures, { ...lineIds(line), closeAction: action, closeReason: body['closeReason'] ?? null });
    };
    const reopen = (req: SandboxRequest, po: PurchaseOrder, lineId?: string): SandboxResponse => {
      const body = this.body(req, PO_REOPEN);
      const [action, rule] = chosen(body, 'reopenAction', REOPEN_ACTIONS);
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
      this.fusionRoute('POST', `${poHref}/:po/child/lines/:line/action/${name}`, 'action', (req) =>
        act(req, store.findPo(req.params['po']!), req.params['line']),
      );
    }

    // draftPurchaseOrders: since 25A the PATCH works on open POs for a few attributes, and the DFF child.
    const draftHref = `${FSCM_ROOT}/draftPurchaseOrders`;
    this.fusionRoute('PATCH', `${draftHref}/:po`, 'item', (req, ctx) => {
      const po = store.findPo(req.params['po']!);
      const body = this.body(req, DRAFT_PO_PATCH);
      if (typeof body['Description'] === 'string') po.Description = body['Description'];
      if (typeof body['NoteToReceiver'] === 'string') po.NoteToReceiver = body['NoteToReceiver'];
      store.touch(po);
      this.written.poUpdates.push({ POHeaderId: po.POHeaderId, OrderNumber: po.OrderNumber, ...body, at: po.LastUpdateDate });
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
      this.collection(
        shipToLocationDef,
        store.locations.map((l) => this.lovView(l)),
        `${this.url}${FSCM_ROOT}/b2bShipToLocationsLOV`,
        req,
        ctx,
      ),
    );

    // Receiving: receipts and ASNs through receivingReceiptRequests. The POST stages interface records; the receiving
    // processor handles them `receiptProcessingDelayMs` later (processReceipts), which is what a GET then shows.
    const rcvHref = `${FSCM_ROOT}/receivingReceiptRequests`;
    const findRequest = (id: string | undefined) => {
      const rec = store.receiptRequests.find((r) => String(r.HeaderInterfaceId) === id);
      if (!rec) throw new FusionFault(404, `The requested resource receivingReceiptRequests/${id} was not found`);
      return rec;
    };
    const findRequestLine = (rec: ReceiptRequest, id: string | undefined) => {
      const line = rec.lines.find((l) => String(l.InterfaceTransactionId) === id);
      if (!line) throw new FusionFault(404, `The requested resource lines/${id} was not found`);
      return line;
    };
    this.fusionRoute('POST', rcvHref, 'item', (req, ctx) => {
      const rec = this.stageReceiptRequest(this.body(req, RECEIPT_REQUEST_POST));
      // A create answers with the children it was given, like ADF does for nested POSTs.
      return this.item(receiptRequestDef, rec, this.url + rcvHref, { ...req, query: new URLSearchParams({ expand: 'lines' }) }, ctx, 201);
    });
    this.fusionRoute('GET', rcvHref, 'read', (req, ctx) => this.collection(receiptRequestDef, store.receiptRequests, this.url + rcvHref, req, ctx));
    this.fusionRoute('GET', `${rcvHref}/:id`, 'read', (req, ctx) => this.item(receiptRequestDef, findRequest(req.params['id']), this.url + rcvHref, req, ctx));
    this.fusionRoute('GET', `${rcvHref}/:id/child/lines`, 'read', (req, ctx) => {
      const rec = findRequest(req.params['id']);
      return this.collection(receiptLineDef, rec.lines, `${this.url}${rcvHref}/${rec.HeaderInterfaceId}/child/lines`, req, ctx);
    });
    this.fusionRoute('GET', `${rcvHref}/:id/child/lines/:line`, 'read', (req, ctx) => {
      const rec = findRequest(req.params['id']);
      return this.item(receiptLineDef, findRequestLine(rec, req.params['line']), `${this.url}${rcvHref}/${rec.HeaderInterfaceId}/child/lines`, req, ctx);
    });
    this.fusionRoute('GET', `${rcvHref}/:id/child/lines/:line/child/processingErrors`, 'read', (req, ctx) => {
      const rec = findRequest(req.params['id']);
      const line = findRequestLine(rec, req.params['line']);
      const href = `${this.url}${rcvHref}/${rec.HeaderInterfaceId}/child/lines/${line.InterfaceTransactionId}/child/processingErrors`;
      return this.collection(receiptProcessingErrorDef, line.processingErrors, href, req, ctx);
    });
  }

  /**
   * The POST of a receipt or ASN request: checks what the interface itself takes (shape, document references, units;
   * with `receiptChecksAtPost` also statuses and tolerance, as 400s) and stages it PENDING. Nothing is received yet.
   */
  private stageReceiptRequest(body: Record<string, unknown>): ReceiptRequest {
    const store = this.procurement;
    const { lines, ...header } = body;
    if (!Array.isArray(lines) || !lines.length) throw new FusionFault(400, 'A receipt request needs at least one line in lines');
    if (header['ReceiptSourceCode'] !== undefined && header['ReceiptSourceCode'] !== 'VENDOR') {
      throw new FusionFault(400, `The value ${String(header['ReceiptSourceCode'])} of ReceiptSourceCode is not valid`);
    }
    const asnType = String(header['ASNType'] ?? 'STD');
    if (!['STD', 'ASN', 'ASBN'].includes(asnType)) throw new FusionFault(400, `The value ${asnType} of ASNType is not valid; use STD, ASN or ASBN.`);
    const posted = lines as Record<string, unknown>[];
    posted.forEach((l, i) => {
      const where = `line ${i + 1}`;
      if (l['SourceDocumentCode'] !== 'PO') throw new FusionFault(400, `${where}: SourceDocumentCode must be PO`);
      const type = String(l['TransactionType'] ?? '');
      if (type !== 'RECEIVE' && type !== 'SHIP') throw new FusionFault(400, `${where}: the value ${type || '(none)'} of TransactionType is not valid`);
      if ((type === 'SHIP') !== (asnType !== 'STD')) {
        throw new FusionFault(
          400,
          `${where}: TransactionType ${type} doesn't match the header's ASNType ${asnType} (SHIP lines need ASN or ASBN, RECEIVE lines STD).`,
        );
      }
      if (!(Number(l['Quantity']) > 0)) throw new FusionFault(400, `${where}: Quantity must be greater than zero`);
      const po = store.pos.find((p) => p.OrderNumber === String(l['DocumentNumber'] ?? ''));
      if (!po) throw new FusionFault(400, `${where}: the purchase order ${String(l['DocumentNumber'])} is not valid for receiving`);
      const line = po.lines.find((x) => x.LineNumber === Number(l['DocumentLineNumber']));
      if (!line) throw new FusionFault(400, `${where}: line ${String(l['DocumentLineNumber'])} of purchase order ${po.OrderNumber} is not valid`);
      const sched = line.schedules.find((s) => s.ScheduleNumber === Number(l['DocumentShipmentLineNumber'] ?? 1));
      if (!sched) throw new FusionFault(400, `${where}: schedule ${String(l['DocumentShipmentLineNumber'])} is not valid`);
      if (l['UnitOfMeasure'] !== undefined && l['UnitOfMeasure'] !== line.UOM) {
        throw new FusionFault(400, `${where}: the unit of measure ${String(l['UnitOfMeasure'])} doesn't match the purchase order line (${line.UOM})`);
      }
    });
    if (this.options.strict.receiptChecksAtPost) {
      const refused = this.receivingChecks(posted).find((c) => c.error);
      if (refused?.error) throw new FusionFault(400, `line ${refused.index + 1}: ${refused.error.message}`, { errorCode: refused.error.code });
    }
    const stamp = store.stamp();
    const rec: ReceiptRequest = {
      HeaderInterfaceId: store.id(),
      fields: header,
      lines: posted.map((l) => ({
        InterfaceTransactionId: store.id(),
        fields: l,
        ProcessingStatusCode: 'PENDING',
        TransactionStatusCode: 'PENDING',
        processingErrors: [],
      })),
      ProcessingStatusCode: 'PENDING',
      processAt: this.now() + this.options.receiptProcessingDelayMs,
      CreationDate: stamp,
      LastUpdateDate: stamp,
    };
    store.receiptRequests.push(rec);
    this.processReceipts();
    return rec;
  }

  /**
   * What the receiving processor checks per line against the PO as it stands: a PO, line and schedule in a receivable
   * status, and the quantity within the ordered quantity plus the over-receipt tolerance (lines of one request add up).
   */
  private receivingChecks(lines: readonly Record<string, unknown>[]): {
    index: number;
    po: PurchaseOrder;
    line: PoLine;
    sched: PoSchedule;
    qty: number;
    type: string;
    error?: { code: string; message: string; column: string };
  }[] {
    const store = this.procurement;
    const tolerance = 1 + (this.options.strict.receiptTolerancePct ?? 0) / 100;
    const pending = new Map<PoSchedule, { received: number; shipped: number }>();
    return lines.map((l, index) => {
      const po = store.pos.find((p) => p.OrderNumber === String(l['DocumentNumber'] ?? ''))!;
      const line = po.lines.find((x) => x.LineNumber === Number(l['DocumentLineNumber']))!;
      const sched = line.schedules.find((s) => s.ScheduleNumber === Number(l['DocumentShipmentLineNumber'] ?? 1))!;
      const type = String(l['TransactionType']);
      const qty = Number(l['Quantity']);
      const out = { index, po, line, sched, qty, type };
      // Only a PO, line and schedule in a receivable status take receipts and ASNs (reference §4 statuses).
      const statuses = [
        [`purchase order ${po.OrderNumber}`, po.Status],
        [`line ${line.LineNumber} of purchase order ${po.OrderNumber}`, line.Status],
        [`schedule ${sched.ScheduleNumber} of line ${line.LineNumber} of purchase order ${po.OrderNumber}`, sched.Status],
      ] as const;
      for (const [what, status] of statuses) {
        if (!RECEIVABLE.has(status)) {
          return {
            ...out,
            error: { code: 'RCV-PO-NOT-RECEIVABLE', column: 'PO_LINE_LOCATION_ID', message: `${what} has status ${status} and can't be received against.` },
          };
        }
      }
      const acc = pending.get(sched) ?? { received: 0, shipped: 0 };
      if (type === 'RECEIVE') acc.received += qty;
      else acc.shipped += qty;
      pending.set(sched, acc);
      const total = type === 'RECEIVE' ? sched.QuantityReceived + acc.received : sched.QuantityShipped + acc.shipped;
      if (total > sched.Quantity * tolerance + 1e-9) {
        return {
          ...out,
          error: {
            code: 'RCV-OVER-TOLERANCE',
            column: 'QUANTITY',
            message: `the quantity ${total} exceeds the quantity ordered (${sched.Quantity}) plus the over-receipt tolerance for purchase order ${po.OrderNumber} line ${line.LineNumber} schedule ${sched.ScheduleNumber}.`,
          },
        };
      }
      return out;
    });
  }

  /**
   * The receiving processor: every staged request whose time has come is processed, oldest first. A request is
   * applied whole or not at all: RECEIVE adds to QuantityReceived, SHIP (an ASN) to QuantityShipped; if any line
   * fails, every line ends in ERROR and the failing ones carry a processingErrors row with Oracle's message.
   */
  processReceipts(): void {
    const store = this.procurement;
    const now = this.now();
    const done = this.options.strict.receiptProcessedStatus ?? 'SUCCESS';
    for (const rec of store.receiptRequests) {
      if (rec.ProcessingStatusCode !== 'PENDING' || rec.processAt > now) continue;
      const checks = this.receivingChecks(rec.lines.map((l) => l.fields));
      const failed = checks.some((c) => c.error);
      const stamp = store.stamp();
      rec.LastUpdateDate = stamp;
      rec.ProcessingStatusCode = failed ? 'ERROR' : done;
      checks.forEach((c, i) => {
        const line = rec.lines[i]!;
        line.ProcessingStatusCode = failed ? 'ERROR' : done;
        line.TransactionStatusCode = failed ? 'ERROR' : done;
        if (c.error) {
          line.processingErrors.push({
            InterfaceErrorId: store.id(),
            ErrorMessage: c.error.message,
            ErrorMessageName: c.error.code,
            ColumnName: c.error.column,
            TableName: 'RCV_TRANSACTIONS_INTERFACE',
          });
        }
      });
      if (failed) continue;
      for (const c of checks) {
        if (c.type === 'RECEIVE') c.sched.QuantityReceived += c.qty;
        else c.sched.QuantityShipped += c.qty;
        if (this.options.strict.autoCloseForReceiving && c.sched.QuantityReceived >= c.sched.Quantity) c.sched.Status = 'Closed for Receiving';
        store.touch(c.po);
        (c.type === 'RECEIVE' ? this.written.receipts : this.written.asns).push({
          HeaderInterfaceId: rec.HeaderInterfaceId,
          InterfaceTransactionId: rec.lines[c.index]!.InterfaceTransactionId,
          POHeaderId: c.po.POHeaderId,
          OrderNumber: c.po.OrderNumber,
          LineNumber: c.line.LineNumber,
          ScheduleNumber: c.sched.ScheduleNumber,
          Item: c.line.Item,
          Quantity: c.qty,
          header: rec.fields,
          at: stamp,
        });
      }
    }
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
    this.adminRoute('GET', '/written', () => {
      this.processReceipts();
      return this.written;
    });
    // Adds receivables setup values (FusionSetupSeed: businessUnits, transactionSources, transactionTypes,
    // accountCombinations [{combination, enabled}], refused LOV names) as a consultant would in Setup.
    this.adminRoute('POST', '/setup', (req) => {
      this.setup.add(req.json<FusionSetupSeed>());
      const { businessUnits, transactionSources, transactionTypes, accountCombinations, refused } = this.setup;
      return { businessUnits, transactionSources, transactionTypes, accountCombinations, refused: [...refused] };
    });
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
