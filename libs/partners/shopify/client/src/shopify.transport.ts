import { fetchText, memoryAccessToken, PartnerPolicy, retryAfterMsFromHeaders, type AccessTokenGrant, type RequestKind } from '@mlc/platform-partner-policy';
import { parseShopifyJson } from './parse-shopify-json';
import { SHOPIFY_MAX_QUERY_COST } from './shopify.cost';
import {
  ShopifyAccessDeniedError,
  ShopifyError,
  ShopifyQueryTooCostlyError,
  ShopifyRequestError,
  ShopifyShopUnavailableError,
  ShopifyThrottledError,
  ShopifyUnauthorizedError,
  ShopifyUnavailableError,
} from './shopify.errors';
import { requestShopifyToken } from './shopify.grants';
import { safeVariables } from './shopify.operations';
import type { ShopifyQueryCost } from './shopify.types';

/**
 * Retries per operation (THROTTLED / 429 / 5xx / network share them) before giving up with the last error
 * (SHOPIFY.THROTTLED with `retryAfterMs`, SHOPIFY.UNAVAILABLE): the partner policy's `maxAttempts` is this + 1.
 */
export const SHOPIFY_MAX_THROTTLE_RETRIES = 5;
/** Kept for callers: transient failures now share SHOPIFY_MAX_THROTTLE_RETRIES (one policy, one budget). */
export const SHOPIFY_MAX_TRANSIENT_RETRIES = 2;
/** Refresh a token this long before it expires. */
export const SHOPIFY_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
export const SHOPIFY_DEFAULT_API_VERSION = '2026-10';

export interface ShopifyTokenSet {
  accessToken: string;
  /** Epoch ms, undefined for a non-expiring token. */
  expiresAtMs?: number;
  refreshToken?: string;
}

/** What the transport needs of ShopifyClientConfig: where, how to authenticate, how to wait. */
export interface ShopifyTransportConfig {
  /** `my-shop.myshopify.com`; the API is at https://{shopDomain}. */
  shopDomain?: string;
  /** Overrides the origin (the sandbox: http://127.0.0.1:port). */
  baseUrl?: string;
  apiVersion?: string;
  /** A static token (legacy custom app), used when nothing else is configured. */
  accessToken?: string;
  /** Client credentials grant (Dev Dashboard app owned by the merchant), and for the refresh grant. */
  clientId?: string;
  clientSecret?: string;
  /** Expiring offline token's refresh token; rotated on every refresh, reported through `onTokens`. */
  refreshToken?: string;
  /** Called after every grant so the caller can persist the new pair atomically. */
  onTokens?: (tokens: ShopifyTokenSet) => void | Promise<void>;
  /**
   * The access-token source: services pass the shared TokenManager's (libs/tenancy). Return a token, a fresh one
   * when `forceRefresh` is true. Without it the transport obtains and keeps its own in memory (one-off use).
   */
  getAccessToken?: (forceRefresh: boolean) => Promise<string>;
  requestTimeoutMs?: number;
  maxThrottleRetries?: number;
  /**
   * The retry / timeout / circuit-breaker policy (@mlc/platform-partner-policy); PartnerClients passes the one shared
   * Shopify policy with `policyKey` `<tenant>:shopify`. Default: a policy of this client's own (with `sleep`/`now`).
   */
  policy?: PartnerPolicy;
  /** The circuit of this client within `policy` (default: the shop's origin). */
  policyKey?: string;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface GraphqlResponse<T> {
  data?: T | null;
  errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> | string | Record<string, unknown>;
  /** Read through costOf: parseShopifyJson hands decimals such as `4000.0` over as strings. */
  extensions?: { cost?: unknown };
}

/**
 * HTTP to one shop's GraphQL Admin API: the token (hook, grant or static), pacing by the cost extension (leaky
 * bucket), the partner policy around every operation, and translation of answers into ShopifyError subclasses.
 */
export class ShopifyTransport {
  readonly origin: string;
  private readonly apiVersion: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  private readonly tokenSource: (forceRefresh: boolean) => Promise<string>;
  /** The `scope` of the last token grant (comma-separated handles), when the token endpoint answered one. */
  grantedScope: string | undefined;
  private refreshToken: string | undefined;
  /** Last throttle status seen and when: used to wait before sending a query the bucket cannot cover. */
  private bucket: { at: number; status: ShopifyQueryCost['throttleStatus'] } | undefined;
  private readonly lastRequested = new Map<string, number>();
  lastCost: ShopifyQueryCost | undefined;
  private readonly policy: PartnerPolicy;
  private readonly policyKey: string;

