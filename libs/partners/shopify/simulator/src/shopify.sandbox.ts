import { randomUUID } from 'node:crypto';
import { SandboxHttpError, SandboxServer, WebhookDispatcher, seededRandom, type SandboxRequest, type SandboxResponse } from '@mlc/partners-sandbox-kit';
import { toExactJson } from './exact-json';
import { customerPayload, orderPayload, refundPayload, type PayloadContext } from './rest-payloads';
import {
  CostBucket,
  decodeCursor,
  gqlCustomer,
  gqlOrder,
  gqlOrderItems,
  page,
  parseUpdatedAtFilter,
  recogniseOperation,
  MUTATIONS,
  checkMetafieldsSet,
  parseMetafieldsSetVariables,
  type MetafieldsSetUserError,
  requestedCost,
  actualCost,
  shippingLinesFirstOf,
  DEFAULT_COST_MODEL,
  type CostModel,
  type KnownOperation,
} from './shopify-graphql';
import {
  DEFAULT_TAXES,
  IdSource,
  allocateDiscount,
  lineNetCents,
  lineTaxCents,
  orderTotals,
  seedData,
  zoneOffsetMinutes,
  type SimAddress,
  type SimCustomer,
  type SimLineItem,
  type SimOrder,
  utcTime,
} from './shopify.model';
import { signShopifyWebhook } from './shopify-webhook.signer';
import { checkWebhookSubscriptionCreate, parseWebhookSubscriptionCreate, topicEnum } from './shopify-webhook-subscriptions';

export const WEBHOOK_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'refunds/create',
  'customers/create',
  'customers/update',
  'customers/data_request',
  'customers/redact',
  'shop/redact',
] as const;
export type ShopifyWebhookTopic = (typeof WEBHOOK_TOPICS)[number];

/**
 * "8 retries over 4 hours, exponential backoff" (shopify.md §1.4, [CL-RETRY]). The exact schedule is not
 * published (UNCONFIRMED): doubling from 60 s, the last step filling the 4 h (sum 14 400 s).
 */
export const SHOPIFY_RETRY_SCHEDULE_SEC = [60, 120, 240, 480, 960, 1920, 3840, 6780];
/** Whole response within 5 s (the 1 s connect limit is not modelled separately). */
export const SHOPIFY_WEBHOOK_TIMEOUT_SEC = 5;
export const SUPPORTED_API_VERSIONS = ['2025-07', '2025-10', '2026-01', '2026-04', '2026-07', '2026-10', 'unstable'];
/** Shopify's 401 body and header (shopify.md §4.2). */
export const UNAUTHORIZED_BODY = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };
const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Basic Realm="Shopify API Authentication"' };
const DOCS_RATE_LIMITS = 'https://shopify.dev/api/usage/rate-limits';
/** The version of Shopify's published sample payloads in test/fixtures/shopify (shopify.dev/docs/api/webhooks/2026-07). */
export const PUBLISHED_SAMPLES_API_VERSION = '2026-07';
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface ShopifySandboxOptions {
  seed?: number;
  /** Numbering run (default 0): every id range starts run × 10^7 further on. */
  run?: number;
  shopDomain?: string;
  /** The app's client credentials; the client secret also signs app webhooks (shopify.md §1.3). */
  clientId?: string;
  clientSecret?: string;
  /** Key shown on Settings → Notifications; signs webhooks created in the admin. */
  notificationsKey?: string;
  /** Divides webhook delays and timeouts (1 = Shopify's real 4 h schedule). */
  timeScale?: number;
  /** Floor of the scaled webhook answer timeout (see DispatcherOptions.minTimeoutMs). */
  webhookMinTimeoutMs?: number;
  /**
   * The shop's IANA time zone (default America/New_York): GraphQL answers it as `shop.ianaTimezone`, and REST and
   * webhook bodies write every time with its offset at that instant (-05:00 in winter, -04:00 in summer).
   */
  shopTimeZone?: string;
  /** Leaky bucket (Standard plan: 100 pt/s, bucket 2000; bucket size UNCONFIRMED). */
  restoreRate?: number;
  maximumAvailable?: number;
  /** Old refresh token dies as soon as it is used (stricter than the 2026-08-28 change, which keeps it valid until the replacement is first used). */
  strictRefreshRotation?: boolean;
  /** Rotation window during which Shopify may still sign with the old secret (up to an hour). */
  rotationWindowMs?: number;
  /**
   * UNCONFIRMED: how many elements a non-connection list of objects (`taxLines`, `discountAllocations`) counts for
   * in the requested cost (default 2; see shopify-graphql.ts). Raise it to make orders costlier.
   */
  assumedListLength?: number;
  /** Single-query limit (default 1000, Shopify's); lower it to provoke MAX_COST_EXCEEDED. */
  maxQueryCost?: number;
}

/** One GraphQL request as the sandbox judged it (GET /__admin/graphql-log). */
export interface GraphqlLogEntry {
  operation: KnownOperation;
  variables: Record<string, unknown>;
  requestedQueryCost: number;
  /** null when the query was refused (MAX_COST_EXCEEDED, THROTTLED). */
  actualQueryCost: number | null;
  /** 'OK' or the error code answered. */
  outcome: 'OK' | 'MAX_COST_EXCEEDED' | 'THROTTLED' | 'ACCESS_DENIED' | 'INVALID_VARIABLE' | 'USER_ERRORS';
}

/**
 * Per-operation faults (POST /__admin/graphql-faults): `tooCostly` operations are refused with MAX_COST_EXCEEDED
 * whatever their size, as a shop whose costs differ from our model would (e.g. `{ "tooCostly": ["OrderLineItems"] }`).
 */
export interface GraphqlFaults {
  tooCostly?: KnownOperation[];
}

export interface Subscription {
  id: string;
  topic: ShopifyWebhookTopic;
  uri: string;
  apiVersion: string;
  name?: string;
  /** 'app' = signed with the app client secret; 'admin' = signed with the notifications key. */
  source: 'app' | 'admin';
  deleted: boolean;
  format?: string;
  createdAtMs?: number;
}

export interface WebhookFaults {
  /** Every delivery sent twice with the same X-Shopify-Webhook-Id. */
  duplicate?: boolean;
  /** Hold deliveries until POST /__admin/webhooks/flush, then send newest first. */
  reorder?: boolean;
  /** The next N deliveries carry a wrong signature. */
  badSignatureCount?: number;
  /** Header names in lowercase, as HTTP/2 delivers them. */
  lowercaseHeaders?: boolean;
  /** A fresh X-Shopify-Webhook-Id on each retry (stability across retries is UNCONFIRMED). */
  newWebhookIdOnRetry?: boolean;
  /** Deliveries are lost while set: recorded (signedWith as usual, `dropped: true`) but never sent (shopify.md §1.5). */
  drop?: boolean;
}

/** A customer's default address as the admin API takes it (codes for country and province). */
export interface CustomerAddressInput {
  address1: string;
  address2?: string | null;
  city: string;
  province?: string;
  provinceCode: string;
  country?: string;
  countryCode: string;
  zip: string;
  company?: string | null;
  phone?: string | null;
}

export interface DeliveryRecord {
  webhookId: string;
  eventId: string;
  topic: ShopifyWebhookTopic;
  uri: string;
  subscriptionId: string;
  apiVersion: string;
  body: string;
  headers: Record<string, string>;
  signedWith: 'current' | 'previous' | 'notifications' | 'bad';
  /** Lost by the `drop` fault: never sent. */
  dropped?: boolean;
}

interface AccessToken {
  scopes: string[];
  expiresAtMs: number | null;
}

