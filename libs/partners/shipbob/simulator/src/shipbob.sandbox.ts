import { SandboxHttpError, SandboxServer, WebhookDispatcher, type SandboxRequest, type SandboxResponse } from '@mlc/partners-sandbox-kit';
import { ShipbobWebhookSigner, WEBHOOK_SECRET_PATTERN, generateWebhookSecret } from './shipbob-webhook.signer';
import { SlidingWindowLimiter } from './sliding-window.limiter';
import { OPERATIONS, PRODUCT_BY_REFERENCE, TOKEN_FORM, type ObjectSpec } from './shipbob-request.schemas';
import { validateBody, validateQuery, type ValidationErrors } from './shipbob-request.validator';
import {
  ALL_SCOPES,
  API_VERSION,
  WEBHOOK_TOPICS,
  type Address,
  type CancellationRecord,
  type Channel,
  type Location,
  type Order,
  type OrderLine,
  type OrderStatus,
  type Product,
  type ReceivingOrder,
  type Shipment,
  type StatusDetail,
  type Transaction,
  type WebhookSubscription,
  type WebhookTopic,
} from './shipbob-sandbox.models';

/** ShipBob's webhook retry schedule after each failed attempt, in seconds (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
export const SHIPBOB_WEBHOOK_RETRY_SCHEDULE_SEC = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000];
/** A delivery counts as failed when no 2xx arrives within 15 s. */
export const SHIPBOB_WEBHOOK_TIMEOUT_SEC = 15;
export const ACCESS_TOKEN_TTL_SEC = 3600;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
export const AUTH_CODE_TTL_MS = 2 * 60 * 1000;
export const DUPLICATE_ORDER_MESSAGE = 'Cannot insert order with existing ReferenceId';

export interface ShipbobSandboxOptions {
  /** Seed for the deterministic PRNG (ids, tokens, secrets). */
  seed?: number;
  /** Requests per window (150) and the window length (60 s). */
  rateLimit?: { limit?: number; windowMs?: number };
  /** Divides webhook retry delays and timeout (1000 = a 5-minute retry after 300 ms). */
  webhookTimeScale?: number;
  /** Numbering run (default 0): order/line/shipment/receiving ids start run × 10^7 further on. */
  run?: number;
  /** Floor of the scaled webhook answer timeout (see DispatcherOptions.minTimeoutMs). */
  webhookMinTimeoutMs?: number;
  /**
   * Where a reference_id must be unique. ShipBob's guides DISAGREE (account vs reference_id + channel);
   * the stricter 'account' is the default.
   */
  duplicateScope?: 'account' | 'channel';
  /** Status answered when `shipbob_channel_id` is missing on a write that needs it (UNCONFIRMED; 400 likely). */
  missingChannelHeaderStatus?: number;
  /** Status of a freshly created order: the docs show `ImportReview`; `Processing` also plausible. */
  initialOrderStatus?: 'Processing' | 'ImportReview';
  /** Whether cancelling through the API sends order.shipment.cancelled (docs: not for manual cancels). */
  webhookOnApiCancel?: boolean;
  /**
   * A second subscription for a URL that already has one for one of the same topics (UNCONFIRMED: the 2026-01
   * OpenAPI and the webhook guides say nothing either way): 'refuse' (default, the stricter reading) -> 400 naming
   * the topics, 'allow' -> both subscriptions deliver.
   */
  duplicateWebhookSubscriptions?: 'refuse' | 'allow';
  /**
   * Unknown body properties and query parameters (UNCONFIRMED whether ShipBob refuses them; every schema of the
   * 2026-01 OpenAPI says additionalProperties false): 'refuse' (default) -> 400, 'ignore'.
   */
  unknownFields?: 'refuse' | 'ignore';
  /**
   * When an order item by reference_id needs `name` (DISAGREE: the OpenAPI lists it as required on
   * Orders.AddProductToOrderByReferenceIdModel; the guides say only to create an unknown product). 'always' (default)
   * -> 400 when absent; 'to-create' -> only a reference_id without a product needs it. Either way an unknown
   * reference_id without a name is 422 `Name is required because no product with reference_id … exists`.
   */
  productName?: 'always' | 'to-create';
  /**
   * Whether a carrier-side change alone (in transit, out for delivery, delivered: a tracking update) moves the order's
   * last update, the date `GET /order` filters with `LastUpdateStartDate`/`LastUpdateEndDate`. UNCONFIRMED: the
   * OpenAPI 2026-01 (paths./2026-01/order.get) documents "orders updated later than" and, separately,
   * `LastTrackingUpdateStartDate` "orders with tracking updates later than". Default false (stricter): only the
   * tracking filter finds a delivery.
   */
  trackingMovesOrderLastUpdate?: boolean;
}

export interface SeedInput {
  channel?: Partial<Channel>;
  /** The PAT to accept (generated when absent and no PAT exists yet). */
  pat?: string;
  products?: Array<{ sku: string; name: string; on_hand_qty?: number; upc?: string; gtin?: string }>;
  fulfillmentCenters?: Array<{ id?: number; name: string; abbreviation?: string; timezone?: string; address?: Address }>;
  oauthClients?: Array<{ client_id: string; client_secret: string; redirect_uris: string[] }>;
}

export interface SeedResult {
  channel: Channel;
  pat: string;
  products: Product[];
  locations: Location[];
}

export interface WebhookSwitches {
  /** Send every webhook twice. */
  duplicate?: boolean;
  /** Hold webhooks until POST /__admin/webhooks/flush, then send newest first. */
  reorder?: boolean;
  /** Sign with a wrong key (the receiver must reject these). */
  badSignature?: boolean;
  /** Overrides the time scale of retries. */
  timeScale?: number;
  /**
   * Lose webhooks: `true` drops every one, a list drops those topics. A dropped webhook is logged in `sent` with
   * `dropped: true` and never delivered (nor retried), as when ShipBob gives up or a delivery is lost.
   */
  drop?: boolean | WebhookTopic[];
}

export interface SentWebhook {
  id: string;
  topic: WebhookTopic;
  url: string;
  subscriptionId: string;
  body: string;
  badSignature: boolean;
  /** Not delivered (switch `drop`). */
  dropped?: boolean;
}

/** Lifecycle steps the driver applies to one shipment. */
export const LIFECYCLE_STEPS = [
  'pick',
  'pack',
  'label',
  'ship',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'exception',
  'on_hold',
  'release',
  'cancel',
] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];
export const HAPPY_PATH: LifecycleStep[] = ['pick', 'pack', 'label', 'ship', 'in_transit', 'out_for_delivery', 'delivered'];

interface Grant {
  kind: 'pat' | 'oauth';
  subject: string;
  scopes: Set<string>;
  expiresAtMs?: number;
}

interface OAuthClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  expiresAtMs: number;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  scopes: string[];
  expiresAtMs: number;
  used: boolean;
}

interface ApiContext {
  grant: Grant;
  /** The channel named by `shipbob_channel_id`, when sent. */
  channel: Channel | undefined;
}

type ApiHandler = (req: SandboxRequest, ctx: ApiContext) => SandboxResponse | Promise<SandboxResponse>;

const DETAIL: Record<string, { id: number; description: string }> = {
  Picked: { id: 100, description: 'Items picked' },
  Packed: { id: 101, description: 'Items packed' },
  Labeled: { id: 102, description: 'Label printed' },
  Processing: { id: 200, description: 'Awaiting carrier pickup' },
  InTransit: { id: 201, description: 'In transit' },
  OutForDelivery: { id: 202, description: 'Out for delivery' },
  Delivered: { id: 203, description: 'Delivered' },
  OutOfStock: { id: 303, description: 'Not enough inventory' },
  UnknownSku: { id: 304, description: 'Unknown SKU' },
  PaymentDeclined: { id: 400, description: 'Payment declined' },
  InvalidAddress: { id: 401, description: 'Invalid address' },
};

const CANCELLABLE_BEFORE_PICK = new Set(['None', 'ImportReview', 'Processing', 'OnHold', 'Exception']);