  constructor(private readonly config: ShopifyTransportConfig) {
    const origin = config.baseUrl ?? (config.shopDomain ? `https://${config.shopDomain}` : undefined);
    if (!origin) throw new ShopifyRequestError('ShopifyClient needs shopDomain or baseUrl');
    if (!config.getAccessToken && !config.accessToken && !(config.clientId && config.clientSecret)) {
      throw new ShopifyRequestError('ShopifyClient needs accessToken, clientId/clientSecret or getAccessToken');
    }
    this.origin = origin.replace(/\/+$/, '');
    this.apiVersion = config.apiVersion ?? SHOPIFY_DEFAULT_API_VERSION;
    this.sleep = config.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = config.now ?? Date.now;
    this.refreshToken = config.refreshToken;
    this.tokenSource = this.newTokenSource(config);
    const timeoutMs = config.requestTimeoutMs ?? 30_000;
    this.policy =
      config.policy ??
      new PartnerPolicy({
        partner: 'SHOPIFY',
        maxAttempts: (config.maxThrottleRetries ?? SHOPIFY_MAX_THROTTLE_RETRIES) + 1,
        attemptTimeoutMs: timeoutMs,
        maxTotalMs: Math.max(30_000, timeoutMs + 5_000),
        sleep: this.sleep,
        now: this.now,
      });
    this.policyKey = config.policyKey ?? this.origin;
  }

  /**
   * One GraphQL operation under the partner policy: THROTTLED / 429 answers wait what Shopify's cost (or
   * Retry-After) says, 5xx and dropped connections are retried briefly, all within one bounded budget
   * (`maxThrottleRetries` + 1 attempts); a mutation that is not an upsert is repeated only after a throttle refusal.
   */
  async graphql<T>(op: string, query: string, variables: Record<string, unknown>): Promise<T> {
    return this.policy.execute(this.policyKey, { name: op, kind: shopifyOperationKind(op) }, (signal) => this.graphqlAttempt<T>(op, query, variables, signal));
  }

