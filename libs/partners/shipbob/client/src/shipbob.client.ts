import { DecimalFormatError, toMinorRounded } from '@mlc/platform-decimal';
import { fetchText, memoryAccessToken, PartnerPolicy, retryAfterMsFromHeaders, type RequestKind } from '@mlc/platform-partner-policy';
import {
  ShipbobAuthError,
  ShipbobDuplicateOrderError,
  ShipbobError,
  ShipbobRateLimitedError,
  ShipbobRejectedError,
  ShipbobUnavailableError,
  type ShipbobErrorDetails,
} from './shipbob.errors';
import type {
  ShipbobAddress,
  ShipbobCancelResult,
  ShipbobChannel,
  ShipbobCreateOrderInput,
  ShipbobCreateOrderResult,
  ShipbobFulfillmentCenter,
  ShipbobLocation,
  ShipbobOrder,
  ShipbobOrderChangeWindow,
  ShipbobPage,
  ShipbobPing,
  ShipbobProduct,
  ShipbobRateLimitState,
  ShipbobShipment,
  ShipbobTransaction,
  ShipbobTransactionQuery,
  ShipbobWebhookSubscription,
} from './shipbob.types';

export const SHIPBOB_PRODUCTION_URL = 'https://api.shipbob.com';
export const SHIPBOB_SANDBOX_URL = 'https://sandbox-api.shipbob.com';
export const SHIPBOB_PRODUCTION_AUTH_URL = 'https://auth.shipbob.com';
export const SHIPBOB_SANDBOX_AUTH_URL = 'https://authstage.shipbob.com';
export const SHIPBOB_API_VERSION = '2026-01';
/** ShipBob allows 150 requests/minute (https://developer.shipbob.com/rate-limit); used when a 429 names no delay. */
export const SHIPBOB_DEFAULT_RETRY_AFTER_MS = 60_000;
export const SHIPBOB_DEFAULT_TIMEOUT_MS = 15_000;
/** `GET /order` `Limit` maximum (OpenAPI 2026-01 paths./2026-01/order.get parameters: 1-250). */
export const ORDER_PAGE_LIMIT = 250;
/** Access tokens live 1 h; refresh this long before they expire. */
export const SHIPBOB_TOKEN_REFRESH_SKEW_MS = 60_000;

export type ShipbobAuthConfig =
  | { kind: 'pat'; token: string }
  | {
      kind: 'oauth';
      clientId: string;
      clientSecret: string;
      /** Refresh tokens rotate: each refresh invalidates this one, so persist what `onRefreshTokenRotated` gives. */
      refreshToken: string;
      redirectUri?: string;
      onRefreshTokenRotated?: (refreshToken: string) => void | Promise<void>;
    };

export interface ShipbobClientConfig {
  /** API host: production, sandbox or the local simulator. */
  baseUrl: string;
  /** OAuth host (auth.shipbob.com / authstage.shipbob.com); defaults to `baseUrl` (the simulator serves both). */
  authBaseUrl?: string;
  apiVersion?: string;
  /** Sent as `shipbob_channel_id` on order calls. */
  channelId: number | string;
  auth: ShipbobAuthConfig;
  /** Overrides token handling (a shared token manager): return a valid access token, a new one when `forceRefresh`. */
  getAccessToken?: (forceRefresh: boolean) => Promise<string>;
  /** Timeout of one attempt (default 15 s). */
  timeoutMs?: number;
  /**
   * The retry / timeout / circuit-breaker policy (@mlc/platform-partner-policy). PartnerClients passes the one shared
   * ShipBob policy with `policyKey` `<tenant>:shipbob`; default: a policy of this client's own.
   */
  policy?: PartnerPolicy;
  /** The circuit of this client within `policy` (default: API host and channel). */
  policyKey?: string;
  /** Clock for token expiry (tests). */
  now?: () => number;
}

interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  channel?: boolean;
}

interface RawResponse {
  status: number;
  body: unknown;
}

/**
 * The only code that knows ShipBob's URLs, auth and payloads (API 2026-01). Returns our types, throws only
 * ShipbobError subclasses (AppError): SHIPBOB.RATE_LIMITED / UNAVAILABLE (retryable), REJECTED / AUTH /
 * DUPLICATE_ORDER (not). Every request runs under the partner policy (a few short retries honouring
 * `x-retry-after`, a bounded total time, a circuit per tenant); what it cannot ride out is thrown with
 * `retryAfterMs` for the caller's backoff. Repeated only when safe (see `requestKind`).
 */