/**
 * An in-process ShipBob (API 2026-01): PAT and OAuth2 auth, the 150/min sliding-window limit, channels, orders,
 * shipments, products, locations, receiving, billing and webhook subscriptions, plus a lifecycle driver under
 * /__admin that moves shipments pick -> pack -> label -> ship -> delivered and sends signed webhooks.
 */
export class ShipbobSandbox extends SandboxServer {
  readonly options: Required<Omit<ShipbobSandboxOptions, 'rateLimit' | 'seed' | 'webhookMinTimeoutMs' | 'run'>>;
  readonly limiter: SlidingWindowLimiter;
  readonly dispatcher: WebhookDispatcher;
  readonly webhookSwitches: WebhookSwitches = {};

  readonly channels: Channel[] = [];
  readonly products: Product[] = [];
  readonly locations: Location[] = [];
  readonly orders: Order[] = [];
  /** The orders by reference_id (in creation order): duplicate checks and ReferenceIds look-ups without a scan. */
  private readonly ordersByReference = new Map<string, Order[]>();
  readonly cancellations: CancellationRecord[] = [];
  readonly receivingOrders: ReceivingOrder[] = [];
  readonly transactions: Transaction[] = [];
  readonly subscriptions: WebhookSubscription[] = [];
  readonly sentWebhooks: SentWebhook[] = [];

  private readonly pats = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, Grant>();
  private readonly oauthClients = new Map<string, OAuthClient>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private nextId: {
    channel: number;
    product: number;
    variant: number;
    inventory: number;
    order: number;
    line: number;
    shipment: number;
    wro: number;
    location: number;
  };
  private transactionSeq = 0;

  constructor(options: ShipbobSandboxOptions = {}) {
    super('shipbob', options.seed ?? 7);
    // A numbering run moves order, line, shipment and receiving ids, so a restarted standalone sandbox never repeats
    // the ids of a previous run that the connector's database remembers (channels, products and locations stay put).
    const run = (options.run ?? 0) * 10_000_000;
    this.nextId = {
      channel: 1000,
      product: 5000,
      variant: 6000,
      inventory: 7000,
      order: 100_000 + run,
      line: 300_000 + run,
      shipment: 200_000 + run,
      wro: 900 + run,
      location: 10,
    };
    this.options = {
      webhookTimeScale: options.webhookTimeScale ?? 1000,
      duplicateScope: options.duplicateScope ?? 'account',
      missingChannelHeaderStatus: options.missingChannelHeaderStatus ?? 400,
      initialOrderStatus: options.initialOrderStatus ?? 'Processing',
      webhookOnApiCancel: options.webhookOnApiCancel ?? false,
      duplicateWebhookSubscriptions: options.duplicateWebhookSubscriptions ?? 'refuse',
      unknownFields: options.unknownFields ?? 'refuse',
      productName: options.productName ?? 'always',
      trackingMovesOrderLastUpdate: options.trackingMovesOrderLastUpdate ?? false,
    };
    this.limiter = new SlidingWindowLimiter(options.rateLimit?.limit ?? 150, options.rateLimit?.windowMs ?? 60_000);
    this.dispatcher = new WebhookDispatcher({
      retryScheduleSec: SHIPBOB_WEBHOOK_RETRY_SCHEDULE_SEC,
      timeoutSec: SHIPBOB_WEBHOOK_TIMEOUT_SEC,
      timeScale: this.options.webhookTimeScale,
      minTimeoutMs: options.webhookMinTimeoutMs,
    });
    this.rateLimitResponse = (sec) => rateLimited(sec);
    this.registerOAuth();
    this.registerApi();
    this.registerAdmin();
  }

  override async close(): Promise<void> {
    this.dispatcher.close();
    await super.close();
  }

  // ---------------------------------------------------------------- seeding

  seedData(input: SeedInput = {}): SeedResult {
    let channel = input.channel?.id !== undefined ? this.channels.find((c) => c.id === input.channel!.id) : undefined;
    if (!channel && (input.channel || this.channels.length === 0)) {
      channel = {
        id: input.channel?.id ?? this.nextId.channel++,
        name: input.channel?.name ?? 'ML Connector',
        application_name: input.channel?.application_name ?? 'SMA',
        scopes: input.channel?.scopes ?? [...ALL_SCOPES],
      };
      this.channels.push(channel);
    }
    channel ??= this.channels[0]!;
    let pat = input.pat ?? [...this.pats.keys()][0];
    if (!pat) pat = this.token('sbpat_', 40);
    if (!this.pats.has(pat)) this.pats.set(pat, { kind: 'pat', subject: `pat:${pat.slice(-6)}`, scopes: new Set(ALL_SCOPES) });
    for (const c of input.oauthClients ?? []) this.oauthClients.set(c.client_id, { ...c });
    const locations = (input.fulfillmentCenters ?? []).map((fc) => this.addLocation(fc));
    const products = (input.products ?? []).map((p) => this.addProduct(p.sku, p.name, p.on_hand_qty ?? 0, p.upc, p.gtin));
    return { channel, pat, products, locations };
  }

  private addLocation(fc: NonNullable<SeedInput['fulfillmentCenters']>[number]): Location {
    const id = fc.id ?? this.nextId.location++;
    const existing = this.locations.find((l) => l.id === id);
    if (existing) return existing;
    const loc: Location = {
      id,
      name: fc.name,
      abbreviation: fc.abbreviation ?? fc.name.slice(0, 3).toUpperCase(),
      timezone: fc.timezone ?? 'Central Standard Time',
      is_active: true,
      is_receiving_enabled: true,
      is_shipping_enabled: true,
      access_granted: true,
      attributes: [],
      region: { id: 1, name: 'US' },
      address: fc.address ?? { address1: '1 Warehouse Way', city: fc.name, country: 'US', state: 'IL', zip_code: '60650' },
    };
    this.locations.push(loc);
    return loc;
  }

  private addProduct(sku: string, name: string, onHand: number, upc?: string, gtin?: string): Product {
    const existing = this.findVariantBySku(sku);
    if (existing) return existing.product;
    const product: Product = {
      id: this.nextId.product++,
      name,
      type: 'Regular',
      created_on: this.iso(),
      variants: [
        {
          id: this.nextId.variant++,
          sku,
          name,
          status: 'Active',
          upc: upc ?? null,
          gtin: gtin ?? null,
          inventory: { inventory_id: this.nextId.inventory++, on_hand_qty: onHand },
        },
      ],
    };
    this.products.push(product);
    return product;
  }

  // ---------------------------------------------------------------- OAuth2 (auth host: /connect/*)

  /** Mints an authorization code as if the merchant approved the app (what /connect/authorize does). */
  issueAuthorizationCode(clientId: string, redirectUri: string, scopes: string[]): string {
    const code = this.token('code_', 32);
    this.codes.set(code, { clientId, redirectUri, scopes, expiresAtMs: this.now() + AUTH_CODE_TTL_MS, used: false });
    return code;
  }