interface RefreshToken {
  scopes: string[];
  expiresAtMs: number;
  /** Set when this token has been used: the token that replaced it. */
  replacedBy?: string;
}

const ALL_SCOPES = ['read_orders', 'write_orders', 'read_customers', 'read_all_orders'];

/**
 * The Shopify sandbox: webhooks (signed, retried, duplicated, reordered, badly signed on demand), the GraphQL
 * Admin API for our client's queries with cost throttling, the OAuth token endpoint, and an admin API under
 * /__admin to seed and change data. See README.md for the surface.
 */
export class ShopifySandbox extends SandboxServer {
  readonly shopDomain: string;
  readonly clientId: string;
  clientSecret: string;
  readonly notificationsKey: string;
  readonly dispatcher: WebhookDispatcher;
  readonly deliveries: DeliveryRecord[] = [];
  readonly subscriptions: Subscription[] = [];
  readonly customers = new Map<bigint, SimCustomer>();
  readonly orders = new Map<bigint, SimOrder>();
  webhookFaults: WebhookFaults = {};
  private previousSecret: { secret: string; untilMs: number } | undefined;
  private rotationCounter = 0;
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  readonly bucket: CostBucket;
  /** Cost rule knobs (options `assumedListLength`, `maxQueryCost`; POST /__admin/cost-model). */
  costModel: CostModel;
  /** Every recognised GraphQL operation with its requested and actual cost, oldest first. */
  readonly graphqlLog: GraphqlLogEntry[] = [];
  graphqlFaults: GraphqlFaults = {};
  private readonly ids: { customer: IdSource; order: IdSource; line: IdSource; address: IdSource; misc: IdSource };
  private idRandom: () => number;
  private readonly opts: Required<Pick<ShopifySandboxOptions, 'shopTimeZone' | 'strictRefreshRotation' | 'rotationWindowMs'>>;

  constructor(options: ShopifySandboxOptions = {}) {
    super('shopify', options.seed ?? 1);
    this.shopDomain = options.shopDomain ?? 'mlc-demo.myshopify.com';
    this.clientId = options.clientId ?? 'sim-client-id';
    this.clientSecret = options.clientSecret ?? 'sim-client-secret';
    this.notificationsKey = options.notificationsKey ?? 'sim-notifications-key';
    this.opts = {
      shopTimeZone: options.shopTimeZone ?? 'America/New_York',
      strictRefreshRotation: options.strictRefreshRotation ?? false,
      rotationWindowMs: options.rotationWindowMs ?? 3_600_000,
    };
    this.dispatcher = new WebhookDispatcher({
      retryScheduleSec: SHOPIFY_RETRY_SCHEDULE_SEC,
      timeoutSec: SHOPIFY_WEBHOOK_TIMEOUT_SEC,
      timeScale: options.timeScale ?? 1000,
      minTimeoutMs: options.webhookMinTimeoutMs,
    });
    zoneOffsetMinutes(0, this.opts.shopTimeZone); // throws RangeError on a zone Intl does not know
    this.costModel = {
      assumedListLength: options.assumedListLength ?? DEFAULT_COST_MODEL.assumedListLength,
      maxQueryCost: options.maxQueryCost ?? DEFAULT_COST_MODEL.maxQueryCost,
    };
    this.bucket = new CostBucket(options.maximumAvailable ?? 2000, options.restoreRate ?? 100, this.now());
    this.idRandom = seededRandom(this.seed * 7919);
    // A numbering run moves every id range, so a restarted standalone shop never reuses the ids of a previous run.
    const run = BigInt(options.run ?? 0) * 10_000_000n;
    this.ids = {
      customer: new IdSource(6_400_000_000_000n + run),
      order: new IdSource(5_900_000_000_000n + run),
      line: new IdSource(14_800_000_000_000n + run),
      address: new IdSource(8_100_000_000_000n + run),
      misc: new IdSource(820_982_911_946_154_508n + run),
    };
    this.rateLimitResponse = (s) => ({
      status: 429,
      headers: { 'retry-after': `${s}.0` },
      body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' },
    });
    this.registerRoutes();
  }

  // ---------------------------------------------------------------- data and events

  /** Replaces all data with the deterministic set for `seed`. Emits nothing. */
  seedData(opts: { seed?: number; customers?: number; orders?: number } = {}): { customers: number; orders: number } {
    const data = seedData({ seed: opts.seed ?? this.seed, customers: opts.customers ?? 5, orders: opts.orders ?? 8, nowMs: this.now() }, this.ids);
    this.customers.clear();
    this.orders.clear();
    for (const c of data.customers) this.customers.set(c.id, c);
    for (const o of data.orders) this.orders.set(o.id, o);
    return { customers: this.customers.size, orders: this.orders.size };
  }

  createCustomer(input: {
    firstName: string;
    lastName: string;
    email?: string | null;
    phone?: string | null;
    address?: CustomerAddressInput | null;
  }): SimCustomer {
    const now = this.now();
    const c: SimCustomer = {
      id: this.ids.customer.take(this.idRandom),
      email: input.email ?? null,
      phone: input.phone ?? null,
      firstName: input.firstName,
      lastName: input.lastName,
      state: 'enabled',
      note: null,
      verifiedEmail: true,
      taxExempt: false,
      currency: 'CAD',
      tags: [],
      address: input.address ? this.newAddress(input.address, input.firstName, input.lastName) : null,
      createdAtMs: now,
      updatedAtMs: now,
    };
    this.customers.set(c.id, c);
    this.emit('customers/create', (ctx) => customerPayload(c, ctx));
    return c;
  }