export class ShipbobClient {
  private readonly apiRoot: string;
  private readonly authRoot: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** `config.getAccessToken` (services: the shared TokenManager), else an in-memory source (one-off use, OAuth). */
  private readonly tokenSource: ((forceRefresh: boolean) => Promise<string>) | undefined;
  private refreshToken: string | undefined;
  private rate: ShipbobRateLimitState = { remainingCalls: undefined, retryAfterMs: undefined, observedAt: 0 };
  private readonly policy: PartnerPolicy;
  private readonly policyKey: string;

  constructor(private readonly config: ShipbobClientConfig) {
    const base = config.baseUrl.replace(/\/+$/, '');
    this.apiRoot = `${base}/${config.apiVersion ?? SHIPBOB_API_VERSION}`;
    this.authRoot = (config.authBaseUrl ?? base).replace(/\/+$/, '');
    this.timeoutMs = config.timeoutMs ?? SHIPBOB_DEFAULT_TIMEOUT_MS;
    this.now = config.now ?? Date.now;
    const auth = config.auth;
    if (auth.kind === 'oauth') this.refreshToken = auth.refreshToken;
    this.tokenSource =
      config.getAccessToken ??
      (auth.kind === 'oauth' ? memoryAccessToken(() => this.refresh(auth), { skewMs: SHIPBOB_TOKEN_REFRESH_SKEW_MS, now: this.now }) : undefined);
    this.policy =
      config.policy ?? new PartnerPolicy({ partner: 'SHIPBOB', attemptTimeoutMs: this.timeoutMs, maxTotalMs: Math.max(20_000, this.timeoutMs + 5_000) });
    this.policyKey = config.policyKey ?? `${this.apiRoot}#${String(config.channelId)}`;
  }

  /** Rate-limit headers of the most recent answer. */
  get rateLimit(): Readonly<ShipbobRateLimitState> {
    return this.rate;
  }

  /** Checks reachability and credentials (GET /channel) and whether the configured channel is visible. */
  async ping(): Promise<ShipbobPing> {
    const started = this.now();
    const channels = await this.listChannels();
    return {
      latencyMs: this.now() - started,
      channelFound: channels.some((c) => String(c.id) === String(this.config.channelId)),
      remainingCalls: this.rate.remainingCalls,
    };
  }

  async listChannels(): Promise<ShipbobChannel[]> {
    const res = await this.request('GET', '/channel', {});
    return items(res.body).map((c) => ({
      id: num(c['id']),
      name: str(c['name']),
      applicationName: optStr(c['application_name']),
      scopes: strings(c['scopes']),
    }));
  }

  /**
   * Creates an order. Duplicates are recovered, not thrown: on ShipBob's 422 for an existing reference_id the
   * client reads the order back (`GET /order?ReferenceIds=` in the same channel) and returns it with
   * `created: false`. Only when that order cannot be found (it lives in another channel) does it throw
   * ShipbobDuplicateOrderError. Other 422s are ShipbobRejectedError.
   */
  async createOrder(input: ShipbobCreateOrderInput): Promise<ShipbobCreateOrderResult> {
    try {
      const res = await this.request('POST', '/order', { channel: true, body: toOrderBody(input) });
      return { order: toOrder(res.body), created: true };
    } catch (err) {
      if (!(err instanceof ShipbobRejectedError) || err.details['status'] !== 422 || !mentionsReference(err.details['partnerBody'])) throw err;
      const existing = (await this.findOrdersByReferenceIds([input.referenceId])).find((o) => o.referenceId === input.referenceId);
      if (existing) return { order: existing, created: false };
      throw new ShipbobDuplicateOrderError(input.referenceId, err.details as ShipbobErrorDetails);
    }
  }

  /** Orders of the configured channel with these reference_ids (at most 250). */
  async findOrdersByReferenceIds(referenceIds: readonly string[]): Promise<ShipbobOrder[]> {
    if (!referenceIds.length) return [];
    const res = await this.request('GET', '/order', { channel: true, query: { ReferenceIds: referenceIds.join(','), Limit: '250' } });
    return arr(res.body).map(toOrder);
  }