  private registerOAuth(): void {
    this.route('GET', '/connect/authorize', (req) => {
      const q = req.query;
      const client = this.oauthClients.get(q.get('client_id') ?? '');
      const redirectUri = q.get('redirect_uri') ?? '';
      if (!client) throw new SandboxHttpError(400, { error: 'invalid_client' });
      if (!client.redirect_uris.includes(redirectUri))
        throw new SandboxHttpError(400, { error: 'invalid_request', error_description: 'redirect_uri is not registered' });
      const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
      const unknown = scopes.filter((s) => !(ALL_SCOPES as readonly string[]).includes(s) && s !== 'offline_access' && s !== 'openid');
      if (unknown.length) throw new SandboxHttpError(400, { error: 'invalid_scope', error_description: unknown.join(' ') });
      const code = this.issueAuthorizationCode(client.client_id, redirectUri, scopes);
      const params = new URLSearchParams({ code, scope: scopes.join(' '), state: q.get('state') ?? '' });
      const sep = q.get('response_mode') === 'query' ? '?' : '#';
      return { status: 302, headers: { location: `${redirectUri}${sep}${params.toString()}` } };
    });

    this.route('POST', '/connect/token', (req) => {
      const form = new URLSearchParams(req.rawBody.toString('utf8'));
      let clientId = form.get('client_id') ?? '';
      let clientSecret = form.get('client_secret') ?? '';
      const basic = /^Basic (.+)$/i.exec(String(req.headers['authorization'] ?? ''));
      if (basic?.[1]) [clientId = '', clientSecret = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      const client = this.oauthClients.get(clientId);
      if (!client || client.client_secret !== clientSecret) throw new SandboxHttpError(401, { error: 'invalid_client' });
      const grantType = form.get('grant_type');
      const allowed = TOKEN_FORM[grantType ?? ''];
      const unknownFields = allowed && this.options.unknownFields === 'refuse' ? [...form.keys()].filter((k) => !allowed.includes(k)) : [];
      if (unknownFields.length)
        throw new SandboxHttpError(400, { error: 'invalid_request', error_description: `unsupported parameters: ${unknownFields.join(', ')}` });
      const now = this.now();
      if (grantType === 'authorization_code') {
        const code = this.codes.get(form.get('code') ?? '');
        if (!code || code.used || code.expiresAtMs <= now || code.clientId !== clientId || code.redirectUri !== form.get('redirect_uri')) {
          throw new SandboxHttpError(400, { error: 'invalid_grant' });
        }
        code.used = true;
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: this.issueTokens(clientId, code.scopes) };
      }
      if (grantType === 'refresh_token') {
        const rt = this.refreshTokens.get(form.get('refresh_token') ?? '');
        if (!rt || rt.used || rt.expiresAtMs <= now || rt.clientId !== clientId) throw new SandboxHttpError(400, { error: 'invalid_grant' });
        rt.used = true; // rotation: a refresh token works once
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: this.issueTokens(clientId, rt.scopes) };
      }
      throw new SandboxHttpError(400, { error: 'unsupported_grant_type' });
    });
  }

  private issueTokens(clientId: string, scopes: string[]): Record<string, unknown> {
    const access = this.token('sbat_', 48);
    const apiScopes = scopes.filter((s) => s !== 'offline_access' && s !== 'openid');
    this.accessTokens.set(access, {
      kind: 'oauth',
      subject: `oauth:${clientId}`,
      scopes: new Set(apiScopes),
      expiresAtMs: this.now() + ACCESS_TOKEN_TTL_SEC * 1000,
    });
    const body: Record<string, unknown> = {
      access_token: access,
      expires_in: ACCESS_TOKEN_TTL_SEC,
      token_type: 'Bearer',
      scope: scopes.join(' '),
      id_token: `sandbox.${Buffer.from(JSON.stringify({ sub: clientId })).toString('base64url')}.sig`,
    };
    if (scopes.includes('offline_access')) {
      const refresh = this.token('sbrt_', 48);
      this.refreshTokens.set(refresh, { clientId, scopes, expiresAtMs: this.now() + REFRESH_TOKEN_TTL_MS, used: false });
      body['refresh_token'] = refresh;
    }
    return body;
  }

  private authenticate(req: SandboxRequest): Grant {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers['authorization'] ?? ''));
    if (!m?.[1]) throw new SandboxHttpError(401, { message: 'Authorization has been denied for this request.' }, { 'www-authenticate': 'Bearer' });
    const token = m[1];
    const grant = this.pats.get(token) ?? this.accessTokens.get(token);
    if (!grant)
      throw new SandboxHttpError(401, { message: 'Authorization has been denied for this request.' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    if (grant.expiresAtMs !== undefined && grant.expiresAtMs <= this.now()) {
      throw new SandboxHttpError(
        401,
        { message: 'The access token expired.' },
        { 'www-authenticate': 'Bearer error="invalid_token", error_description="The token expired"' },
      );
    }
    return grant;
  }

  // ---------------------------------------------------------------- the partner API

  /**
   * One partner operation. `op` keys its request spec in OPERATIONS (shipbob-request.schemas.ts): the query and
   * body are checked against it before the handler runs.
   */
  private api(op: string, path: string, scope: string, channel: 'required' | 'optional' | 'ignored', handler: ApiHandler): void {
    const [method, specPath] = op.split(' ') as [string, string];
    const spec = OPERATIONS[op];
    if (!spec) throw new Error(`no request spec for ${op}`);
    const body = op === 'POST /order' ? this.createOrderSpec() : spec.body;
    this.route(method, `/${API_VERSION}${path}`, async (req) => {
      const grant = this.authenticate(req);
      const decision = this.limiter.take(grant.subject, this.now());
      if (!decision.allowed) {
        const r = rateLimited(decision.retryAfterSec);
        throw new SandboxHttpError(r.status, r.body, r.headers);
      }
      const rl = { 'x-remaining-calls': String(decision.remaining) };
      try {
        if (!grant.scopes.has(scope)) throw new SandboxHttpError(403, { message: `Missing scope ${scope}` });
        const ctx: ApiContext = { grant, channel: channel === 'ignored' ? undefined : this.channelFromHeader(req, channel === 'required') };
        if (ctx.channel && channel === 'required' && scope.endsWith('_write') && !ctx.channel.scopes.includes(scope)) {
          throw new SandboxHttpError(403, { message: `Channel ${ctx.channel.id} lacks scope ${scope}` });
        }
        this.validateRequest(specPath, req, spec.query, body);
        const res = await handler(req, ctx);
        return { ...res, headers: { ...rl, ...(res.headers ?? {}) } };
      } catch (err) {
        if (err instanceof SandboxHttpError) throw new SandboxHttpError(err.status, err.body, { ...rl, ...err.headers });
        throw err;
      }
    });
  }

  /**
   * Refuses a request that ShipBob's published schema for the operation does not allow: unknown or ill-typed query
   * parameters and body members, missing required ones, values outside an enum. 400 in the operation's error shape.
   */
  private validateRequest(op: string, req: SandboxRequest, query: Parameters<typeof validateQuery>[0], body: ObjectSpec | undefined): void {
    const opts = { unknownFields: this.options.unknownFields };
    const errors: ValidationErrors = validateQuery(query, req.query, opts);
    if (body) {
      let parsed: unknown;
      try {
        parsed = req.rawBody.length ? JSON.parse(req.rawBody.toString('utf8')) : undefined;
      } catch {
        errors[''] = ['The request body is not valid JSON.'];
      }
      if (!errors['']) Object.assign(errors, validateBody(body, parsed, opts));
    } else if (req.rawBody.length && this.options.unknownFields === 'refuse') {
      errors[''] = ['This operation takes no request body.'];
    }
    if (Object.keys(errors).length) throw new SandboxHttpError(400, validationBody(op, errors));
  }

  /** Orders.CreateOrderModel with the product `name` rule of the `productName` switch. */
  private createOrderSpec(): ObjectSpec {
    const create = OPERATIONS['POST /order']!.body!;
    if (this.options.productName === 'always') return create;
    const byReference: ObjectSpec = { ...PRODUCT_BY_REFERENCE, required: PRODUCT_BY_REFERENCE.required.filter((r) => r !== 'name') };
    const products = create.properties['products']!;
    return {
      ...create,
      properties: {
        ...create.properties,
        products: { ...products, items: { ...products.items!, oneOf: products.items!.oneOf!.map((o) => (o === PRODUCT_BY_REFERENCE ? byReference : o)) } },
      },
    };
  }

  private channelFromHeader(req: SandboxRequest, required: boolean): Channel | undefined {
    const raw = req.headers['shipbob_channel_id'];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') {
      if (!required) return undefined;
      throw new SandboxHttpError(this.options.missingChannelHeaderStatus, { shipbob_channel_id: ['The shipbob_channel_id header is required.'] });
    }
    const channel = /^\d+$/.test(value) ? this.channels.find((c) => c.id === Number(value)) : undefined;
    if (!channel) throw new SandboxHttpError(400, { shipbob_channel_id: [`Channel ${value} was not found.`] });
    return channel;
  }

  private registerApi(): void {
    this.api('GET /channel', '/channel', 'channels_read', 'ignored', () => ({ status: 200, body: { items: this.channels, next: null, prev: null } }));

    // ---- orders
    this.api('POST /order', '/order', 'orders_write', 'required', (req, ctx) => ({ status: 201, body: this.createOrder(req.json(), ctx.channel!) }));
    this.api('GET /order', '/order', 'orders_read', 'optional', (req, ctx) => ({ status: 200, body: this.listOrders(req.query, ctx.channel) }));
    this.api('GET /order/{orderId}', '/order/:orderId', 'orders_read', 'optional', (req, ctx) => ({
      status: 200,
      body: this.orderOr404(req.params['orderId'], ctx.channel),
    }));
    this.api('POST /order/{orderId}:cancel', '/order/:orderAction', 'orders_write', 'optional', (req, ctx) => {
      const m = /^(\d+):cancel$/.exec(req.params['orderAction'] ?? '');
      if (!m?.[1]) throw new SandboxHttpError(404, { message: 'Not found' });
      return { status: 200, body: this.cancelOrder(this.orderOr404(m[1], ctx.channel)) };
    });
    this.api('GET /order/{orderId}/shipment', '/order/:orderId/shipment', 'orders_read', 'optional', (req, ctx) => ({
      status: 200,
      body: this.orderOr404(req.params['orderId'], ctx.channel).shipments,
    }));
    this.api('GET /shipment/{shipmentId}', '/shipment/:shipmentId', 'orders_read', 'optional', (req, ctx) => {
      const found = this.findShipment(Number(req.params['shipmentId']));
      if (!found || (ctx.channel && found.order.channel.id !== ctx.channel.id)) throw new SandboxHttpError(404, { message: 'Shipment not found' });
      return { status: 200, body: found.shipment };
    });

    // ---- products, locations
    this.api('GET /product', '/product', 'products_read', 'ignored', (req) => ({ status: 200, body: this.listProducts(req.query) }));
    this.api('GET /location', '/location', 'locations_read', 'ignored', (req) => {
      const receiving = req.query.get('ReceivingEnabled');
      const items = this.locations.filter((l) => receiving === null || String(l.is_receiving_enabled) === receiving.toLowerCase());
      return {
        status: 200,
        body: items.map(({ address: _a, ...l }) => ({ ...l, services: [{ service_type: 'Receiving', enabled: l.is_receiving_enabled, address: _a }] })),
      };
    });
    this.api('GET /fulfillment-center', '/fulfillment-center', 'receiving_read', 'ignored', () => ({
      status: 200,
      body: this.locations
        .filter((l) => l.is_receiving_enabled)
        .map((l) => ({
          id: l.id,
          name: l.name,
          address1: l.address.address1,
          address2: l.address.address2 ?? null,
          city: l.address.city,
          state: l.address.state ?? null,
          country: l.address.country,
          zip_code: l.address.zip_code ?? null,
          phone_number: null,
          email: null,
          timezone: l.timezone,
        })),
    }));

    // ---- receiving (WRO)
    this.api('POST /receiving', '/receiving', 'receiving_write', 'ignored', (req) => ({ status: 201, body: this.createReceiving(req.json()) }));
    this.api('GET /receiving', '/receiving', 'receiving_read', 'ignored', (req) => {
      const ids = csv(req.query.get('IDs'));
      const pos = csv(req.query.get('PurchaseOrderNumbers'));
      const items = this.receivingOrders.filter(
        (w) => (!ids.length || ids.includes(String(w.id))) && (!pos.length || pos.includes(w.purchase_order_number ?? '')),
      );
      return {
        status: 200,
        headers: { 'total-count': String(items.length), 'page-number': '1', 'total-pages': '1', 'page-size': String(items.length) },
        body: items,
      };
    });
    this.api('GET /receiving/{id}', '/receiving/:wroId', 'receiving_read', 'ignored', (req) => ({ status: 200, body: this.wroOr404(req.params['wroId']) }));
    this.api('POST /receiving/{id}:cancel', '/receiving/:wroAction', 'receiving_write', 'ignored', (req) => {
      const m = /^(\d+):cancel$/.exec(req.params['wroAction'] ?? '');
      if (!m?.[1]) throw new SandboxHttpError(404, problem(404, 'Not Found'));
      const wro = this.wroOr404(m[1]);
      if (wro.status !== 'Awaiting') throw new SandboxHttpError(422, problem(422, `Receiving order in status ${wro.status} cannot be cancelled`));
      this.setWroStatus(wro, 'Cancelled');
      return { status: 200, body: wro };
    });

    // ---- billing
    this.api('POST /transactions:query', '/transactions:query', 'billing_read', 'ignored', (req) => ({
      status: 200,
      body: this.queryTransactions(req.json(), req.query.get('Cursor')),
    }));

    // ---- webhook subscriptions
    this.api('POST /webhook', '/webhook', 'webhooks_write', 'ignored', (req) => ({ status: 200, body: this.createSubscription(req.json()) }));
    this.api('GET /webhook', '/webhook', 'webhooks_read', 'ignored', () => ({
      status: 200,
      body: { items: this.subscriptions.map(({ secret: _s, ...s }) => s), next: null, prev: null },
    }));
    this.api('DELETE /webhook/{id}', '/webhook/:id', 'webhooks_write', 'ignored', (req) => {
      const i = this.subscriptions.findIndex((s) => s.id === req.params['id']);
      if (i < 0) throw new SandboxHttpError(404, { message: 'Subscription not found' });
      this.subscriptions.splice(i, 1);
      return { status: 204 };
    });

    // ---- sandbox-only simulation, like ShipBob's POST /simulate/shipment
    this.api('POST /simulate/shipment', '/simulate/shipment', 'orders_write', 'ignored', (req) => {
      const body = req.json<{ shipment_id?: number; simulation?: SimulationNode }>();
      if (!body.shipment_id || !body.simulation) throw new SandboxHttpError(400, { message: 'shipment_id and simulation are required' });
      const steps: LifecycleStep[] = [];
      for (let node: SimulationNode | undefined = body.simulation; node; node = node.next) {
        if (node.action === 'ShipOrder') steps.push('pick', 'pack', 'label', 'ship');
        else if (node.action === 'DeliverOrder') steps.push('in_transit', 'out_for_delivery', 'delivered');
        else throw new SandboxHttpError(400, { message: `Unknown simulation action ${String(node.action)}` });
      }
      const id = this.token('sim_', 16);
      try {
        this.runLifecycle(body.shipment_id, steps);
      } catch (err) {
        throw new SandboxHttpError(400, { message: err instanceof Error ? err.message : String(err) });
      }
      return { status: 200, body: { simulation_id: id, message: 'Simulation completed' } };
    });
  }

  // ---- orders

  /** The body has passed Orders.CreateOrderModel (validateRequest); what is left are ShipBob's data rules. */
  private createOrder(input: CreateOrderBody, channel: Channel): Order {
    const errors: Record<string, string[]> = {};
    const unprocessable: Record<string, string[]> = {};
    const location = input.location_id != null ? this.locations.find((l) => l.id === input.location_id) : this.locations.find((l) => l.is_shipping_enabled);
    if (!location)
      errors['LocationId'] = [input.location_id != null ? `Location ${input.location_id} was not found.` : 'No fulfillment location is available.'];
    const lines: OrderLine[] = [];
    const toCreate: Array<{ sku: string; name: string; upc?: string; gtin?: string }> = [];
    (input.products ?? []).forEach((p, i) => {
      let variant = p.id != null ? this.findVariantById(p.id) : p.reference_id ? this.findVariantBySku(p.reference_id) : undefined;
      if (!variant && p.id == null && p.reference_id) {
        if (!p.name) {
          // The wording ShipBob answered (issue 14, item 6); 422 like its other data refusals on this operation.
          unprocessable[`Products[${i}].Name`] = [`Name is required because no product with reference_id ${p.reference_id} exists`];
          return;
        }
        toCreate.push({ sku: p.reference_id, name: p.name, upc: p.upc ?? undefined, gtin: p.gtin ?? undefined });
        lines.push(this.orderLine(p, { sku: p.reference_id, name: p.name, upc: p.upc ?? null, gtin: p.gtin ?? null }));
        return;
      }
      if (!variant) {
        unprocessable[`Products[${i}].Id`] = [`Product ${p.id} was not found.`];
        return;
      }
      lines.push(this.orderLine(p, variant.variant));
    });
    if (Object.keys(errors).length) throw new SandboxHttpError(400, errors);
    if (Object.keys(unprocessable).length) throw new SandboxHttpError(422, unprocessable);
    const duplicate = (this.ordersByReference.get(input.reference_id!) ?? []).find(
      (o) => this.options.duplicateScope === 'account' || o.channel.id === channel.id,
    );
    if (duplicate) throw new SandboxHttpError(422, { '': [DUPLICATE_ORDER_MESSAGE] });
    for (const c of toCreate) this.addProduct(c.sku, c.name, 0, c.upc, c.gtin); // ShipBob creates the unknown reference_ids it was given a name for

    const now = this.iso();
    const r = input.recipient!;
    const orderId = this.nextId.order++;
    const shipment: Shipment = {
      id: this.nextId.shipment++,
      order_id: orderId,
      reference_id: input.reference_id!,
      status: this.options.initialOrderStatus === 'ImportReview' ? 'ImportReview' : 'Processing',
      status_details: [],
      created_date: now,
      last_update_at: now,
      last_tracking_update_at: null,
      actual_fulfillment_date: null,
      delivery_date: null,
      location: { id: location!.id, name: location!.name },
      recipient: { name: r.name!, full_name: r.name!, email: r.email ?? null, phone_number: r.phone_number ?? null, address: r.address as Address },
      products: lines.map((l) => ({
        id: l.id,
        reference_id: l.reference_id,
        sku: l.sku,
        name: l.name,
        inventory_items: [{ id: this.findVariantBySku(l.sku)!.variant.inventory.inventory_id, name: l.name, quantity: l.quantity }],
      })),
      tracking: null,
      ship_option: input.shipping_method!,
      is_tracking_uploaded: false,
      invoice_amount: null,
      invoice_currency_code: null,
    };
    const order: Order = {
      id: orderId,
      created_date: now,
      purchase_date: input.purchase_date ?? null,
      reference_id: input.reference_id!,
      order_number: input.order_number ?? input.reference_id!,
      status: this.options.initialOrderStatus,
      type: input.type as Order['type'],
      channel: { id: channel.id, name: channel.name },
      shipping_method: input.shipping_method!,
      recipient: { name: r.name!, email: r.email ?? null, phone_number: r.phone_number ?? null, address: r.address as Address },
      products: lines,
      tags: input.tags ?? [],
      shipments: [shipment],
      financials: { total_price: input.financials?.total_price ?? null },
      gift_message: input.gift_message ?? null,
      last_update_at: now,
    };
    this.orders.push(order);
    const sameReference = this.ordersByReference.get(order.reference_id);
    if (sameReference) sameReference.push(order);
    else this.ordersByReference.set(order.reference_id, [order]);
    return order;
  }

  private orderLine(p: NonNullable<CreateOrderBody['products']>[number], v: { sku: string; name: string; upc: string | null; gtin: string | null }): OrderLine {
    return {
      id: this.nextId.line++,
      reference_id: v.sku,
      sku: v.sku,
      name: v.name,
      quantity: Number(p.quantity),
      unit_price: p.unit_price ?? null,
      external_line_id: p.external_line_id ?? null,
      gtin: v.gtin,
      upc: v.upc,
      quantity_unit_of_measure_code: p.quantity_unit_of_measure_code ?? null,
    };
  }

  private listOrders(q: URLSearchParams, channel: Channel | undefined): Order[] {
    const limit = Number(q.get('Limit') ?? 50);
    const page = Number(q.get('Page') ?? 1);
    if (!Number.isInteger(limit) || limit < 1 || limit > 250) throw new SandboxHttpError(400, { Limit: ['Limit must be between 1 and 250.'] });
    if (!Number.isInteger(page) || page < 1) throw new SandboxHttpError(400, { Page: ['Page must be at least 1.'] });
    const ids = csv(q.get('IDs'));
    const refs = csv(q.get('ReferenceIds'));
    // Documented date filters (OpenAPI 2026-01 paths./2026-01/order.get parameters), bounds inclusive; the tracking
    // ones "only return orders that have tracking information".
    const within = (at: string | null | undefined, start: string | null, end: string | null): boolean =>
      !!at && (start === null || Date.parse(at) >= Date.parse(start)) && (end === null || Date.parse(at) <= Date.parse(end));
    const lastUpdate = [q.get('LastUpdateStartDate'), q.get('LastUpdateEndDate')] as const;
    const trackingUpdate = [q.get('LastTrackingUpdateStartDate'), q.get('LastTrackingUpdateEndDate')] as const;
    const created = [q.get('StartDate'), q.get('EndDate')] as const;
    const lastTracking = (o: Order): string | undefined =>
      o.shipments
        .map((s) => s.last_tracking_update_at)
        .filter((t): t is string => !!t)
        .sort()
        .at(-1);
    // With ReferenceIds only those orders are candidates (in creation order, as in this.orders).
    const candidates = refs.length ? [...new Set(refs)].flatMap((r) => this.ordersByReference.get(r) ?? []).sort((a, b) => a.id - b.id) : this.orders;
    let items = candidates.filter(
      (o) =>
        (!channel || o.channel.id === channel.id) &&
        (!ids.length || ids.includes(String(o.id))) &&
        (!refs.length || refs.includes(o.reference_id)) &&
        (lastUpdate.every((x) => x === null) || within(o.last_update_at, ...lastUpdate)) &&
        (trackingUpdate.every((x) => x === null) || within(lastTracking(o), ...trackingUpdate)) &&
        (created.every((x) => x === null) || within(o.created_date, ...created)),
    );
    if (q.get('SortOrder') === 'Oldest') items = [...items];
    else items = [...items].reverse();
    return items.slice((page - 1) * limit, page * limit);
  }

  private orderOr404(id: string | undefined, channel: Channel | undefined): Order {
    const order = this.orders.find((o) => String(o.id) === id);
    if (!order || (channel && order.channel.id !== channel.id)) throw new SandboxHttpError(404, { message: `Order ${id} not found` });
    return order;
  }

  private cancelOrder(order: Order): Record<string, unknown> {
    const results = order.shipments.map((s) => {
      if (s.status === 'Cancelled') return { shipment_id: s.id, action: 'Cancel', is_success: false, reason: 'Shipment is already cancelled' };
      const picked = s.status_details.some((d) => ['Picked', 'Packed', 'Labeled'].includes(d.name));
      if (!CANCELLABLE_BEFORE_PICK.has(s.status) || picked) {
        return { shipment_id: s.id, action: 'Cancel', is_success: false, reason: 'Shipment has already been picked, packed or shipped' };
      }
      this.setShipment(order, s, 'Cancelled', []);
      if (this.options.webhookOnApiCancel) this.emit('order.shipment.cancelled', s);
      return { shipment_id: s.id, action: 'Cancel', is_success: true, reason: null };
    });
    const ok = results.filter((r) => r.is_success).length;
    const status = ok === results.length ? 'Success' : ok === 0 ? 'Failure' : 'PartialSuccess';
    this.cancellations.push({ at: this.iso(), order_id: order.id, status, canceled_shipment_results: results });
    return { order_id: order.id, order, status, canceled_shipment_results: results };
  }

  // ---- products

  private listProducts(q: URLSearchParams): Record<string, unknown> {
    const sku = q.get('SKU') ?? q.get('sku') ?? q.get('SellerSKU');
    const search = q.get('Search')?.toLowerCase();
    const pageSize = Number(q.get('PageSize') ?? 50);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 250) throw new SandboxHttpError(400, problem(400, 'PageSize must be between 1 and 250'));
    const offset = decodeCursor(q.get('Cursor'));
    const items = this.products.filter(
      (p) =>
        (!sku || p.variants.some((v) => v.sku === sku)) &&
        (!search ||
          p.name.toLowerCase().includes(search) ||
          p.variants.some((v) => v.sku.toLowerCase().includes(search) || String(v.inventory.inventory_id) === search || String(p.id) === search)),
    );
    return paged(items, offset, pageSize, `/${API_VERSION}/product`, q);
  }

  private findVariantBySku(sku: string): { product: Product; variant: Product['variants'][number] } | undefined {
    for (const product of this.products) {
      const variant = product.variants.find((v) => v.sku === sku);
      if (variant) return { product, variant };
    }
    return undefined;
  }

  private findVariantById(id: number): { product: Product; variant: Product['variants'][number] } | undefined {
    for (const product of this.products) {
      const variant = product.variants.find((v) => v.id === id) ?? (product.id === id ? product.variants[0] : undefined);
      if (variant) return { product, variant };
    }
    return undefined;
  }

  // ---- receiving

  private createReceiving(input: CreateReceivingBody): ReceivingOrder {
    const errors: Record<string, string[]> = {};
    const need = (ok: unknown, field: string, msg = `The ${field} field is required.`): void => {
      if (!ok) (errors[field] ??= []).push(msg);
    };
    // The body passed Receiving.CreateReceivingOrderModel; these are the data rules (400, Receiving.Post.2.0.Receiving.Bad.Request.Object).
    const fc = this.locations.find((l) => l.id === input.fulfillment_center?.id && l.is_receiving_enabled);
    need(fc, 'FulfillmentCenter.Id', 'A receiving-enabled fulfillment center is required.');
    need(input.boxes?.length, 'Boxes');
    const quantities = new Map<number, { sku: string; qty: number }>();
    (input.boxes ?? []).forEach((b, i) => {
      need(b.box_items?.length, `Boxes[${i}].BoxItems`);
      (b.box_items ?? []).forEach((item, j) => {
        const variant = this.products.flatMap((p) => p.variants).find((v) => v.inventory.inventory_id === item.inventory_id);
        need(variant, `Boxes[${i}].BoxItems[${j}].InventoryId`, `Inventory ${item.inventory_id} was not found.`);
        if (variant) {
          const q = quantities.get(item.inventory_id) ?? { sku: variant.sku, qty: 0 };
          q.qty += Number(item.quantity);
          quantities.set(item.inventory_id, q);
        }
      });
    });
    if (Object.keys(errors).length) throw new SandboxHttpError(400, errors);
    const now = this.iso();
    const wro: ReceivingOrder = {
      id: this.nextId.wro++,
      purchase_order_number: input.purchase_order_number ?? null,
      status: 'Awaiting',
      package_type: input.package_type!,
      box_packaging_type: input.box_packaging_type!,
      expected_arrival_date: input.expected_arrival_date!,
      insert_date: now,
      last_updated_date: now,
      fulfillment_center: { id: fc!.id, name: fc!.name },
      status_history: [{ id: 1, status: 'Awaiting', timestamp: now }],
      inventory_quantities: [...quantities].map(([inventory_id, q]) => ({
        inventory_id,
        sku: q.sku,
        expected_quantity: q.qty,
        received_quantity: 0,
        stowed_quantity: 0,
      })),
      boxes: input.boxes!,
      box_labels_uri: `/${API_VERSION}/receiving/${this.nextId.wro - 1}/labels`,
      external_sync_timestamp: null,
    };
    this.receivingOrders.push(wro);
    return wro;
  }

  private wroOr404(id: string | undefined): ReceivingOrder {
    const wro = this.receivingOrders.find((w) => String(w.id) === id);
    if (!wro) throw new SandboxHttpError(404, problem(404, `Receiving order ${id} not found`));
    return wro;
  }

  private setWroStatus(wro: ReceivingOrder, status: string): void {
    wro.status = status;
    wro.last_updated_date = this.iso();
    wro.status_history.push({ id: wro.status_history.length + 1, status, timestamp: wro.last_updated_date });
  }

  // ---- billing

  private queryTransactions(q: TransactionQueryBody, cursor: string | null): Record<string, unknown> {
    const pageSize = q.page_size ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new SandboxHttpError(400, problem(400, 'page_size must be between 1 and 1000'));
    const from = q.from_date ? Date.parse(q.from_date) : -Infinity;
    const to = q.to_date ? Date.parse(q.to_date) : Infinity;
    let items = this.transactions.filter(
      (t) =>
        (!q.reference_ids?.length || q.reference_ids.map(String).includes(t.reference_id)) &&
        (!q.reference_types?.length || q.reference_types.includes(t.reference_type)) &&
        (!q.transaction_types?.length || q.transaction_types.includes(t.transaction_type)) &&
        Date.parse(t.charge_date) >= from &&
        Date.parse(t.charge_date) <= to,
    );
    if (q.sort_order === 'Descending') items = [...items].reverse();
    const offset = decodeCursor(cursor);
    const page = items.slice(offset, offset + pageSize);
    const next = offset + pageSize < items.length ? `/${API_VERSION}/transactions:query?Cursor=${encodeCursor(offset + pageSize)}` : null;
    return { items: page, next, prev: offset > 0 ? `/${API_VERSION}/transactions:query?Cursor=${encodeCursor(Math.max(0, offset - pageSize))}` : null };
  }

  // ---- webhooks

  private createSubscription(input: { topics?: unknown; url?: unknown; description?: unknown; secret?: unknown }): WebhookSubscription {
    const errors: Record<string, string[]> = {};
    const topics = Array.isArray(input.topics) ? (input.topics as unknown[]) : [];
    if (!topics.length) errors['topics'] = ['At least one topic is required.'];
    const unknown = topics.filter((t) => !(WEBHOOK_TOPICS as readonly unknown[]).includes(t));
    if (unknown.length) errors['topics'] = [`Unknown topics: ${unknown.join(', ')}`];
    let url: URL | undefined;
    try {
      url = new URL(String(input.url));
    } catch {
      errors['url'] = ['A valid URL is required.'];
    }
    const local = url && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
    if (url && url.protocol !== 'https:' && !(local && url.protocol === 'http:')) errors['url'] = ['The URL must use HTTPS.'];
    if (input.secret !== undefined && (typeof input.secret !== 'string' || !WEBHOOK_SECRET_PATTERN.test(input.secret))) {
      errors['secret'] = ['The secret must match ^whsec_[a-zA-Z0-9+/]{32}$.'];
    }
    if (!errors['url'] && !errors['topics'] && this.options.duplicateWebhookSubscriptions === 'refuse') {
      const taken = topics.filter((t) => this.subscriptions.some((s) => s.url === String(input.url) && s.topics.includes(t as WebhookTopic)));
      if (taken.length) errors['url'] = [`A subscription for this URL already exists for: ${taken.join(', ')}`];
    }
    if (Object.keys(errors).length) throw new SandboxHttpError(400, { ...problem(400, 'One or more validation errors occurred.'), errors });
    const sub: WebhookSubscription = {
      id: this.token('', 12),
      url: String(input.url),
      topics: topics as WebhookTopic[],
      description: typeof input.description === 'string' ? input.description : null,
      secret: typeof input.secret === 'string' ? input.secret : generateWebhookSecret(this.random),
      enabled: true,
      created_at: this.iso(),
    };
    this.subscriptions.push(sub);
    return sub;
  }

  /** Sends `payload` to every enabled subscription of `topic`, signed per Standard Webhooks. */
  emit(topic: WebhookTopic, payload: unknown): void {
    const body = JSON.stringify(payload);
    const drop = this.webhookSwitches.drop;
    const dropped = drop === true || (Array.isArray(drop) && drop.includes(topic));
    for (const sub of this.subscriptions.filter((s) => s.enabled && s.topics.includes(topic))) {
      const id = this.token('msg_', 27);
      if (dropped) {
        this.sentWebhooks.push({ id, topic, url: sub.url, subscriptionId: sub.id, body, badSignature: false, dropped: true });
        continue;
      }
      const bad = Boolean(this.webhookSwitches.badSignature);
      const signer = new ShipbobWebhookSigner(bad ? generateWebhookSecret(this.random) : sub.secret);
      this.sentWebhooks.push({ id, topic, url: sub.url, subscriptionId: sub.id, body, badSignature: bad });
      this.dispatcher.send({
        id,
        topic,
        url: sub.url,
        body,
        headers: () => signer.headers(id, Math.floor(this.now() / 1000), body, topic),
      });
    }
  }

  setWebhookSwitches(s: WebhookSwitches): void {
    Object.assign(this.webhookSwitches, s);
    this.dispatcher.options.duplicate = Boolean(this.webhookSwitches.duplicate);
    const wasReordering = this.dispatcher.options.reorder;
    this.dispatcher.options.reorder = Boolean(this.webhookSwitches.reorder);
    if (s.timeScale) this.dispatcher.options.timeScale = s.timeScale;
    if (wasReordering && !this.dispatcher.options.reorder) this.dispatcher.flush();
  }

  // ---------------------------------------------------------------- lifecycle driver

  findShipment(id: number): { order: Order; shipment: Shipment } | undefined {
    for (const order of this.orders) {
      const shipment = order.shipments.find((s) => s.id === id);
      if (shipment) return { order, shipment };
    }
    return undefined;
  }

  /** Applies one step to a shipment, updating the order, creating charges and sending webhooks. Throws on an invalid transition. */
  advance(shipmentId: number, step: LifecycleStep, reason?: string): Shipment {
    const found = this.findShipment(shipmentId);
    if (!found) throw new LifecycleError(404, `Shipment ${shipmentId} not found`);
    const { order, shipment: s } = found;
    const last = s.status_details.at(-1)?.name;
    const fail = (): never => {
      throw new LifecycleError(409, `Cannot ${step} shipment ${s.id} in status ${s.status}${last ? `/${last}` : ''}`);
    };
    const beforeLabel = (s.status === 'Processing' || s.status === 'ImportReview' || s.status === 'None') && last !== 'Labeled';
    switch (step) {
      case 'pick':
        if (!(s.status === 'Processing' || s.status === 'ImportReview') || (last && last !== 'Picked')) fail();
        this.setShipment(order, s, 'Processing', ['Picked']);
        break;
      case 'pack':
        if (s.status !== 'Processing' || last !== 'Picked') fail();
        this.setShipment(order, s, 'Processing', ['Packed']);
        break;
      case 'label':
        if (s.status !== 'Processing' || last !== 'Packed') fail();
        s.tracking = {
          carrier: 'USPS',
          carrier_service: 'Ground Advantage',
          tracking_number: `9400${String(Math.floor(this.random() * 1e12)).padStart(12, '0')}${s.id}`,
          tracking_url: '',
          shipping_date: null,
          bol: null,
          pro_number: null,
          scac: null,
        };
        s.tracking.tracking_url = `https://tools.usps.com/go/TrackConfirmAction?tLabels=${s.tracking.tracking_number}`;
        this.setShipment(order, s, 'LabeledCreated', ['Labeled']);
        s.last_tracking_update_at = s.last_update_at;
        break;
      case 'ship': {
        if (s.status !== 'LabeledCreated') fail();
        this.setShipment(order, s, 'Completed', ['Processing']);
        s.actual_fulfillment_date = s.last_update_at;
        if (s.tracking) s.tracking.shipping_date = s.last_update_at;
        const charge = this.chargeFor(s);
        s.invoice_amount = charge.amount;
        s.invoice_currency_code = charge.currency_code;
        this.emit('order.shipped', order);
        this.emit('billing.charge.created', charge);
        break;
      }
      case 'in_transit':
        if (s.status !== 'Completed' || last !== 'Processing') fail();
        this.setShipment(order, s, 'Completed', ['InTransit'], 'tracking');
        s.last_tracking_update_at = s.last_update_at;
        break;
      case 'out_for_delivery':
        if (s.status !== 'Completed' || last !== 'InTransit') fail();
        this.setShipment(order, s, 'Completed', ['OutForDelivery'], 'tracking');
        s.last_tracking_update_at = s.last_update_at;
        break;
      case 'delivered':
        if (s.status !== 'Completed' || !['Processing', 'InTransit', 'OutForDelivery'].includes(last ?? '')) fail();
        this.setShipment(order, s, 'Completed', ['Delivered'], 'tracking');
        s.delivery_date = s.last_update_at;
        s.last_tracking_update_at = s.last_update_at;
        this.emit('order.shipment.delivered', s);
        break;
      case 'exception': {
        if (!beforeLabel) fail();
        const name = reason && DETAIL[reason] && DETAIL[reason].id >= 300 && DETAIL[reason].id < 400 ? reason : 'OutOfStock';
        this.setShipment(order, s, 'Exception', [name]);
        this.emit('order.shipment.exception', s);
        break;
      }
      case 'on_hold': {
        if (!beforeLabel && s.status !== 'Exception') fail();
        const name = reason && DETAIL[reason] && DETAIL[reason].id >= 400 ? reason : 'InvalidAddress';
        this.setShipment(order, s, 'OnHold', [name]);
        this.emit('order.shipment.on_hold', s);
        break;
      }
      case 'release':
        if (s.status !== 'OnHold' && s.status !== 'Exception') fail();
        this.setShipment(order, s, 'Processing', []);
        break;
      case 'cancel': {
        const picked = s.status_details.some((d) => ['Picked', 'Packed', 'Labeled'].includes(d.name));
        if (!CANCELLABLE_BEFORE_PICK.has(s.status) || picked) fail();
        this.setShipment(order, s, 'Cancelled', []);
        this.cancellations.push({
          at: this.iso(),
          order_id: order.id,
          status: 'Success',
          canceled_shipment_results: [{ shipment_id: s.id, action: 'Cancel', is_success: true, reason: 'Cancelled by ShipBob' }],
        });
        this.emit('order.shipment.cancelled', s);
        break;
      }
    }
    return s;
  }

  /** Runs several steps in order (the happy path by default). */
  runLifecycle(shipmentId: number, steps: readonly LifecycleStep[] = HAPPY_PATH, reason?: string): Shipment {
    let s: Shipment | undefined;
    for (const step of steps) s = this.advance(shipmentId, step, reason);
    if (!s) throw new LifecycleError(400, 'no steps given');
    return s;
  }

  /** `change` 'tracking': a carrier-side update, which moves the order's last update only under `trackingMovesOrderLastUpdate`. */
  private setShipment(order: Order, s: Shipment, status: Shipment['status'], details: string[], change: 'fulfilment' | 'tracking' = 'fulfilment'): void {
    const now = this.iso();
    s.status = status;
    s.status_details = details.map((name): StatusDetail => ({
      id: DETAIL[name]?.id ?? 0,
      name,
      description: DETAIL[name]?.description ?? name,
      inventory_id: null,
    }));
    s.last_update_at = now;
    if (change === 'fulfilment' || this.options.trackingMovesOrderLastUpdate) order.last_update_at = now;
    order.status = deriveOrderStatus(order);
  }

  private chargeFor(s: Shipment): Transaction {
    const units = s.products.reduce((n, p) => n + p.inventory_items.reduce((m, i) => m + i.quantity, 0), 0);
    const amount = Math.round((4.5 + 0.35 * Math.max(0, units - 1)) * 100) / 100;
    const tx: Transaction = {
      transaction_id: `tx_${String(++this.transactionSeq).padStart(8, '0')}`,
      amount,
      currency_code: 'USD',
      charge_date: this.iso(),
      invoice_id: null,
      invoice_date: null,
      invoice_type: 'Shipping',
      invoiced_status: false,
      reference_id: String(s.id),
      reference_type: 'Shipment',
      transaction_fee: 'Shipping',
      transaction_type: 'Charge',
      fulfillment_center: s.location.name,
      additional_details: {},
      taxes: [],
    };
    this.transactions.push(tx);
    return tx;
  }

  // ---------------------------------------------------------------- admin API

  private registerAdmin(): void {
    this.route('POST', '/__admin/seed', (req) => ({ status: 200, body: this.seedData(req.rawBody.length ? req.json<SeedInput>() : {}) }));
    this.route('GET', '/__admin/state', () => ({
      status: 200,
      body: {
        channels: this.channels,
        products: this.products,
        locations: this.locations,
        orders: this.orders,
        cancellations: this.cancellations,
        receivingOrders: this.receivingOrders,
        transactions: this.transactions,
        subscriptions: this.subscriptions,
      },
    }));
    this.route('GET', '/__admin/orders', () => ({ status: 200, body: { items: this.orders } }));
    this.route('GET', '/__admin/cancellations', () => ({ status: 200, body: { items: this.cancellations } }));
    this.route('GET', '/__admin/receiving', () => ({ status: 200, body: { items: this.receivingOrders } }));
    this.route('GET', '/__admin/transactions', () => ({ status: 200, body: { items: this.transactions } }));
    this.route('GET', '/__admin/webhooks', () => ({
      status: 200,
      body: { subscriptions: this.subscriptions, sent: this.sentWebhooks, attempts: this.dispatcher.attempts, switches: this.webhookSwitches },
    }));
    this.route('POST', '/__admin/webhooks/switches', (req) => {
      this.setWebhookSwitches(req.json<WebhookSwitches>());
      return { status: 200, body: this.webhookSwitches };
    });
    this.route('POST', '/__admin/webhooks/flush', () => {
      this.dispatcher.flush();
      return { status: 200, body: { flushed: true } };
    });
    this.route('POST', '/__admin/rate-limit', (req) => {
      const b = req.json<{ limit?: number; windowMs?: number; reset?: boolean }>();
      if (b.limit !== undefined) this.limiter.limit = b.limit;
      if (b.windowMs !== undefined) this.limiter.windowMs = b.windowMs;
      if (b.reset) this.limiter.reset();
      return { status: 200, body: { limit: this.limiter.limit, windowMs: this.limiter.windowMs } };
    });
    this.route('POST', '/__admin/shipments/:id/advance', (req) => {
      const { step, reason } = req.json<{ step?: string; reason?: string }>();
      if (!(LIFECYCLE_STEPS as readonly unknown[]).includes(step))
        throw new SandboxHttpError(400, { error: `step must be one of ${LIFECYCLE_STEPS.join(', ')}` });
      return this.adminLifecycle(() => this.advance(Number(req.params['id']), step as LifecycleStep, reason));
    });
    this.route('POST', '/__admin/lifecycle', (req) => {
      const b = req.json<{ shipment_id?: number; order_id?: number; steps?: string[]; reason?: string }>();
      const steps = (b.steps ?? HAPPY_PATH) as LifecycleStep[];
      const bad = steps.filter((st) => !(LIFECYCLE_STEPS as readonly string[]).includes(st));
      if (bad.length) throw new SandboxHttpError(400, { error: `unknown steps: ${bad.join(', ')}` });
      const shipmentId = b.shipment_id ?? this.orders.find((o) => o.id === b.order_id)?.shipments[0]?.id;
      if (shipmentId === undefined) throw new SandboxHttpError(404, { error: 'shipment_id or a known order_id is required' });
      return this.adminLifecycle(() => this.runLifecycle(shipmentId, steps, b.reason));
    });
  }

  private adminLifecycle(run: () => Shipment): SandboxResponse {
    try {
      return { status: 200, body: run() };
    } catch (err) {
      if (err instanceof LifecycleError) throw new SandboxHttpError(err.status, { error: err.message });
      throw err;
    }
  }

  // ---------------------------------------------------------------- helpers

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private token(prefix: string, length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = prefix;
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.random() * alphabet.length)];
    return out;
  }
}