  updateCustomer(id: bigint, patch: { firstName?: string; lastName?: string; email?: string | null; phone?: string | null }): SimCustomer {
    const c = this.customers.get(id);
    if (!c) throw new SandboxHttpError(404, { errors: 'Not Found' });
    Object.assign(c, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    c.updatedAtMs = this.now();
    this.emit('customers/update', (ctx) => customerPayload(c, ctx));
    return c;
  }

  /** The shop's IANA time zone (option `shopTimeZone`). */
  get shopTimeZone(): string {
    return this.opts.shopTimeZone;
  }

  /**
   * Creates an order (orders/create, and orders/paid + orders/updated when `paid`). Defaults: 13 % HST on top,
   * "Standard" shipping at 15.00 when the customer has an address, no discount. `discount` is a fixed amount spread
   * over the lines by their amounts; `taxes` rates are decimals ("0.0725"); `shipping: null` means no shipping line;
   * `shippingLines` (instead of `shipping`) gives several. `processedAt` / `createdAt` (ISO 8601 with an offset,
   * e.g. "2026-11-30T19:30:00-05:00") backdate the order as an import would; it is updated now either way.
   */
  createOrder(input: {
    customerId?: bigint | null;
    id?: bigint;
    paid?: boolean;
    lines: Array<{ sku?: string | null; title: string; price: string; quantity: number; requiresShipping?: boolean }>;
    discount?: { code?: string; amount: string } | null;
    taxes?: Array<{ title: string; rate: string }>;
    taxesIncluded?: boolean;
    shipping?: { title: string; price: string; code?: string } | null;
    shippingLines?: Array<{ title: string; price: string; code?: string }>;
    processedAt?: string;
    createdAt?: string;
  }): SimOrder {
    const now = this.now();
    const customer = input.customerId ? this.customers.get(input.customerId) : undefined;
    if (input.customerId && !customer) throw new SandboxHttpError(422, { errors: { customer: ['not found'] } });
    if (!input.lines.length) throw new SandboxHttpError(422, { errors: { line_items: ['must have at least one'] } });
    const lineItems = input.lines.map((l) => this.newLine(l));
    const discountCents = input.discount ? centsOf(input.discount.amount, 'discount') : 0;
    allocateDiscount(lineItems, discountCents);
    const taxes = input.taxes?.map((t) => ({ title: t.title, rateBp: rateBpOf(t.rate) })) ?? [...DEFAULT_TAXES];
    const shipping =
      input.shippingLines !== undefined
        ? input.shippingLines.map((l) => ({ title: l.title, code: l.code ?? l.title, cents: centsOf(l.price, 'shipping') }))
        : input.shipping === undefined
          ? customer?.address
            ? [{ title: 'Standard', code: 'Standard', cents: 1500 }]
            : []
          : input.shipping === null
            ? []
            : [{ title: input.shipping.title, code: input.shipping.code ?? input.shipping.title, cents: centsOf(input.shipping.price, 'shipping') }];
    const createdAtMs = input.createdAt === undefined ? now : instantOf(input.createdAt, 'created_at');
    const id = input.id ?? this.ids.order.take(this.idRandom);
    const order: SimOrder = {
      id,
      orderNumber: 1001 + this.orders.size,
      email: customer ? customer.email : null,
      phone: null,
      customerId: customer?.id ?? null,
      createdAtMs,
      updatedAtMs: now,
      processedAtMs: input.processedAt === undefined ? createdAtMs : instantOf(input.processedAt, 'processed_at'),
      cancelledAtMs: null,
      cancelReason: null,
      currency: 'CAD',
      financialStatus: 'pending',
      fulfillmentStatus: null,
      tags: [],
      note: null,
      poNumber: null,
      shippingAddress: customer?.address ?? null,
      billingAddress: customer?.address ?? null,
      lineItems,
      // The first shipping line's id is the order's + 1 (as the seeded orders); further ones take fresh ids.
      shippingLines: shipping.map((l, i) => ({ id: i === 0 ? id + 1n : this.ids.misc.take(this.idRandom), ...l })),
      taxes,
      taxesIncluded: input.taxesIncluded ?? false,
      discount: discountCents ? { code: input.discount?.code ?? 'DISCOUNT', cents: discountCents } : null,
      paidCents: 0,
      refunds: [],
      checkoutId: null,
      test: false,
    };
    if (this.orders.has(order.id)) throw new SandboxHttpError(422, { errors: { id: ['taken'] } });
    this.orders.set(order.id, order);
    const eventId = randomUUID();
    this.emit('orders/create', (ctx) => orderPayload(order, ctx), eventId);
    if (input.paid) this.payOrder(order.id);
    return order;
  }

  /** Order edit: change quantities (current_quantity) and/or add lines. Emits orders/updated. */
  editOrder(
    id: bigint,
    edit: {
      quantities?: Array<{ lineItemId: bigint; quantity: number }>;
      addLines?: Array<{ sku?: string | null; title: string; price: string; quantity: number }>;
      tags?: string[];
      email?: string | null;
    },
  ): SimOrder {
    const order = this.order(id);
    for (const q of edit.quantities ?? []) {
      const li = order.lineItems.find((x) => x.id === q.lineItemId);
      if (!li) throw new SandboxHttpError(422, { errors: { line_item_id: [`unknown ${q.lineItemId}`] } });
      if (q.quantity < 0) throw new SandboxHttpError(422, { errors: { quantity: ['must be >= 0'] } });
      li.currentQuantity = q.quantity;
    }
    for (const l of edit.addLines ?? []) order.lineItems.push(this.newLine(l));
    if (edit.tags) order.tags = edit.tags;
    if (edit.email !== undefined) order.email = edit.email;
    if (order.financialStatus === 'paid' && orderTotals(order).outstanding > 0) order.financialStatus = 'partially_paid';
    order.updatedAtMs = this.now();
    this.emit('orders/updated', (ctx) => orderPayload(order, ctx));
    return order;
  }

  /** Captures the outstanding amount. Emits orders/paid then orders/updated (one merchant action, one Event-Id). */
  payOrder(id: bigint): SimOrder {
    const order = this.order(id);
    const t = orderTotals(order);
    order.paidCents += t.outstanding;
    order.financialStatus = 'paid';
    order.updatedAtMs = this.now();
    const eventId = randomUUID();
    this.emit('orders/paid', (ctx) => orderPayload(order, ctx), eventId);
    this.emit('orders/updated', (ctx) => orderPayload(order, ctx), eventId);
    return order;
  }

  /** Refunds quantities of lines (and their tax). Emits refunds/create then orders/updated. */
  refundOrder(id: bigint, input: { lines: Array<{ lineItemId: bigint; quantity: number }>; restock?: boolean; note?: string }): SimOrder {
    const order = this.order(id);
    const now = this.now();
    const refund = {
      id: this.ids.misc.take(this.idRandom),
      transactionId: this.ids.misc.take(this.idRandom),
      note: input.note ?? null,
      createdAtMs: now,
      restock: input.restock ?? false,
      lines: [] as SimOrder['refunds'][number]['lines'],
      amountCents: 0,
    };
    for (const l of input.lines) {
      const li = order.lineItems.find((x) => x.id === l.lineItemId);
      if (!li) throw new SandboxHttpError(422, { errors: { line_item_id: [`unknown ${l.lineItemId}`] } });
      if (l.quantity <= 0 || l.quantity > li.currentQuantity) {
        throw new SandboxHttpError(422, { errors: { quantity: [`cannot refund ${l.quantity} of ${li.currentQuantity}`] } });
      }
      const subtotal = lineNetCents(li, l.quantity);
      const tax = lineTaxCents(order, subtotal);
      li.currentQuantity -= l.quantity;
      refund.lines.push({ id: this.ids.misc.take(this.idRandom), lineItemId: li.id, quantity: l.quantity, subtotalCents: subtotal, taxCents: tax });
      refund.amountCents += subtotal + (order.taxesIncluded ? 0 : tax);
    }
    order.refunds.push(refund);
    const t = orderTotals(order);
    order.financialStatus = t.refunded >= order.paidCents && order.paidCents > 0 ? 'refunded' : 'partially_refunded';
    order.updatedAtMs = now;
    const eventId = randomUUID();
    this.emit('refunds/create', (ctx) => refundPayload(order, refund, ctx), eventId);
    this.emit('orders/updated', (ctx) => orderPayload(order, ctx), eventId);
    return order;
  }

  /**
   * Cancels an order (Admin: orderCancel): cancelled_at and cancel_reason set, an unpaid order's payment voided.
   * Emits orders/cancelled then orders/updated (one merchant action, one Event-Id). Refunding what was paid is a
   * refund of its own (refundOrder), as in Shopify where the refund is a separate record. Twice is a 422.
   */
  cancelOrder(id: bigint, input: { reason?: string } = {}): SimOrder {
    const order = this.order(id);
    if (order.cancelledAtMs !== null) throw new SandboxHttpError(422, { errors: { base: ['Order has already been cancelled'] } });
    const reason = input.reason ?? 'other';
    if (!['customer', 'declined', 'fraud', 'inventory', 'other', 'staff'].includes(reason))
      throw new SandboxHttpError(422, { errors: { reason: [`${reason} is not a cancel reason`] } });
    const now = this.now();
    order.cancelledAtMs = now;
    order.cancelReason = reason;
    if (order.paidCents === 0) order.financialStatus = 'voided';
    order.updatedAtMs = now;
    const eventId = randomUUID();
    this.emit('orders/cancelled', (ctx) => orderPayload(order, ctx), eventId);
    this.emit('orders/updated', (ctx) => orderPayload(order, ctx), eventId);
    return order;
  }

  /** Mandatory compliance webhooks (shopify.md §1.7). */
  compliance(topic: 'customers/data_request' | 'customers/redact' | 'shop/redact', customerId?: bigint): void {
    const shopId = 548_380_009n;
    const customer = customerId === undefined ? undefined : this.customers.get(customerId);
    if (topic !== 'shop/redact' && !customer) throw new SandboxHttpError(422, { errors: 'customerId required' });
    const orderIds = [...this.orders.values()].filter((o) => customer && o.customerId === customer.id).map((o) => o.id);
    const who = customer ? { id: customer.id, email: customer.email, phone: customer.phone } : undefined;
    this.emit(topic, () =>
      topic === 'shop/redact'
        ? { shop_id: shopId, shop_domain: this.shopDomain }
        : topic === 'customers/redact'
          ? { shop_id: shopId, shop_domain: this.shopDomain, customer: who, orders_to_redact: orderIds }
          : { shop_id: shopId, shop_domain: this.shopDomain, orders_requested: orderIds, customer: who, data_request: { id: 9999n } },
    );
  }

  subscribe(input: { topic: string; uri: string; apiVersion?: string; name?: string; source?: 'app' | 'admin' }): Subscription {
    if (!(WEBHOOK_TOPICS as readonly string[]).includes(input.topic)) {
      throw new SandboxHttpError(422, { errors: { topic: [`unknown topic ${input.topic}`] } });
    }
    if (input.name !== undefined && !/^[A-Za-z0-9_-]{1,50}$/.test(input.name)) {
      throw new SandboxHttpError(422, { errors: { name: ['1-50 characters of A-Z a-z 0-9 _ -'] } });
    }
    const sub: Subscription = {
      id: `gid://shopify/WebhookSubscription/${this.subscriptions.length + 1}`,
      topic: input.topic as ShopifyWebhookTopic,
      uri: input.uri,
      apiVersion: input.apiVersion ?? '2026-10',
      name: input.name,
      source: input.source ?? 'app',
      deleted: false,
      format: 'JSON',
      createdAtMs: this.now(),
    };
    this.subscriptions.push(sub);
    return sub;
  }

  /** Starts a rotation: new deliveries alternate between the old and the new secret until the window ends. */
  rotateSecret(newSecret: string, windowMs = this.opts.rotationWindowMs): void {
    this.previousSecret = { secret: this.clientSecret, untilMs: this.now() + windowMs };
    this.clientSecret = newSecret;
  }

  /** Issues an access token directly (a merchant-installed app's token, or an expiring offline pair). */
  issueToken(opts: { expiresInSec?: number | null; scopes?: string[]; withRefresh?: boolean } = {}): {
    access_token: string;
    scope: string;
    expires_in?: number;
    refresh_token?: string;
    refresh_token_expires_in?: number;
  } {
    const scopes = opts.scopes ?? ALL_SCOPES;
    const expiresIn = opts.expiresInSec === undefined ? 3600 : opts.expiresInSec;
    const token = `shpat_sim_${randomUUID().replace(/-/g, '')}`;
    this.accessTokens.set(token, { scopes, expiresAtMs: expiresIn === null ? null : this.now() + expiresIn * 1000 });
    const out: ReturnType<ShopifySandbox['issueToken']> = { access_token: token, scope: scopes.join(',') };
    if (expiresIn !== null) out.expires_in = expiresIn;
    if (opts.withRefresh) {
      const rt = `shprt_sim_${randomUUID().replace(/-/g, '')}`;
      const rtExpires = 90 * 86_400;
      this.refreshTokens.set(rt, { scopes, expiresAtMs: this.now() + rtExpires * 1000 });
      out.refresh_token = rt;
      out.refresh_token_expires_in = rtExpires;
    }
    return out;
  }

  /** Makes every (or one) access token expired, as an hour passing would. */
  expireTokens(token?: string): number {
    let n = 0;
    for (const [k, v] of this.accessTokens) {
      if (token && k !== token) continue;
      v.expiresAtMs = this.now() - 1;
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- webhooks

  private emit(topic: ShopifyWebhookTopic, build: (ctx: PayloadContext) => unknown, eventId = randomUUID()): void {
    this.retireFailingSubscriptions();
    const triggeredAt = this.triggeredAt();
    for (const sub of this.subscriptions) {
      if (sub.deleted || sub.topic !== topic) continue;
      const apiVersion = this.effectiveVersion(sub.apiVersion);
      const body = toExactJson(build({ apiVersion, shopTimeZone: this.opts.shopTimeZone, customers: this.customers }));
      this.deliver(sub, { topic, body, apiVersion, eventId, triggeredAt });
    }
  }

  /**
   * Delivers a body given as bytes (e.g. one of Shopify's published samples) to every live subscription of `topic`,
   * exactly as it is: never parsed or re-serialised, so 64-bit ids and number spellings (`0.0`) arrive intact, and
   * signed over those bytes. One event: the deliveries share one X-Shopify-Event-Id and each has its own
   * X-Shopify-Webhook-Id. X-Shopify-API-Version says which version wrote the body (`apiVersion`, default 2026-07, the
   * version of the published samples), whatever the subscriptions' versions. Faults apply as to generated bodies.
   * The sandbox's data is not changed. 422 for an unknown topic or bytes that are not UTF-8 (Shopify sends JSON).
   */
  publishSample(topic: string, bytes: Buffer | string, opts: { apiVersion?: string; eventId?: string } = {}): DeliveryRecord[] {
    if (!(WEBHOOK_TOPICS as readonly string[]).includes(topic)) {
      throw new SandboxHttpError(422, { errors: { topic: [`unknown topic ${topic}`] } });
    }
    const raw = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    if (!raw.length) throw new SandboxHttpError(422, { errors: { body: ['empty'] } });
    let body: string;
    try {
      body = STRICT_UTF8.decode(raw);
    } catch {
      throw new SandboxHttpError(422, { errors: { body: ['not UTF-8'] } });
    }
    // The dispatcher sends the text as UTF-8: check it comes back to the very same bytes.
    if (!Buffer.from(body, 'utf8').equals(raw)) throw new SandboxHttpError(422, { errors: { body: ['does not round-trip as UTF-8'] } });
    const apiVersion = opts.apiVersion ?? PUBLISHED_SAMPLES_API_VERSION;
    const eventId = opts.eventId ?? randomUUID();
    this.retireFailingSubscriptions();
    const triggeredAt = this.triggeredAt();
    const from = this.deliveries.length;
    for (const sub of this.subscriptions) {
      if (sub.deleted || sub.topic !== topic) continue;
      this.deliver(sub, { topic: sub.topic, body, apiVersion, eventId, triggeredAt });
    }
    return this.deliveries.slice(from);
  }

  /**
   * X-Shopify-Triggered-At: UTC with microseconds, as Shopify writes it (`2025-07-10T16:15:47.000000Z`). Two merchant
   * actions never share one at Shopify's precision, so within one millisecond of the sandbox clock the microseconds
   * count up (an order created and edited in the same millisecond would otherwise look like one version).
   */
  private triggeredAt(): string {
    let micros = BigInt(Math.floor(this.now())) * 1000n;
    if (micros <= this.lastTriggeredMicros) micros = this.lastTriggeredMicros + 1n;
    this.lastTriggeredMicros = micros;
    return `${new Date(Number(micros / 1000n)).toISOString().slice(0, 19)}.${(micros % 1_000_000n).toString().padStart(6, '0')}Z`;
  }
  private lastTriggeredMicros = 0n;

  /**
   * One delivery to one subscription, with exactly the headers Shopify documents for a delivery
   * (https://shopify.dev/docs/apps/build/webhooks/delivery-structure, "Headers"; the example request of
   * https://shopify.dev/docs/api/webhooks/2026-07, test/fixtures/shopify/webhook_delivery_headers_example.json):
   * Topic, Hmac-Sha256, Shop-Domain, API-Version, Webhook-Id ("unique composite key per delivery"), Triggered-At,
   * Event-Id ("shared across all deliveries produced by the same merchant action"), and Name when the subscription
   * has one, plus Content-Type: application/json. The Webhook-Id is new per delivery and kept by every retry and
   * duplicate of it; whether Shopify keeps it across retries is UNCONFIRMED, so the `newWebhookIdOnRetry` fault
   * changes it on retries (default: stable, the reading the "Verify deliveries" page's dedupe advice implies).
   */
  private deliver(sub: Subscription, d: { topic: ShopifyWebhookTopic; body: string; apiVersion: string; eventId: string; triggeredAt: string }): void {
    const { topic, body, apiVersion, eventId } = d;
    const { secret, signedWith } = this.pickSecret(sub);
    const webhookId = randomUUID();
    const headers: Record<string, string> = {
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': signShopifyWebhook(body, secret),
      'X-Shopify-Shop-Domain': this.shopDomain,
      'X-Shopify-API-Version': apiVersion,
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Event-Id': eventId,
      'X-Shopify-Triggered-At': d.triggeredAt,
    };
    if (sub.name) headers['X-Shopify-Name'] = sub.name;
    const faults = this.webhookFaults;
    const sent = faults.lowercaseHeaders ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) : headers;
    const record: DeliveryRecord = { webhookId, eventId, topic, uri: sub.uri, subscriptionId: sub.id, apiVersion, body, headers: sent, signedWith };
    if (faults.drop) {
      this.deliveries.push({ ...record, dropped: true });
      return;
    }
    this.deliveries.push(record);
    this.dispatcher.options.duplicate = Boolean(faults.duplicate);
    this.dispatcher.options.reorder = Boolean(faults.reorder);
    this.dispatcher.send({
      id: webhookId,
      topic,
      url: sub.uri,
      body,
      headers: (attempt) => {
        if (attempt === 1 || !faults.newWebhookIdOnRetry) return sent;
        const key = faults.lowercaseHeaders ? 'x-shopify-webhook-id' : 'X-Shopify-Webhook-Id';
        return { ...sent, [key]: randomUUID() };
      },
    });
  }

  private pickSecret(sub: Subscription): { secret: string; signedWith: DeliveryRecord['signedWith'] } {
    if ((this.webhookFaults.badSignatureCount ?? 0) > 0) {
      this.webhookFaults.badSignatureCount = (this.webhookFaults.badSignatureCount ?? 0) - 1;
      return { secret: `${this.clientSecret}-tampered`, signedWith: 'bad' };
    }
    if (sub.source === 'admin') return { secret: this.notificationsKey, signedWith: 'notifications' };
    if (this.previousSecret && this.now() < this.previousSecret.untilMs && this.rotationCounter++ % 2 === 0) {
      return { secret: this.previousSecret.secret, signedWith: 'previous' };
    }
    return { secret: this.clientSecret, signedWith: 'current' };
  }

  /** Unsupported versions "fall forward" to the oldest supported one (shopify.md §1.1). */
  private effectiveVersion(v: string): string {
    if (SUPPORTED_API_VERSIONS.includes(v)) return v;
    const oldest = SUPPORTED_API_VERSIONS[0]!;
    return /^\d{4}-\d{2}$/.test(v) && v < oldest ? oldest : v;
  }

  /** A subscription whose deliveries failed 8 times in a row (after all retries) is deleted (shopify.md §1.4). */
  private retireFailingSubscriptions(): void {
    for (const sub of this.subscriptions) {
      if (sub.deleted) continue;
      const finals = this.dispatcher.attempts.filter((a) => a.url === sub.uri && a.attempt === SHOPIFY_RETRY_SCHEDULE_SEC.length + 1);
      const lastSuccess = this.dispatcher.attempts.findLastIndex((a) => a.url === sub.uri && a.status >= 200 && a.status < 300);
      const failedSince = finals.filter((a) => this.dispatcher.attempts.indexOf(a) > lastSuccess && (a.status < 200 || a.status >= 300));
      if (failedSince.length >= 8) sub.deleted = true;
    }
  }

  // ---------------------------------------------------------------- HTTP surface

  private order(id: bigint): SimOrder {
    const o = this.orders.get(id);
    if (!o) throw new SandboxHttpError(404, { errors: 'Not Found' });
    return o;
  }

  private newAddress(a: CustomerAddressInput, firstName: string, lastName: string): SimAddress {
    return {
      id: this.ids.address.take(this.idRandom),
      firstName,
      lastName,
      company: a.company ?? null,
      address1: a.address1,
      address2: a.address2 ?? null,
      city: a.city,
      province: a.province ?? a.provinceCode,
      provinceCode: a.provinceCode,
      country: a.country ?? a.countryCode,
      countryCode: a.countryCode,
      zip: a.zip,
      phone: a.phone ?? null,
    };
  }

  private newLine(l: { sku?: string | null; title: string; price: string; quantity: number; requiresShipping?: boolean }): SimLineItem {
    const priceCents = centsOf(l.price, 'price');
    if (!Number.isInteger(l.quantity) || l.quantity <= 0) throw new SandboxHttpError(422, { errors: { quantity: ['must be > 0'] } });
    return {
      id: this.ids.line.take(this.idRandom),
      productId: null,
      variantId: null,
      sku: l.sku ?? null,
      title: l.title,
      quantity: l.quantity,
      currentQuantity: l.quantity,
      priceCents,
      grams: 0,
      requiresShipping: l.requiresShipping ?? true,
      taxable: true,
      discountCents: 0,
    };
  }

  private registerRoutes(): void {
    this.route('POST', '/admin/oauth/access_token', (req) => this.tokenEndpoint(req));
    this.route('POST', '/admin/api/:version/graphql.json', (req) => this.graphql(req));

    this.route('POST', '/__admin/seed', (req) => exact(200, this.seedData(bodyOf(req))));
    this.route('GET', '/__admin/orders', () => exact(200, { items: [...this.orders.values()].map((o) => this.restOrder(o)) }));
    this.route('GET', '/__admin/orders/:id', (req) => exact(200, this.restOrder(this.order(idParam(req)))));
    this.route('GET', '/__admin/customers', () => exact(200, { items: [...this.customers.values()].map((c) => customerPayload(c, this.ctx())) }));
    this.route('POST', '/__admin/customers', (req) => exact(201, customerPayload(this.createCustomer(bodyOf(req)), this.ctx())));
    this.route('POST', '/__admin/customers/:id', (req) => exact(200, customerPayload(this.updateCustomer(idParam(req), bodyOf(req)), this.ctx())));
    this.route('POST', '/__admin/orders', (req) => {
      type Input = Parameters<ShopifySandbox['createOrder']>[0];
      const b = bodyOf<Omit<Input, 'customerId' | 'id'> & { customerId?: string | null; id?: string }>(req);
      const order = this.createOrder({
        customerId: b.customerId ? toId(b.customerId) : null,
        id: b.id ? toId(b.id) : undefined,
        paid: b.paid,
        lines: b.lines ?? [],
        discount: b.discount,
        taxes: b.taxes,
        taxesIncluded: b.taxesIncluded,
        shipping: b.shipping,
        shippingLines: b.shippingLines,
        processedAt: b.processedAt,
        createdAt: b.createdAt,
      });
      return exact(201, this.restOrder(order));
    });
    this.route('POST', '/__admin/orders/:id/edit', (req) => {
      const b = bodyOf<{ quantities?: Array<{ lineItemId: string; quantity: number }>; addLines?: []; tags?: string[]; email?: string | null }>(req);
      const order = this.editOrder(idParam(req), {
        ...b,
        quantities: b.quantities?.map((q) => ({ lineItemId: toId(q.lineItemId), quantity: q.quantity })),
      });
      return exact(200, this.restOrder(order));
    });
    this.route('POST', '/__admin/orders/:id/pay', (req) => exact(200, this.restOrder(this.payOrder(idParam(req)))));
    this.route('POST', '/__admin/orders/:id/cancel', (req) => exact(200, this.restOrder(this.cancelOrder(idParam(req), bodyOf<{ reason?: string }>(req)))));
    this.route('POST', '/__admin/orders/:id/refunds', (req) => {
      const b = bodyOf<{ lines?: Array<{ lineItemId: string; quantity: number }>; restock?: boolean; note?: string }>(req);
      const order = this.refundOrder(idParam(req), {
        ...b,
        lines: (b.lines ?? []).map((l) => ({ lineItemId: toId(l.lineItemId), quantity: l.quantity })),
      });
      return exact(201, this.restOrder(order));
    });
    this.route('POST', '/__admin/compliance', (req) => {
      const b = bodyOf<{ topic: 'customers/data_request' | 'customers/redact' | 'shop/redact'; customerId?: string }>(req);
      this.compliance(b.topic, b.customerId ? toId(b.customerId) : undefined);
      return { status: 202, body: { ok: true } };
    });
    this.route('GET', '/__admin/webhooks', () => exact(200, { items: this.subscriptions }));
    this.route('POST', '/__admin/webhooks', (req) => exact(201, this.subscribe(bodyOf(req))));
    this.route('POST', '/__admin/webhooks/publish-sample', (req) => {
      // `?topic=` : the request body is the webhook body, byte for byte (`curl --data-binary @orders_create.json`).
      // Otherwise a JSON envelope `{topic, body}` whose `body` string is the exact text.
      const q = req.query;
      let topic: string | null = q.get('topic');
      let bytes: Buffer | string = req.rawBody;
      let opts = { apiVersion: q.get('apiVersion') ?? undefined, eventId: q.get('eventId') ?? undefined };
      if (topic === null) {
        const b = bodyOf<{ topic?: unknown; body?: unknown; apiVersion?: string; eventId?: string }>(req);
        if (typeof b.topic !== 'string' || typeof b.body !== 'string') {
          throw new SandboxHttpError(422, { errors: '?topic= with the raw body, or a JSON {topic, body} with body the exact text' });
        }
        topic = b.topic;
        bytes = b.body;
        opts = { apiVersion: b.apiVersion, eventId: b.eventId };
      }
      const sent = this.publishSample(topic, bytes, opts);
      return exact(202, {
        topic,
        eventId: sent[0]?.eventId ?? null,
        deliveries: sent.map((d) => ({
          webhookId: d.webhookId,
          subscriptionId: d.subscriptionId,
          uri: d.uri,
          apiVersion: d.apiVersion,
          dropped: d.dropped ?? false,
        })),
      });
    });
    this.route('POST', '/__admin/webhooks/flush', () => {
      this.dispatcher.flush();
      return { status: 200, body: { ok: true } };
    });
    this.route('GET', '/__admin/webhooks/deliveries', () => exact(200, { items: this.deliveries, attempts: this.dispatcher.attempts }));
    this.route('GET', '/__admin/webhook-faults', () => exact(200, this.webhookFaults));
    this.route('POST', '/__admin/webhook-faults', (req) => exact(200, (this.webhookFaults = bodyOf<WebhookFaults>(req))));
    this.route('POST', '/__admin/secrets/rotate', (req) => {
      const b = bodyOf<{ newSecret: string; windowMs?: number }>(req);
      if (!b.newSecret) throw new SandboxHttpError(422, { error: 'newSecret required' });
      this.rotateSecret(b.newSecret, b.windowMs);
      return { status: 200, body: { ok: true } };
    });
    this.route('POST', '/__admin/tokens', (req) => exact(201, this.issueToken(bodyOf(req))));
    this.route('POST', '/__admin/tokens/expire', (req) => exact(200, { expired: this.expireTokens(bodyOf<{ token?: string }>(req).token) }));
    this.route('GET', '/__admin/cost-model', () => exact(200, this.costModel));
    this.route('POST', '/__admin/cost-model', (req) => {
      const b = bodyOf<Partial<CostModel>>(req);
      for (const k of ['assumedListLength', 'maxQueryCost'] as const) {
        const v = b[k];
        if (v !== undefined && (!Number.isInteger(v) || v < 0)) return exact(422, { error: `${k} must be a non-negative integer` });
        if (v !== undefined) this.costModel[k] = v;
      }
      return exact(200, this.costModel);
    });
    this.route('GET', '/__admin/graphql-log', () => exact(200, this.graphqlLog));
    this.route('GET', '/__admin/graphql-faults', () => exact(200, this.graphqlFaults));
    this.route('POST', '/__admin/graphql-faults', (req) => exact(200, (this.graphqlFaults = bodyOf<GraphqlFaults>(req))));
    this.route('GET', '/__admin/throttle', () => exact(200, this.bucket.status(this.now())));
    this.route('POST', '/__admin/throttle', (req) => {
      this.bucket.set(bodyOf(req), this.now());
      return exact(200, this.bucket.status(this.now()));
    });
  }

  private ctx(apiVersion = '2026-10'): PayloadContext {
    return { apiVersion, shopTimeZone: this.opts.shopTimeZone, customers: this.customers };
  }

  private restOrder(o: SimOrder): unknown {
    return orderPayload(o, this.ctx());
  }

  private tokenEndpoint(req: SandboxRequest): SandboxResponse {
    const type = String(req.headers['content-type'] ?? '');
    const raw = req.rawBody.toString('utf8');
    const f: Record<string, string> = type.includes('application/x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(raw))
      : (req.json<Record<string, string>>() ?? {});
    const secretOk =
      f['client_secret'] === this.clientSecret ||
      (this.previousSecret !== undefined && this.now() < this.previousSecret.untilMs && f['client_secret'] === this.previousSecret.secret);
    if (f['client_id'] !== this.clientId || !secretOk) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    }
    if (f['grant_type'] === 'client_credentials') {
      return exact(200, this.issueToken({ expiresInSec: 86_399 }));
    }
    if (f['grant_type'] === 'refresh_token') {
      const rt = f['refresh_token'] ?? '';
      const stored = this.refreshTokens.get(rt);
      if (!stored || stored.expiresAtMs <= this.now() || (stored.replacedBy && this.opts.strictRefreshRotation)) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'refresh token is invalid or expired' } };
      }
      // Using a replacement retires its predecessor (2026-08-28 behaviour); strict mode retires on first use.
      for (const [k, v] of this.refreshTokens) if (v.replacedBy === rt) this.refreshTokens.delete(k);
      const out = this.issueToken({ expiresInSec: 3600, scopes: stored.scopes, withRefresh: true });
      stored.replacedBy = out.refresh_token;
      return exact(200, out);
    }
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: `grant_type ${f['grant_type']}` } };
  }

  private graphql(req: SandboxRequest): SandboxResponse {
    const version = req.params['version'] ?? '';
    if (!SUPPORTED_API_VERSIONS.includes(version) && !/^\d{4}-\d{2}$/.test(version)) {
      return { status: 404, body: { errors: 'Not Found' } };
    }
    const token = String(req.headers['x-shopify-access-token'] ?? '');
    const t = this.accessTokens.get(token);
    if (!t || (t.expiresAtMs !== null && t.expiresAtMs <= this.now())) {
      return { status: 401, headers: UNAUTHORIZED_HEADERS, body: UNAUTHORIZED_BODY };
    }
    const body = req.json<{ query?: unknown; variables?: Record<string, unknown> | null }>();
    if (typeof body?.query !== 'string') return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    const vars = body.variables ?? {};
    const op = recogniseOperation(body.query);
    const now = this.now();
    if (!op) {
      return plain(200, {
        errors: [
          {
            message: 'The Shopify sandbox does not recognise this query (see shopify-graphql.ts for the supported ones)',
            extensions: { code: 'UNSUPPORTED_BY_SANDBOX' },
          },
        ],
      });
    }
    const first = Number(vars['first'] ?? 0);
    const paged: KnownOperation[] = [
      'OrdersUpdatedSince',
      'OrderVersionsUpdatedSince',
      'CustomersUpdatedSince',
      'OrderLineItems',
      'OrderShippingLines',
      'WebhookSubscriptions',
    ];
    if (paged.includes(op) && (!Number.isInteger(first) || first < 1 || first > 250)) {
      return plain(200, { errors: [{ message: 'The first argument must be between 1 and 250', extensions: { code: 'BAD_REQUEST' } }] });
    }
    if (op === 'WebhookSubscriptionCreate') {
      const parsed = parseWebhookSubscriptionCreate(vars, WEBHOOK_TOPICS);
      if ('error' in parsed) {
        void this.graphqlLog.push({ operation: op, variables: { ...vars }, requestedQueryCost: 0, actualQueryCost: null, outcome: 'INVALID_VARIABLE' });
        return plain(200, { errors: [parsed.error] });
      }
    }
    if (op === 'OrderMetafieldsSet') {
      // Schema validation comes before execution: an undefined input field or a missing non-null one is an error.
      const parsed = parseMetafieldsSetVariables(vars);
      if ('error' in parsed) {
        void this.graphqlLog.push({ operation: op, variables: { ...vars }, requestedQueryCost: 0, actualQueryCost: null, outcome: 'INVALID_VARIABLE' });
        return plain(200, { errors: [parsed.error] });
      }
    }
    const requested = requestedCost(op, vars, this.costModel);
    const log = (outcome: GraphqlLogEntry['outcome'], actual: number | null): void =>
      void this.graphqlLog.push({ operation: op, variables: { ...vars }, requestedQueryCost: requested, actualQueryCost: actual, outcome });
    const maxCost = this.costModel.maxQueryCost;
    if (requested > maxCost || this.graphqlFaults.tooCostly?.includes(op)) {
      log('MAX_COST_EXCEEDED', null);
      return plain(200, {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${maxCost}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost },
          },
        ],
      });
    }
    if (requested > this.bucket.currentlyAvailable(now)) {
      log('THROTTLED', null);
      return plain(200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: DOCS_RATE_LIMITS } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: this.bucket.status(now) } },
      });
    }
    this.requestApiVersion = version;
    // Webhook subscriptions need no scope of their own (the topic's read scope is not modelled).
    const scope = op.startsWith('Webhook')
      ? undefined
      : MUTATIONS.has(op)
        ? 'write_orders'
        : op.startsWith('Order')
          ? 'read_orders'
          : op.startsWith('Customer')
            ? 'read_customers'
            : undefined;
    if (scope && !t.scopes.includes(scope)) {
      this.bucket.charge(1, now);
      log('ACCESS_DENIED', 1);
      const field =
        op === 'OrderMetafieldsSet'
          ? 'metafieldsSet'
          : op === 'OrdersUpdatedSince' || op === 'OrderVersionsUpdatedSince'
            ? 'orders'
            : op.startsWith('Order')
              ? 'order'
              : op === 'CustomersUpdatedSince'
                ? 'customers'
                : 'customer';
      return plain(200, {
        data: null,
        errors: [
          {
            message: `Access denied for ${field} field. Required access: \`${scope}\` access scope.`,
            extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: `\`${scope}\` access scope.` },
            path: [field],
          },
        ],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: 1, throttleStatus: this.bucket.status(now) } },
      });
    }
    const { data, actual } = this.execute(op, vars);
    this.bucket.charge(actual, now);
    const payload =
      op === 'OrderMetafieldsSet' || op.startsWith('WebhookSubscription') ? Object.values(data as Record<string, { userErrors?: unknown[] }>)[0] : undefined;
    log(payload?.userErrors?.length ? 'USER_ERRORS' : 'OK', actual);
    return plain(200, {
      data,
      extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: this.bucket.status(now) } },
    });
  }

  /**
   * metafieldsSet on orders: checks each input (checkMetafieldsSet), then upserts by owner + namespace + key; atomic
   * (nothing is set when any input has a userError). A namespace left out is the app-reserved one (`$app`).
   */
  private metafieldsSet(vars: Record<string, unknown>): { metafields: Record<string, unknown>[] | null; userErrors: MetafieldsSetUserError[] } {
    const parsed = parseMetafieldsSetVariables(vars);
    if ('error' in parsed)
      return { metafields: null, userErrors: [{ field: ['metafields'], message: parsed.error.message, code: 'INVALID', elementIndex: null }] };
    const orderOf = (gid: string) => this.orders.get(BigInt(gid.slice(gid.lastIndexOf('/') + 1)));
    const userErrors = checkMetafieldsSet(parsed.rows, (gid) => orderOf(gid) !== undefined);
    if (userErrors.length) return { metafields: null, userErrors };
    const now = this.now();
    const out = parsed.rows.map((r) => {
      const order = orderOf(r.ownerId)!;
      const namespace = r.namespace ?? '$app';
      const list = (order.metafields ??= []);
      let mf = list.find((m) => m.namespace === namespace && m.key === r.key);
      if (!mf) list.push((mf = { id: this.nextMetafieldId++, namespace, key: r.key, type: r.type!, value: r.value, createdAtMs: now, updatedAtMs: now }));
      else Object.assign(mf, { type: r.type!, value: r.value, updatedAtMs: now });
      // The client's selection (shopify.queries.ts ORDER_METAFIELDS_SET_MUTATION): id namespace key value type.
      return { id: `gid://shopify/Metafield/${mf.id}`, namespace, key: mf.key, value: mf.value, type: mf.type };
    });
    return { metafields: out, userErrors: [] };
  }

  private nextMetafieldId = 40_000_000_001n;
  /** The API version of the GraphQL request being answered (a created subscription's apiVersion). */
  private requestApiVersion = '2026-10';

  /** WebhookSubscription as the client selects it: id topic uri format createdAt. */
  private gqlSubscription(sub: Subscription): Record<string, unknown> {
    return { id: sub.id, topic: topicEnum(sub.topic), uri: sub.uri, format: sub.format ?? 'JSON', createdAt: utcTime(sub.createdAtMs ?? this.now()) };
  }

  /** webhookSubscriptions / webhookSubscriptionCreate / webhookSubscriptionDelete (shopify-webhook-subscriptions.ts). */
  private webhookSubscriptionOp(op: KnownOperation, vars: Record<string, unknown>): { data: unknown; failed?: boolean } {
    const live = this.subscriptions.filter((s) => s.source === 'app' && !s.deleted);
    if (op === 'WebhookSubscriptions') {
      const after = typeof vars['after'] === 'string' ? Number(Buffer.from(vars['after'], 'base64url').toString('utf8').replace(/^ws:/, '')) : 0;
      if (!Number.isInteger(after) || after < 0) return { data: null, failed: true };
      const nodes = live.slice(after, after + Number(vars['first']));
      const end = after + nodes.length;
      return {
        data: {
          webhookSubscriptions: {
            nodes: nodes.map((s) => this.gqlSubscription(s)),
            pageInfo: { hasNextPage: live.length > end, endCursor: nodes.length ? Buffer.from(`ws:${end}`).toString('base64url') : null },
          },
        },
      };
    }
    if (op === 'WebhookSubscriptionCreate') {
      const parsed = parseWebhookSubscriptionCreate(vars, WEBHOOK_TOPICS);
      if ('error' in parsed)
        return {
          data: { webhookSubscriptionCreate: { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription'], message: parsed.error.message }] } },
        };
      const userErrors = checkWebhookSubscriptionCreate(parsed.row, (topic, uri) => live.some((s) => s.topic === topic && s.uri === uri));
      if (userErrors.length) return { data: { webhookSubscriptionCreate: { webhookSubscription: null, userErrors } } };
      const sub = this.subscribe({ topic: parsed.row.topic, uri: parsed.row.uri, apiVersion: this.requestApiVersion, name: parsed.row.name, source: 'app' });
      return { data: { webhookSubscriptionCreate: { webhookSubscription: this.gqlSubscription(sub), userErrors: [] } } };
    }
    const sub = live.find((s) => s.id === vars['id']);
    if (!sub)
      return {
        data: {
          webhookSubscriptionDelete: { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] },
        },
      };
    sub.deleted = true;
    return { data: { webhookSubscriptionDelete: { deletedWebhookSubscriptionId: sub.id, userErrors: [] } } };
  }

  private execute(op: KnownOperation, vars: Record<string, unknown>): { data: unknown; actual: number } {
    const { data, failed } = this.answer(op, vars);
    return { data, actual: failed ? 1 : Math.max(1, actualCost(op, vars, data, this.costModel)) };
  }

  private answer(op: KnownOperation, vars: Record<string, unknown>): { data: unknown; failed?: boolean } {
    if (op.startsWith('WebhookSubscription')) return this.webhookSubscriptionOp(op, vars);
    const lineItemsFirst = Number(vars['lineItemsFirst'] ?? 10);
    const shippingLinesFirst = shippingLinesFirstOf(vars);
    const gidId = (kind: string): bigint | undefined => {
      const m = new RegExp(`^gid://shopify/${kind}/(\\d+)$`).exec(String(vars['id'] ?? ''));
      return m ? BigInt(m[1]!) : undefined;
    };
    if (op === 'OrderLineItems' || op === 'OrderShippingLines') {
      const id = gidId('Order');
      const o = id === undefined ? undefined : this.orders.get(id);
      if (!o) return { data: { order: null } };
      const items = gqlOrderItems(
        o,
        op === 'OrderLineItems' ? 'lineItems' : 'shippingLines',
        Number(vars['first']),
        typeof vars['after'] === 'string' ? vars['after'] : null,
      );
      return items ? { data: { order: items } } : { data: null, failed: true };
    }
    const after = typeof vars['after'] === 'string' ? decodeCursor(vars['after']) : undefined;
    if (typeof vars['after'] === 'string' && !after) {
      return { data: null, failed: true };
    }
    const filters = parseUpdatedAtFilter(typeof vars['query'] === 'string' ? vars['query'] : undefined);
    const matches = (ms: number): boolean => filters.every((f) => f(ms));
    const ordersPage = (node: (o: SimOrder) => unknown): { data: unknown } => {
      const p = page(
        [...this.orders.values()].filter((o) => matches(o.updatedAtMs)),
        Number(vars['first']),
        after,
      );
      return { data: { orders: { nodes: p.nodes.map(node), pageInfo: { hasNextPage: p.hasNextPage, endCursor: p.endCursor } } } };
    };
    switch (op) {
      case 'OrderMetafieldsSet':
        return { data: { metafieldsSet: this.metafieldsSet(vars) } };
      case 'Ping':
        return { data: { shop: { name: 'ML Connector Demo', myshopifyDomain: this.shopDomain } } };
      case 'Shop':
        return { data: { shop: { name: 'ML Connector Demo', myshopifyDomain: this.shopDomain, ianaTimezone: this.opts.shopTimeZone } } };
      case 'OrderById': {
        const id = gidId('Order');
        const o = id === undefined ? undefined : this.orders.get(id);
        const c = o?.customerId ? this.customers.get(o.customerId) : undefined;
        return { data: { order: o ? gqlOrder(o, c, lineItemsFirst, shippingLinesFirst) : null } };
      }
      case 'CustomerById': {
        const id = gidId('Customer');
        const c = id === undefined ? undefined : this.customers.get(id);
        return { data: { customer: c ? gqlCustomer(c) : null } };
      }
      case 'OrderVersionsUpdatedSince':
        return ordersPage((o) => ({ id: `gid://shopify/Order/${o.id}`, updatedAt: utcTime(o.updatedAtMs) }));
      case 'OrdersUpdatedSince':
        return ordersPage((o) => gqlOrder(o, o.customerId ? this.customers.get(o.customerId) : undefined, lineItemsFirst, shippingLinesFirst));
      default: {
        const p = page(
          [...this.customers.values()].filter((c) => matches(c.updatedAtMs)),
          Number(vars['first']),
          after,
        );
        return {
          data: { customers: { nodes: p.nodes.map(gqlCustomer), pageInfo: { hasNextPage: p.hasNextPage, endCursor: p.endCursor } } },
        };
      }
    }
  }
}