  /**
   * One page of the orders of the configured channel changed in a window (`GET /order` with `LastUpdateStartDate` +
   * `LastUpdateEndDate`, or `LastTrackingUpdateStartDate` + `LastTrackingUpdateEndDate`, and `Page` + `Limit`; all
   * documented query parameters of OpenAPI 2026-01 paths./2026-01/order.get). No paging headers are declared for this
   * list, so the last page is the first one shorter than `limit`.
   */
  async listOrdersChanged(w: ShipbobOrderChangeWindow): Promise<ShipbobOrder[]> {
    const window =
      w.by === 'last-update'
        ? { LastUpdateStartDate: w.from, LastUpdateEndDate: w.to }
        : { LastTrackingUpdateStartDate: w.from, LastTrackingUpdateEndDate: w.to };
    const res = await this.request('GET', '/order', { channel: true, query: { ...window, Page: String(w.page), Limit: String(w.limit) } });
    return arr(res.body).map(toOrder);
  }

  /**
   * Every order of the configured channel updated, or with tracking updated, between `from` and `to` (ISO-8601), each
   * once: both documented date filters of `GET /order`, page by page (`Limit` 250) until a short page. Whether a
   * tracking-only change (in transit, delivered) moves the order's last update is not documented (UNCONFIRMED), so
   * both are read.
   */
  async *ordersChangedBetween(from: string, to: string, limit = ORDER_PAGE_LIMIT): AsyncIterable<ShipbobOrder> {
    const seen = new Set<number>();
    for (const by of ['last-update', 'last-tracking-update'] as const) {
      for (let page = 1; ; page++) {
        const orders = await this.listOrdersChanged({ by, from, to, page, limit });
        for (const o of orders) {
          if (seen.has(o.id)) continue;
          seen.add(o.id);
          yield o;
        }
        if (orders.length < limit) break;
      }
    }
  }

  /** The order, or undefined when ShipBob answers 404. */
  async getOrder(orderId: number): Promise<ShipbobOrder | undefined> {
    try {
      return toOrder((await this.request('GET', `/order/${orderId}`, { channel: true })).body);
    } catch (err) {
      if (err instanceof ShipbobRejectedError && err.details['status'] === 404) return undefined;
      throw err;
    }
  }

  async getShipment(shipmentId: number): Promise<ShipbobShipment | undefined> {
    try {
      return toShipment(obj((await this.request('GET', `/shipment/${shipmentId}`, { channel: true })).body));
    } catch (err) {
      if (err instanceof ShipbobRejectedError && err.details['status'] === 404) return undefined;
      throw err;
    }
  }

  /** The order's shipments (GET /order/{orderId}/shipment); undefined when ShipBob answers 404. */
  async listShipments(orderId: number): Promise<ShipbobShipment[] | undefined> {
    try {
      return arr((await this.request('GET', `/order/${orderId}/shipment`, { channel: true })).body).map((s) => toShipment(obj(s)));
    } catch (err) {
      if (err instanceof ShipbobRejectedError && err.details['status'] === 404) return undefined;
      throw err;
    }
  }

  /**
   * Cancels every shipment of an order. ShipBob only cancels before pick; a refusal is a result with status
   * `Failure` (per shipment reasons), not an error. A missing order throws SHIPBOB.REJECTED (404).
   */
  async cancelOrder(orderId: number): Promise<ShipbobCancelResult> {
    const b = obj((await this.request('POST', `/order/${orderId}:cancel`, { channel: true })).body);
    const status = str(b['status']);
    return {
      orderId: num(b['order_id'] ?? orderId),
      status: status === 'Success' || status === 'PartialSuccess' ? status : 'Failure',
      shipments: arr(b['canceled_shipment_results']).map((r) => {
        const o = obj(r);
        return { shipmentId: num(o['shipment_id']), cancelled: o['is_success'] === true, reason: optStr(o['reason']) };
      }),
    };
  }