export class LifecycleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface SimulationNode {
  action?: 'ShipOrder' | 'DeliverOrder';
  delay?: number;
  next?: SimulationNode;
}

interface CreateOrderBody {
  reference_id?: string;
  order_number?: string;
  type?: string;
  shipping_method?: string;
  location_id?: number | null;
  purchase_date?: string;
  gift_message?: string;
  tags?: Array<{ name: string; value: string }>;
  financials?: { total_price?: number };
  recipient?: { name?: string; email?: string; phone_number?: string; address?: Partial<Address> };
  products?: Array<{
    id?: number;
    reference_id?: string;
    name?: string;
    quantity?: number;
    unit_price?: number;
    external_line_id?: number;
    gtin?: string | null;
    upc?: string | null;
    quantity_unit_of_measure_code?: string;
  }>;
}

interface CreateReceivingBody {
  fulfillment_center?: { id?: number };
  package_type?: string;
  box_packaging_type?: string;
  expected_arrival_date?: string;
  purchase_order_number?: string;
  boxes?: ReceivingOrder['boxes'];
}

interface TransactionQueryBody {
  from_date?: string;
  to_date?: string;
  reference_ids?: Array<string | number>;
  reference_types?: string[];
  transaction_types?: string[];
  page_size?: number;
  sort_order?: 'Ascending' | 'Descending';
}