/** GraphQL answers carry no int64 numbers (ids are GIDs / strings), so the kit's JSON path, faults included, applies. */
function plain(status: number, value: unknown): SandboxResponse {
  return { status, body: value };
}

/** A JSON answer written with toExactJson, so bigint ids stay exact. */
function exact(status: number, value: unknown): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: toExactJson(value) };
}

/** Epoch ms of an ISO 8601 time with a zone ("2026-11-30T19:30:00-05:00", "…Z"); 422 otherwise. */
function instantOf(text: string, field: string): number {
  const ms = typeof text === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new SandboxHttpError(422, { errors: { [field]: [`not an ISO 8601 time with a zone: ${String(text)}`] } });
  return ms;
}

/** Cents of a decimal money string with at most 2 decimals ("12.5", "12.50"); 422 otherwise. */
function centsOf(amount: string, field: string): number {
  if (typeof amount !== 'string' || !/^\d+(\.\d{1,2})?$/.test(amount))
    throw new SandboxHttpError(422, { errors: { [field]: [`bad amount ${String(amount)}`] } });
  const [whole, frac = ''] = amount.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Basis points of a decimal tax rate with at most 4 decimals ("0.13" → 1300, "0.0725" → 725); 422 otherwise. */
function rateBpOf(rate: string): number {
  if (typeof rate !== 'string' || !/^0(\.\d{1,4})?$|^1(\.0{1,4})?$/.test(rate))
    throw new SandboxHttpError(422, { errors: { rate: [`bad tax rate ${String(rate)}`] } });
  const [whole, frac = ''] = rate.split('.');
  return Number(whole) * 10_000 + Number(frac.padEnd(4, '0'));
}

function bodyOf<T = Record<string, never>>(req: SandboxRequest): T {
  if (req.rawBody.length === 0) return {} as T;
  return req.json<T>();
}

function toId(v: unknown): bigint {
  const s = String(v);
  if (!/^\d{1,20}$/.test(s)) throw new SandboxHttpError(422, { errors: `bad id ${s}` });
  return BigInt(s);
}

function idParam(req: SandboxRequest): bigint {
  return toId(req.params['id']);
}