  async listProducts(filter: { sku?: string; search?: string; pageSize?: number; cursor?: string } = {}): Promise<ShipbobPage<ShipbobProduct>> {
    const res = await this.request('GET', '/product', {
      query: { SKU: filter.sku, Search: filter.search, PageSize: filter.pageSize?.toString(), Cursor: filter.cursor },
    });
    return pageOf(res.body, (o) => ({
      id: num(o['id']),
      name: str(o['name']),
      variants: arr(o['variants']).map((v) => {
        const x = obj(v);
        const inv = obj(x['inventory'] ?? {});
        return {
          id: num(x['id']),
          sku: str(x['sku']),
          name: str(x['name']),
          inventoryId: optNum(inv['inventory_id']),
          onHand: optNum(inv['on_hand_qty']),
          ...(optStr(x['upc']) ? { upc: str(x['upc']) } : {}),
          ...(optStr(x['gtin']) ? { gtin: str(x['gtin']) } : {}),
        };
      }),
    }));
  }

  /** Receiving-enabled fulfillment centers (their ids are the order `locationId`s). */
  async listFulfillmentCenters(): Promise<ShipbobFulfillmentCenter[]> {
    const res = await this.request('GET', '/fulfillment-center', {});
    return arr(res.body).map((f) => {
      const o = obj(f);
      const address: ShipbobAddress = { address1: str(o['address1']), city: str(o['city']), country: str(o['country']) };
      if (optStr(o['address2'])) address.address2 = str(o['address2']);
      if (optStr(o['state'])) address.state = str(o['state']);
      if (optStr(o['zip_code'])) address.zipCode = str(o['zip_code']);
      return { id: num(o['id']), name: str(o['name']), timezone: optStr(o['timezone']), address };
    });
  }

  /** ShipBob's locations (GET /location), optionally only the receiving-enabled ones. */
  async listLocations(filter: { receivingEnabled?: boolean } = {}): Promise<ShipbobLocation[]> {
    const res = await this.request('GET', '/location', {
      query: { ReceivingEnabled: filter.receivingEnabled === undefined ? undefined : String(filter.receivingEnabled) },
    });
    return arr(res.body).map((l) => {
      const o = obj(l);
      return {
        id: num(o['id']),
        name: str(o['name']),
        abbreviation: optStr(o['abbreviation']),
        timezone: optStr(o['timezone']),
        active: o['is_active'] !== false,
        receivingEnabled: o['is_receiving_enabled'] === true,
        shippingEnabled: o['is_shipping_enabled'] === true,
        services: arr(o['services'] ?? []).map((sv) => {
          const x = obj(sv);
          const a = x['address'] ? obj(x['address']) : undefined;
          return {
            type: str(x['service_type']),
            enabled: x['enabled'] === true,
            address: a
              ? {
                  address1: str(a['address1']),
                  ...(optStr(a['address2']) ? { address2: str(a['address2']) } : {}),
                  city: str(a['city']),
                  ...(optStr(a['state']) ? { state: str(a['state']) } : {}),
                  country: str(a['country']),
                  ...(optStr(a['zip_code']) ? { zipCode: str(a['zip_code']) } : {}),
                }
              : undefined,
          };
        }),
      };
    });
  }

  /**
   * Subscribes `url` to `topics` (POST /webhook, Webhooks.V2.CreateSubscriptionRequest). `secret` must match
   * `^whsec_[a-zA-Z0-9+/]{32}$`; the answer carries the secret ShipBob signs with.
   */
  async createWebhookSubscription(input: { topics: string[]; url: string; secret?: string; description?: string }): Promise<ShipbobWebhookSubscription> {
    const res = await this.request('POST', '/webhook', {
      body: { topics: input.topics, url: input.url, secret: input.secret, description: input.description },
    });
    return toSubscription(res.body);
  }

  async listWebhookSubscriptions(cursor?: string): Promise<ShipbobPage<ShipbobWebhookSubscription>> {
    const res = await this.request('GET', '/webhook', { query: { Cursor: cursor } });
    return pageOf(res.body, toSubscription);
  }

  async deleteWebhookSubscription(id: string): Promise<void> {
    await this.request('DELETE', `/webhook/${encodeURIComponent(id)}`, {});
  }