function rateLimited(sec: number): SandboxResponse {
  return {
    status: 429,
    headers: { 'x-retry-after': String(sec), 'x-remaining-calls': '0' },
    body: { statusCode: 429, message: `Rate limit is exceeded. Try again in ${sec} seconds.` },
  };
}

/**
 * A 400 for a request the schema refuses, in the operation's published error shape: a map of field -> messages for
 * orders, products, channels and receiving (`Orders.Post.Api.Order.Bad.Request.Object` and its siblings); RFC 7807
 * problem details with `errors` for billing (`Billing.ProblemDetails`) and webhooks (the document declares only an
 * ASP.NET ObjectResult for them, UNCONFIRMED; ValidationProblemDetails is ASP.NET's default for a refused model).
 */
function validationBody(op: string, errors: ValidationErrors): Record<string, unknown> {
  if (op.includes('/transactions') || op.includes('/webhook')) return { ...problem(400, 'One or more validation errors occurred.'), errors };
  return errors;
}

function problem(status: number, title: string): Record<string, unknown> {
  return { type: `https://httpstatuses.io/${status}`, title, status, detail: title, instance: null };
}

function csv(v: string | null): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string | null): number {
  if (!cursor) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m?.[1]) throw new SandboxHttpError(400, problem(400, 'Invalid cursor'));
  return Number(m[1]);
}

function paged<T>(items: T[], offset: number, size: number, path: string, q: URLSearchParams): Record<string, unknown> {
  const link = (o: number): string => {
    const p = new URLSearchParams(q);
    p.set('Cursor', encodeCursor(o));
    return `${path}?${p.toString()}`;
  };
  return {
    items: items.slice(offset, offset + size),
    first: link(0),
    last: link(Math.max(0, Math.floor((items.length - 1) / size) * size)),
    next: offset + size < items.length ? link(offset + size) : null,
    prev: offset > 0 ? link(Math.max(0, offset - size)) : null,
  };
}

function deriveOrderStatus(order: Order): OrderStatus {
  const st = order.shipments.map((s) => s.status);
  if (st.every((s) => s === 'Cancelled')) return 'Cancelled';
  if (st.some((s) => s === 'Exception')) return 'Exception';
  const live = st.filter((s) => s !== 'Cancelled');
  if (live.every((s) => s === 'Completed')) return 'Fulfilled';
  if (live.some((s) => s === 'Completed')) return 'PartiallyFulfilled';
  if (live.every((s) => s === 'ImportReview')) return 'ImportReview';
  return 'Processing';
}