  /** One attempt: pacing by the bucket, one token refresh on 401, and error translation. */
  private async graphqlAttempt<T>(op: string, query: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<T> {
    let authRetried = false;
    for (;;) {
      await this.waitForBucket(op);
      const token = await this.accessToken(false);
      const { res, text } = await fetchText(
        `${this.origin}/admin/api/${this.apiVersion}/graphql.json`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': token },
          body: JSON.stringify({ query, variables }),
          signal,
        },
        (err) => new ShopifyUnavailableError(`${op}: Shopify unreachable: ${(err as Error).message}`, { cause: err, details: { op } }),
      );
      if (res.status === 401) {
        if (!authRetried) {
          authRetried = true;
          await this.accessToken(true);
          continue;
        }
        throw new ShopifyUnauthorizedError(`${op}: access token rejected after a refresh`, { details: { op, status: 401 } });
      }
      if (res.status === 429 || (res.status === 503 && res.headers.has('retry-after'))) {
        const waitMs = retryAfterMsFromHeaders(res.headers, this.now()) || 1000;
        throw new ShopifyThrottledError(`${op}: HTTP ${res.status}`, { retryAfterMs: waitMs, details: { op, status: res.status } });
      }
      if (res.status >= 500) throw new ShopifyUnavailableError(`${op}: HTTP ${res.status}`, { details: { op, status: res.status } });
      if (res.status === 402 || res.status === 403 || res.status === 423) {
        throw new ShopifyShopUnavailableError(`${op}: shop unavailable (HTTP ${res.status})`, { details: { op, status: res.status } });
      }
      if (res.status < 200 || res.status >= 300) {
        throw new ShopifyRequestError(`${op}: HTTP ${res.status}`, { details: { op, status: res.status, body: text.slice(0, 300) } });
      }
      let body: GraphqlResponse<T>;
      try {
        body = parseShopifyJson<GraphqlResponse<T>>(text);
      } catch (err) {
        throw new ShopifyUnavailableError(`${op}: answer is not JSON`, { cause: err, details: { op } });
      }
      const cost = costOf(body.extensions?.cost);
      if (cost) this.noteCost(op, cost);
      const errors = Array.isArray(body.errors) ? body.errors : body.errors ? [{ message: JSON.stringify(body.errors) }] : [];
      const codes = errors.map((e) => String(e.extensions?.['code'] ?? ''));
      if (codes.includes('THROTTLED')) {
        const waitMs = cost ? throttleWaitMs(cost.requestedQueryCost, cost.throttleStatus) : 1000;
        throw new ShopifyThrottledError(`${op}: THROTTLED`, { retryAfterMs: waitMs, details: { op, cost } });
      }
      if (codes.includes('MAX_COST_EXCEEDED')) {
        const e = errors[codes.indexOf('MAX_COST_EXCEEDED')];
        throw new ShopifyQueryTooCostlyError(
          `${op}: query cost ${String(e?.extensions?.['cost'])} exceeds ${String(e?.extensions?.['maxCost'] ?? SHOPIFY_MAX_QUERY_COST)}`,
          {
            details: { op, cost: e?.extensions?.['cost'], maxCost: e?.extensions?.['maxCost'], variables: safeVariables(variables) },
          },
        );
      }
      if (codes.includes('ACCESS_DENIED')) {
        throw new ShopifyAccessDeniedError(`${op}: ${errors[codes.indexOf('ACCESS_DENIED')]?.message ?? 'access denied'}`, { details: { op } });
      }
      if (codes.includes('SHOP_INACTIVE')) throw new ShopifyShopUnavailableError(`${op}: shop inactive`, { details: { op } });
      if (errors.length) {
        const retryable = codes.includes('INTERNAL_SERVER_ERROR');
        throw new ShopifyRequestError(`${op}: ${errors.map((e) => e.message).join('; ')}`, {
          retryable,
          details: { op, codes },
        });
      }
      if (body.data === undefined || body.data === null) throw new ShopifyRequestError(`${op}: answer has no data`, { details: { op } });
      return body.data;
    }
  }

  private noteCost(op: string, cost: ShopifyQueryCost): void {
    this.lastCost = cost;
    this.bucket = { at: this.now(), status: cost.throttleStatus };
    this.lastRequested.set(op, cost.requestedQueryCost);
  }

  /** Waits when the bucket, restored since the last answer, cannot cover what this operation cost last time. */
  private async waitForBucket(op: string): Promise<void> {
    const requested = this.lastRequested.get(op);
    if (!this.bucket || requested === undefined) return;
    const { status, at } = this.bucket;
    const restored = ((this.now() - at) / 1000) * status.restoreRate;
    const available = Math.min(status.maximumAvailable, status.currentlyAvailable + restored);
    if (requested <= available) return;
    await this.sleep(throttleWaitMs(requested, { ...status, currentlyAvailable: available }));
  }

  /** Single-flight token source: the hook, the refresh grant, the client credentials grant or the static token. */
  accessToken(forceRefresh: boolean): Promise<string> {
    return this.tokenSource(forceRefresh).catch((err: unknown) => {
      if (err instanceof ShopifyError) throw err;
      throw new ShopifyUnauthorizedError('getAccessToken hook failed', { cause: err });
    });
  }