  /** Billing transactions, e.g. the charges of a shipment: `{ referenceTypes: ['Shipment'], referenceIds: [id] }`. */
  async queryTransactions(q: ShipbobTransactionQuery = {}): Promise<ShipbobPage<ShipbobTransaction>> {
    const res = await this.request('POST', '/transactions:query', {
      query: { Cursor: q.cursor },
      body: {
        from_date: q.fromDate,
        to_date: q.toDate,
        reference_ids: q.referenceIds,
        reference_types: q.referenceTypes,
        transaction_types: q.transactionTypes,
        page_size: q.pageSize,
        sort_order: q.sortOrder,
      },
    });
    return pageOf(res.body, (o) => ({
      transactionId: str(o['transaction_id']),
      amountMinor: amountMinor(o['amount'], o['currency_code']),
      currencyCode: str(o['currency_code']),
      chargeDate: str(o['charge_date']),
      invoiceId: optNum(o['invoice_id']),
      invoiceType: optStr(o['invoice_type']),
      invoicedStatus: optStr(o['invoiced_status']),
      invoiced:
        typeof o['invoiced_status'] === 'boolean'
          ? o['invoiced_status']
          : o['invoiced_status'] === 'Invoiced'
            ? true
            : o['invoiced_status'] === 'NotInvoiced'
              ? false
              : undefined,
      referenceId: str(o['reference_id']),
      referenceType: str(o['reference_type']),
      transactionType: str(o['transaction_type']),
      transactionFee: optStr(o['transaction_fee']),
      // Billing.TransactionDtoV3.fulfillment_center is a string (the center's name or code) in OpenAPI 2026-01.
      fulfillmentCenter: fulfillmentCenterOf(o['fulfillment_center']),
    }));
  }

  // ------------------------------------------------------------------ HTTP

  private async request(method: string, path: string, opts: RequestOptions): Promise<RawResponse> {
    return this.policy.execute(this.policyKey, { name: `${method} ${path}`, kind: requestKind(method, path) }, (signal) =>
      this.attempt(method, path, opts, signal),
    );
  }

  /** One attempt: a token, the call, and one more call with a fresh token after a 401. */
  private async attempt(method: string, path: string, opts: RequestOptions, signal: AbortSignal): Promise<RawResponse> {
    let forced = false;
    for (;;) {
      const token = await this.accessToken(forced);
      const mayRetry = !forced && this.canRefresh();
      const res = await this.send(method, path, opts, token, mayRetry, signal);
      if (res.status === 401 && mayRetry) {
        forced = true; // an expired or revoked access token: refresh once and try again
        continue;
      }
      return res;
    }
  }

  private async send(method: string, path: string, opts: RequestOptions, token: string, tolerate401: boolean, signal: AbortSignal): Promise<RawResponse> {
    const url = new URL(`${this.apiRoot}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (opts.channel) headers['shipbob_channel_id'] = String(this.config.channelId);
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const details: ShipbobErrorDetails = { method, path };
    const { res, text } = await fetchText(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal }, (err) => {
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return new ShipbobUnavailableError(
        timeout ? `ShipBob did not answer within ${this.timeoutMs} ms` : `ShipBob unreachable: ${errMessage(err)}`,
        { ...details, reason: timeout ? 'timeout' : 'network' },
        err,
      );
    });
    this.observeRate(res);
    details.status = res.status;
    const body = parseBody(text);
    if (res.status === 401 && tolerate401) return { status: 401, body };
    if (res.status === 401 || res.status === 403)
      throw new ShipbobAuthError(`ShipBob refused the credentials (${res.status})`, { ...details, partnerBody: body.value });
    if (res.status === 429) {
      const retryAfterMs = this.rate.retryAfterMs ?? retryFromMessage(body.value) ?? SHIPBOB_DEFAULT_RETRY_AFTER_MS;
      throw new ShipbobRateLimitedError(retryAfterMs, { ...details, remainingCalls: this.rate.remainingCalls });
    }
    if (res.status >= 500) throw new ShipbobUnavailableError(`ShipBob answered ${res.status}`, { ...details, partnerBody: body.value });
    if (res.status >= 400) throw new ShipbobRejectedError(`ShipBob rejected ${method} ${path} (${res.status})`, { ...details, partnerBody: body.value });
    if (res.status >= 300) throw new ShipbobUnavailableError(`ShipBob answered an unexpected ${res.status}`, details);
    if (!body.ok) throw new ShipbobUnavailableError('ShipBob answered with an unreadable body', { ...details, reason: 'malformed_response' });
    return { status: res.status, body: body.value };
  }

  private observeRate(res: Response): void {
    const remaining = res.headers.get('x-remaining-calls');
    this.rate = {
      remainingCalls: remaining !== null && /^\d+$/.test(remaining) ? Number(remaining) : undefined,
      retryAfterMs: retryAfterMsFromHeaders(res.headers),
      observedAt: this.now(),
    };
  }

  // ------------------------------------------------------------------ tokens

  private canRefresh(): boolean {
    return this.config.getAccessToken !== undefined || this.config.auth.kind === 'oauth';
  }

  private async accessToken(forceRefresh: boolean): Promise<string> {
    if (this.config.auth.kind === 'pat' && !this.config.getAccessToken) return this.config.auth.token;
    if (!this.tokenSource) throw new ShipbobAuthError('no way to obtain an access token', {});
    try {
      return await this.tokenSource(forceRefresh);
    } catch (err) {
      if (err instanceof ShipbobError) throw err;
      throw new ShipbobAuthError(`access token provider failed: ${errMessage(err)}`, {});
    }
  }

  /** One refresh grant for the in-memory source; a rotated refresh token is kept and reported before use. */
  private async refresh(auth: Extract<ShipbobAuthConfig, { kind: 'oauth' }>): Promise<ShipbobTokenGrant> {
    const token = await requestShipbobToken(
      {
        authBaseUrl: this.authRoot,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        refreshToken: this.refreshToken ?? '',
        redirectUri: auth.redirectUri,
      },
      { timeoutMs: this.timeoutMs },
    );
    if (token.refreshToken !== undefined && token.refreshToken !== this.refreshToken) {
      this.refreshToken = token.refreshToken;
      await auth.onRefreshTokenRotated?.(token.refreshToken);
    }
    return token;
  }
}

/** What ShipBob's token endpoint gave: the access token, its lifetime, and the rotated refresh token. */
export interface ShipbobTokenGrant {
  accessToken: string;
  expiresInMs: number;
  /** ShipBob rotates refresh tokens: the one sent is spent, persist this one before using it. */
  refreshToken?: string;
}

/**
 * One refresh-token grant at ShipBob's auth host (POST /connect/token), as ShipbobClient does itself when it holds the
 * OAuth credentials. Exported for a shared token manager (`getAccessToken`), which must persist the rotated refresh
 * token. Throws ShipbobAuthError when the grant is refused, ShipbobUnavailableError / RateLimitedError when it may
 * be retried.
 */
export async function requestShipbobToken(
  req: { authBaseUrl: string; clientId: string; clientSecret: string; refreshToken: string; redirectUri?: string },
  opts: { timeoutMs?: number } = {},
): Promise<ShipbobTokenGrant> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: req.refreshToken, client_id: req.clientId, client_secret: req.clientSecret });
  if (req.redirectUri) form.set('redirect_uri', req.redirectUri);
  const details: ShipbobErrorDetails = { method: 'POST', path: '/connect/token' };
  const { res, text } = await fetchText(
    `${req.authBaseUrl.replace(/\/+$/, '')}/connect/token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(opts.timeoutMs ?? SHIPBOB_DEFAULT_TIMEOUT_MS),
    },
    (err) => new ShipbobUnavailableError(`ShipBob auth unreachable: ${errMessage(err)}`, details, err),
  );
  details.status = res.status;
  const body = parseBody(text);
  if (res.status >= 500) throw new ShipbobUnavailableError(`ShipBob auth answered ${res.status}`, details);
  if (res.status === 429)
    throw new ShipbobRateLimitedError(retryAfterMsFromHeaders(res.headers) ?? retryFromMessage(body.value) ?? SHIPBOB_DEFAULT_RETRY_AFTER_MS, details);
  const b = body.ok ? obj(body.value) : {};
  if (res.status >= 400 || typeof b['access_token'] !== 'string') {
    throw new ShipbobAuthError(`ShipBob refused the token refresh (${String(b['error'] ?? res.status)})`, { ...details, partnerBody: { error: b['error'] } });
  }
  return {
    accessToken: b['access_token'],
    expiresInMs: Number(b['expires_in'] ?? 3600) * 1000,
    ...(typeof b['refresh_token'] === 'string' ? { refreshToken: b['refresh_token'] } : {}),
  };
}

// -------------------------------------------------------------------- mapping