  /**
   * The hook (services: the shared TokenManager); else, for one-off use, an in-memory source over the refresh or
   * client credentials grant (starting from the static token when there is one); else the static token alone.
   */
  private newTokenSource(config: ShopifyTransportConfig): (forceRefresh: boolean) => Promise<string> {
    if (config.getAccessToken) return config.getAccessToken;
    const initial = config.accessToken ? { accessToken: config.accessToken } : undefined;
    if (!config.clientId || !config.clientSecret) {
      return async (forceRefresh) => {
        if (initial && !forceRefresh) return initial.accessToken;
        throw new ShopifyUnauthorizedError('static access token rejected and no way to obtain another');
      };
    }
    return memoryAccessToken(() => this.obtainToken(), { skewMs: SHOPIFY_TOKEN_REFRESH_MARGIN_MS, now: this.now, ...(initial ? { initial } : {}) });
  }

  private async obtainToken(): Promise<AccessTokenGrant> {
    const grant = await requestShopifyToken(
      {
        origin: this.origin,
        clientId: this.config.clientId ?? '',
        clientSecret: this.config.clientSecret ?? '',
        ...(this.refreshToken ? { refreshToken: this.refreshToken } : {}),
      },
      { timeoutMs: this.config.requestTimeoutMs },
    );
    this.grantedScope = grant.scope;
    const tokens: ShopifyTokenSet = {
      accessToken: grant.accessToken,
      expiresAtMs: grant.expiresInMs !== undefined ? this.now() + grant.expiresInMs : undefined,
      refreshToken: grant.refreshToken ?? this.refreshToken,
    };
    if (grant.refreshToken) this.refreshToken = grant.refreshToken;
    await this.config.onTokens?.({ ...tokens });
    return grant;
  }
}

/**
 * Whether an operation may be repeated after a failure Shopify may have acted on: every query, and the mutations
 * that are upserts or deletes by id (metafieldsSet by owner + namespace + key, webhookSubscriptionDelete). A
 * webhook subscription create is `once` (repeated only after a throttle refusal, which Shopify did not act on).
 */
export function shopifyOperationKind(op: string): RequestKind {
  return op === 'WebhookSubscriptionCreate' ? 'once' : 'idempotent';
}

/** `(requestedQueryCost − currentlyAvailable) / restoreRate` seconds (shopify.md §3.2), at least 1 ms. */
export function throttleWaitMs(requested: number, status: ShopifyQueryCost['throttleStatus']): number {
  const rate = status.restoreRate > 0 ? status.restoreRate : 50;
  return Math.max(1, Math.ceil(((requested - status.currentlyAvailable) / rate) * 1000));
}

/**
 * `extensions.cost` with numbers as numbers. Shopify writes `"maximumAvailable": 4000.0, "restoreRate": 200.0`
 * (graphql_throttled.json), which parseShopifyJson keeps as their exact text; arithmetic on those strings would
 * concatenate. undefined when the extension is missing or not numeric.
 */
function costOf(raw: unknown): ShopifyQueryCost | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const c = raw as Record<string, unknown>;
  const t = (c['throttleStatus'] ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? Number(v) : Number.NaN);
  const cost: ShopifyQueryCost = {
    requestedQueryCost: num(c['requestedQueryCost']),
    actualQueryCost: c['actualQueryCost'] === null || c['actualQueryCost'] === undefined ? null : num(c['actualQueryCost']),
    throttleStatus: { maximumAvailable: num(t['maximumAvailable']), currentlyAvailable: num(t['currentlyAvailable']), restoreRate: num(t['restoreRate']) },
  };
  const numbers = [cost.requestedQueryCost, cost.throttleStatus.maximumAvailable, cost.throttleStatus.currentlyAvailable, cost.throttleStatus.restoreRate];
  return numbers.every(Number.isFinite) && (cost.actualQueryCost === null || Number.isFinite(cost.actualQueryCost)) ? cost : undefined;
}