function toOrderBody(input: ShipbobCreateOrderInput): Record<string, unknown> {
  const a = input.recipient.address;
  return {
    reference_id: input.referenceId,
    order_number: input.orderNumber,
    type: input.type,
    shipping_method: input.shippingMethod,
    location_id: input.locationId,
    purchase_date: input.purchaseDate,
    tags: input.tags,
    recipient: {
      name: input.recipient.name,
      email: input.recipient.email,
      phone_number: input.recipient.phoneNumber,
      address: {
        address1: a.address1,
        address2: a.address2,
        city: a.city,
        state: a.state,
        country: a.country,
        zip_code: a.zipCode,
        company_name: a.companyName,
      },
    },
    products: input.lines.map(toOrderItem),
  };
}

/**
 * One order item, in exactly one of the two models of OpenAPI 2026-01 `Orders.CreateOrderModel.products` (oneOf):
 * by SKU `Orders.AddProductToOrderByReferenceIdModel` {reference_id, name, quantity, unit_price, external_line_id}
 * or by ShipBob id `Orders.AddProductToOrderByProductIdModel` {id, quantity, external_line_id}. `name` is in the
 * first model's required list, and ShipBob needs it to create a product for a reference_id it does not know.
 */
function toOrderItem(l: ShipbobCreateOrderInput['lines'][number]): Record<string, unknown> {
  if (l.sku !== undefined) {
    return {
      reference_id: l.sku,
      name: l.name,
      quantity: l.quantity,
      unit_price: l.unitPriceMinor === undefined ? undefined : l.unitPriceMinor / 100,
      external_line_id: l.externalLineId,
    };
  }
  if (l.productId === undefined) throw new ShipbobRejectedError('An order item needs a SKU (reference_id) or a ShipBob product id', { reason: 'invalid_item' });
  return { id: l.productId, quantity: l.quantity, external_line_id: l.externalLineId };
}

function toOrder(raw: unknown): ShipbobOrder {
  const o = obj(raw);
  return {
    id: num(o['id']),
    referenceId: str(o['reference_id']),
    orderNumber: str(o['order_number'] ?? o['reference_id']),
    status: str(o['status']) as ShipbobOrder['status'],
    type: str(o['type']) as ShipbobOrder['type'],
    channelId: optNum(obj(o['channel'] ?? {})['id']),
    createdAt: str(o['created_date']),
    lines: arr(o['products']).map((p) => {
      const x = obj(p);
      return { id: num(x['id']), sku: str(x['sku'] ?? x['reference_id']), quantity: num(x['quantity']), externalLineId: optNum(x['external_line_id']) };
    }),
    shipments: arr(o['shipments']).map((s) => toShipment(obj(s))),
  };
}

function toSubscription(raw: unknown): ShipbobWebhookSubscription {
  const o = obj(raw);
  return {
    id: str(o['id']),
    url: str(o['url']),
    topics: strings(o['topics']),
    description: optStr(o['description']),
    enabled: typeof o['enabled'] === 'boolean' ? o['enabled'] : undefined,
    createdAt: optStr(o['created_at']),
    ...(optStr(o['secret']) ? { secret: str(o['secret']) } : {}),
  };
}

function toShipment(s: Record<string, unknown>): ShipbobShipment {
  const t = s['tracking'] ? obj(s['tracking']) : undefined;
  return {
    id: num(s['id']),
    orderId: num(s['order_id']),
    referenceId: str(s['reference_id']),
    status: str(s['status']) as ShipbobShipment['status'],
    statusDetails: arr(s['status_details']).map((d) => str(obj(d)['name'])),
    locationId: optNum(obj(s['location'] ?? {})['id']),
    tracking:
      t && optStr(t['tracking_number'])
        ? {
            carrier: str(t['carrier']),
            carrierService: optStr(t['carrier_service']),
            trackingNumber: str(t['tracking_number']),
            trackingUrl: optStr(t['tracking_url']),
            shippedAt: optStr(t['shipping_date']),
          }
        : undefined,
    fulfilledAt: optStr(s['actual_fulfillment_date']),
    deliveredAt: optStr(s['delivery_date']),
    updatedAt: optStr(s['last_update_at']),
    trackingUpdatedAt: optStr(s['last_tracking_update_at']),
    details: arr(s['status_details'] ?? []).map((d) => ({ name: str(obj(d)['name']), description: optStr(obj(d)['description']) })),
    products: arr(s['products'] ?? []).map((p) => {
      const x = obj(p);
      const items = arr(x['inventory_items'] ?? []).map(obj);
      return {
        referenceId: optStr(x['reference_id']),
        sku: optStr(x['sku']),
        quantity: items.length ? items.reduce((n, i) => n + num(i['quantity'] ?? 0), 0) : num(x['quantity'] ?? 0),
      };
    }),
  };
}

function parseBody(text: string): { ok: boolean; value: unknown } {
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: text.slice(0, 2000) };
  }
}

function mentionsReference(body: unknown): boolean {
  return /reference/i.test(JSON.stringify(body ?? ''));
}

/**
 * Whether a request may be repeated after a failure ShipBob may have acted on (a 5xx, a timeout). Reads, the cancel
 * action (a cancelled order stays cancelled) and DELETE by id are idempotent. An order create is made safe by its
 * `reference_id`: a repeat is refused with 422 and `createOrder` reads the first order back (nothing posted twice).
 * A webhook subscription create and anything else POSTed is `once` (repeated only after a 429 or a connection that
 * was never made).
 */
export function requestKind(method: string, path: string): RequestKind {
  if (method === 'GET' || method === 'DELETE') return 'idempotent';
  if (method === 'POST' && (path === '/order' || /^\/order\/\d+:cancel$/.test(path) || path === '/transactions:query')) return 'idempotent';
  return 'once';
}

function retryFromMessage(body: unknown): number | undefined {
  const m = /in (\d+) seconds?/i.exec(JSON.stringify(body ?? ''));
  return m?.[1] ? Number(m[1]) * 1000 : undefined;
}

/**
 * The cursor of a `next` link: ShipBob gives a path with a `Cursor` (or `cursor`) parameter on some lists
 * (channels-get example: `/2026-01/channel?cursor=…`) and the bare cursor on others (billing example: `f8cUk/…`).
 */
/** A ShipBob page (`items`, `next`) with each item read by `item`. */
function pageOf<T>(body: unknown, item: (o: Record<string, unknown>) => T): ShipbobPage<T> {
  const b = obj(body);
  return { items: arr(b['items']).map((x) => item(obj(x))), nextCursor: cursorOf(b['next']) };
}

function cursorOf(next: unknown): string | undefined {
  if (typeof next !== 'string' || !next) return undefined;
  if (!next.includes('?') && !next.startsWith('/') && !/^https?:/i.test(next)) return next;
  try {
    const q = new URL(next, 'http://x').searchParams;
    return q.get('Cursor') ?? q.get('cursor') ?? undefined;
  } catch {
    return undefined;
  }
}

function fulfillmentCenterOf(v: unknown): { id: number | undefined; name: string | undefined } | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v === 'string') return { id: undefined, name: v };
  const o = obj(v);
  return { id: optNum(o['id']), name: optStr(o['name']) };
}

function errMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string } }).cause;
    return cause?.code ? `${err.message} (${cause.code})` : err.message;
  }
  return String(err);
}

function obj(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new ShipbobUnavailableError('ShipBob answered with an unexpected shape', { reason: 'unexpected_shape' });
}

function arr(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw new ShipbobUnavailableError('ShipBob answered with an unexpected shape', { reason: 'unexpected_shape' });
}

function items(v: unknown): Array<Record<string, unknown>> {
  return arr(obj(v)['items']).map(obj);
}

/**
 * A transaction's `amount` (a JSON number, Billing.TransactionDtoV3) in minor units of its currency: ISO 4217 decimals
 * (JPY 0, USD 2, KWD 3), read through the decimal type, rounded half away from zero at the currency's precision.
 */
export function amountMinor(amount: unknown, currency: unknown): number {
  try {
    if (typeof amount !== 'number' && typeof amount !== 'string') throw new DecimalFormatError(`not a decimal amount: ${JSON.stringify(amount)}`);
    return Number(toMinorRounded(amount, typeof currency === 'string' ? currency : ''));
  } catch (err) {
    throw new ShipbobUnavailableError(
      `ShipBob answered a transaction amount that is not a number: ${JSON.stringify(amount)}`,
      { reason: 'unexpected_shape' },
      err,
    );
  }
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function optNum(v: unknown): number | undefined {
  return v === null || v === undefined || v === '' ? undefined : Number(v);
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function optStr(v: unknown): string | undefined {
  return v === null || v === undefined || v === '' ? undefined : String(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}
