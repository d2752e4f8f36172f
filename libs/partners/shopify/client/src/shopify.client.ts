import { PartnerPolicy, retryAfterMsFromHeaders, type RequestKind } from '@mlc/platform-partner-policy';
import { parseShopifyJson } from './parse-shopify-json';
import { requestShopifyToken } from './shopify.grants';
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
import {
  CUSTOMER_BY_ID_QUERY,
  CUSTOMERS_UPDATED_SINCE_QUERY,
  ORDER_BY_ID_QUERY,
  ORDER_LINE_ITEMS_QUERY,
  ORDER_METAFIELDS_SET_MUTATION,
  ORDER_SHIPPING_LINES_QUERY,
  ORDERS_UPDATED_SINCE_QUERY,
  PING_QUERY,
  ACCESS_SCOPES_QUERY,
  SHOP_QUERY,
  WEBHOOK_SUBSCRIPTION_CREATE_MUTATION,
  WEBHOOK_SUBSCRIPTION_DELETE_MUTATION,
  WEBHOOK_SUBSCRIPTIONS_QUERY,
} from './shopify.queries';
import {
  planOrderById,
  planOrderItemsPage,
  planOrdersPage,
  SHOPIFY_ASSUMED_LIST_LENGTH,
  SHOPIFY_MAX_QUERY_COST,
  type OrderItemsKind,
  type OrderPagePlan,
} from './shopify.cost';
import type {
  ShopifyAddress,
  ShopifyCustomer,
  ShopifyLineItem,
  ShopifyMetafield,
  ShopifyMetafieldInput,
  ShopifyMoney,
  ShopifyOrder,
  ShopifyQueryCost,
  ShopifyShippingLine,
  ShopifyShop,
  ShopifyTaxLine,
  ShopifyWebhookSubscription,
} from './shopify.types';

/** https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits — a single query may cost at most 1000 points. */
export { SHOPIFY_MAX_QUERY_COST, SHOPIFY_ASSUMED_LIST_LENGTH };
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
/** Page sizes of the order reads (upper bounds; see ShopifyClientConfig.ordersPageSize for the cost arithmetic). */
export const SHOPIFY_DEFAULT_ORDERS_PAGE_SIZE = 20;
export const SHOPIFY_DEFAULT_LINE_ITEMS_PER_ORDER = 10;
export const SHOPIFY_DEFAULT_SHIPPING_LINES_PER_ORDER = 3;
/** Most line items / shipping lines per OrderLineItems / OrderShippingLines page (then sized to fit the cost limit). */
export const SHOPIFY_DEFAULT_ORDER_ITEMS_PAGE_SIZE = 100;
/** completeOrder gives up (SHOPIFY.REQUEST_FAILED, not retryable) after this many pages of one connection. */
const MAX_ORDER_ITEMS_PAGES = 100;

export interface ShopifyTokenSet {
  accessToken: string;
  /** Epoch ms, undefined for a non-expiring token. */
  expiresAtMs?: number;
  refreshToken?: string;
}

export interface ShopifyClientConfig {
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
  /** Replaces the built-in token handling: return a token, a fresh one when `forceRefresh` is true. */
  getAccessToken?: (forceRefresh: boolean) => Promise<string>;
  /**
   * Most orders per page (default 20), line items (10) and shipping lines (3) per order. Requested cost by Shopify's
   * rule (objects 1, each `*Set` and its `shopMoney` 1 each, connections 2 + first; shopify.cost.ts): one order with
   * 10 line items and 3 shipping lines is 217 points (lists of tax lines / discount allocations assumed 2 long), so
   * a page is sized to fit 1000: 4 orders, 2 + 4 × 217 = 870 points. A page the shop still refuses with
   * MAX_COST_EXCEEDED is asked again at half the orders (at 1 order, half the line items) for the rest of the read.
   */
  ordersPageSize?: number;
  lineItemsPerOrder?: number;
  shippingLinesPerOrder?: number;
  customersPageSize?: number;
  /**
   * Most nodes per page when completeOrder reads the rest of a truncated order (default 100), sized to fit the cost
   * limit: 1 + 2 + first × node (a line item is 15 points, a shipping line 11), so 66 line items or 90 shipping lines.
   */
  orderItemsPageSize?: number;
  /** UNCONFIRMED cost rule: elements assumed per non-connection list of objects (default 2). */
  assumedListLength?: number;
  /** Single-query cost limit the pages are sized for (default 1000, Shopify's). */
  maxQueryCost?: number;
  /** Told when the client shrinks a page or an order read the shop refused as too costly. */
  onWarning?: (message: string, details: Record<string, unknown>) => void;
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

interface Page<N> {
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * The only code that knows Shopify's URLs, auth and payloads. Reads orders and customers through the GraphQL
 * Admin API, paces itself by the cost extension (leaky bucket), re-obtains the token once on a 401 and throws
 * only ShopifyError subclasses.
 */
export class ShopifyClient {
  private readonly origin: string;
  private readonly apiVersion: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private token: ShopifyTokenSet | undefined;
  /** The `scope` of the last token grant (comma-separated handles), when the token endpoint answered one. */
  private grantedScope: string | undefined;
  private refreshToken: string | undefined;
  private inflightToken: Promise<string> | undefined;
  /** Last throttle status seen and when: used to wait before sending a query the bucket cannot cover. */
  private bucket: { at: number; status: ShopifyQueryCost['throttleStatus'] } | undefined;
  private readonly lastRequested = new Map<string, number>();
  lastCost: ShopifyQueryCost | undefined;
  private readonly policy: PartnerPolicy;
  private readonly policyKey: string;
  /** How many times a query refused with MAX_COST_EXCEEDED was asked again smaller (pages and single orders). */
  costShrinks = 0;
  /** Sizes of the last order page asked for (after any shrinking). */
  lastOrdersPage: OrderPagePlan | undefined;

  constructor(private readonly config: ShopifyClientConfig) {
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
    if (config.accessToken) this.token = { accessToken: config.accessToken };
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

  /** Checks URL, token and scope-free access: resolves with the shop's domain. */
  async ping(): Promise<{ name: string; myshopifyDomain: string }> {
    const data = await this.graphql<{ shop: { name: string; myshopifyDomain: string } }>('Ping', PING_QUERY, {});
    return data.shop;
  }

  /**
   * The access scopes granted to this app on the shop (handles such as `read_orders`): the `scope` of the token grant
   * when the client obtains its own token (client credentials / refresh, reference/shopify.md §1), else
   * `currentAppInstallation { accessScopes }`.
   */
  async accessScopes(): Promise<string[]> {
    if (!this.config.getAccessToken && this.config.clientId && this.config.clientSecret) {
      await this.accessToken(false);
      if (this.grantedScope !== undefined) return this.grantedScope.split(',').map((x) => x.trim()).filter(Boolean);
    }
    const data = await this.graphql<{ currentAppInstallation: { accessScopes: Array<{ handle: string }> } | null }>('AccessScopes', ACCESS_SCOPES_QUERY, {});
    return (data.currentAppInstallation?.accessScopes ?? []).map((s) => s.handle);
  }

  /** The shop's name, domain and IANA time zone (the zone its REST and webhook times are written in). */
  async shop(): Promise<ShopifyShop> {
    const data = await this.graphql<{ shop: ShopifyShop }>('Shop', SHOP_QUERY, {});
    if (!data.shop || typeof data.shop.ianaTimezone !== 'string' || !data.shop.ianaTimezone) {
      throw new ShopifyRequestError('Shop: answer has no shop.ianaTimezone', { details: { op: 'Shop' } });
    }
    return data.shop;
  }

  /**
   * A truncated order (`lineItemsTruncated` / `shippingLinesTruncated`) with all its line items and shipping lines:
   * the rest is paged after the cursors its read ended on (OrderLineItems / OrderShippingLines; each page sized to fit
   * the cost limit, halved when the shop refuses it as too costly). A complete order is returned as it is. null when
   * the order changed (another `updatedAt`) or vanished meanwhile: its newer version is read later, whole.
   * Throws ShopifyQueryTooCostlyError when a page is refused even at 1 node, ShopifyRequestError (not retryable)
   * when a truncated order carries no cursor or the pages never end.
   */
  async completeOrder(order: ShopifyOrder): Promise<ShopifyOrder | null> {
    if (!order.lineItemsTruncated && !order.shippingLinesTruncated) return order;
    const out: ShopifyOrder = { ...order, lineItems: [...order.lineItems], shippingLines: [...order.shippingLines] };
    if (order.lineItemsTruncated) {
      const rest = await this.orderItems<RawLineItem>('lineItems', order, order.lineItemsEndCursor ?? null);
      if (!rest) return null;
      out.lineItems.push(...rest.nodes.map(mapLineItem));
      out.lineItemsTruncated = false;
      out.lineItemsEndCursor = rest.endCursor;
    }
    if (order.shippingLinesTruncated) {
      const rest = await this.orderItems<RawShippingLine>('shippingLines', order, order.shippingLinesEndCursor ?? null);
      if (!rest) return null;
      out.shippingLines.push(...rest.nodes.map(mapShippingLine));
      out.shippingLinesTruncated = false;
      out.shippingLinesEndCursor = rest.endCursor;
    }
    return out;
  }

  /** Every node of one connection of `order` after `after`; null when the order changed or vanished meanwhile. */
  private async orderItems<N>(kind: OrderItemsKind, order: ShopifyOrder, after: string | null): Promise<{ nodes: N[]; endCursor: string | null } | null> {
    const op = kind === 'lineItems' ? 'OrderLineItems' : 'OrderShippingLines';
    const query = kind === 'lineItems' ? ORDER_LINE_ITEMS_QUERY : ORDER_SHIPPING_LINES_QUERY;
    if (!after) throw new ShopifyRequestError(`${op}: order ${order.id} has more ${kind} but its read gave no cursor`, { details: { op, orderId: order.id } });
    let vars: Record<string, unknown> = {
      id: order.gid,
      first: planOrderItemsPage(kind, this.config.orderItemsPageSize ?? SHOPIFY_DEFAULT_ORDER_ITEMS_PAGE_SIZE, this.listLength(), this.maxQueryCost()),
    };
    const nodes: N[] = [];
    let cursor = after;
    for (let pages = 0; pages < MAX_ORDER_ITEMS_PAGES; ) {
      let data: { order: ({ id: string; updatedAt: string } & Partial<Record<OrderItemsKind, Page<N>>>) | null };
      try {
        data = await this.graphql(op, query, { ...vars, after: cursor });
      } catch (err) {
        if (!(err instanceof ShopifyQueryTooCostlyError)) throw err;
        vars = this.shrink(op, vars, err, { floor: `1 of order ${order.id}'s ${kind}`, details: { orderId: order.id } });
        continue;
      }
      pages++;
      if (!data.order || Date.parse(data.order.updatedAt) !== Date.parse(order.updatedAt)) return null;
      const p = data.order[kind];
      if (!p || !Array.isArray(p.nodes)) throw new ShopifyRequestError(`${op}: answer has no order.${kind}.nodes`, { details: { op } });
      nodes.push(...p.nodes);
      if (!p.pageInfo.hasNextPage) return { nodes, endCursor: p.pageInfo.endCursor ?? cursor };
      if (!p.pageInfo.endCursor || p.pageInfo.endCursor === cursor) {
        throw new ShopifyRequestError(`${op}: order ${order.id}'s ${kind} page did not move its cursor`, { details: { op, orderId: order.id } });
      }
      cursor = p.pageInfo.endCursor;
    }
    throw new ShopifyRequestError(`${op}: order ${order.id} has more than ${MAX_ORDER_ITEMS_PAGES} pages of ${kind}`, { details: { op, orderId: order.id } });
  }

  /** One order; its line items are sized to fit the query cost limit, halved if the shop still refuses it. */
  async getOrder(id: string): Promise<ShopifyOrder | null> {
    const shippingLinesFirst = this.shippingLinesFirst();
    let vars: Record<string, unknown> = {
      id: toGid('Order', id),
      lineItemsFirst: planOrderById(
        { lineItemsFirst: this.lineItemsFirst(), shippingLinesFirst, listLength: this.listLength() },
        this.maxQueryCost(),
      ),
      shippingLinesFirst,
    };
    for (;;) {
      try {
        const data = await this.graphql<{ order: RawOrder | null }>('OrderById', ORDER_BY_ID_QUERY, vars);
        return data.order ? mapOrder(data.order) : null;
      } catch (err) {
        if (!(err instanceof ShopifyQueryTooCostlyError)) throw err;
        vars = this.shrink('OrderById', vars, err);
      }
    }
  }

  /**
   * Sets metafields on an order (metafieldsSet: an upsert by owner + namespace + key, so a replay leaves one
   * metafield with the same value). `type` is needed where the shop has no definition for the namespace and key.
   * Refusals in userErrors throw ShopifyRequestError (not retryable) naming each field and message.
   */
  async setOrderMetafields(orderId: string, metafields: ShopifyMetafieldInput[]): Promise<ShopifyMetafield[]> {
    const ownerId = toGid('Order', orderId);
    const data = await this.graphql<{ metafieldsSet: { metafields: ShopifyMetafield[] | null; userErrors: Array<{ field: string[] | null; message: string; code: string | null }> } | null }>(
      'OrderMetafieldsSet',
      ORDER_METAFIELDS_SET_MUTATION,
      { metafields: metafields.map((m) => ({ ownerId, namespace: m.namespace, key: m.key, type: m.type, value: m.value })) },
    );
    const payload = data.metafieldsSet;
    const errors = payload?.userErrors ?? [];
    if (!payload || errors.length) {
      throw new ShopifyRequestError(`OrderMetafieldsSet: ${errors.map((e) => `${(e.field ?? []).join('.')}: ${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ') || 'no payload'}`, {
        details: { op: 'OrderMetafieldsSet', orderId, userErrors: errors },
      });
    }
    return payload.metafields ?? [];
  }

  /** The app's webhook subscriptions on this shop (API-created; app-config/TOML ones are not listed by Shopify). */
  async listWebhookSubscriptions(): Promise<ShopifyWebhookSubscription[]> {
    const out: ShopifyWebhookSubscription[] = [];
    for await (const node of this.paginate<RawWebhookSubscription>('WebhookSubscriptions', WEBHOOK_SUBSCRIPTIONS_QUERY, 'webhookSubscriptions', { first: 100 })) {
      out.push(mapWebhookSubscription(node));
    }
    return out;
  }

  /**
   * Subscribes `uri` to one topic (slash spelling, `orders/create`). Deliveries are signed with the app's client
   * secret. Refusals in userErrors (e.g. "Address for this topic has already been taken") throw ShopifyRequestError.
   */
  async createWebhookSubscription(topic: string, uri: string): Promise<ShopifyWebhookSubscription> {
    const data = await this.graphql<{ webhookSubscriptionCreate: { webhookSubscription: RawWebhookSubscription | null; userErrors: Array<{ field: string[] | null; message: string }> } | null }>(
      'WebhookSubscriptionCreate',
      WEBHOOK_SUBSCRIPTION_CREATE_MUTATION,
      { topic: webhookTopicEnum(topic), webhookSubscription: { uri, format: 'JSON' } },
    );
    const payload = data.webhookSubscriptionCreate;
    const errors = payload?.userErrors ?? [];
    if (!payload?.webhookSubscription || errors.length) {
      throw new ShopifyRequestError(`WebhookSubscriptionCreate ${topic}: ${errors.map((e) => `${(e.field ?? []).join('.')}: ${e.message}`).join('; ') || 'no subscription in the answer'}`, {
        details: { op: 'WebhookSubscriptionCreate', topic, userErrors: errors },
      });
    }
    return mapWebhookSubscription(payload.webhookSubscription);
  }

  async deleteWebhookSubscription(id: string): Promise<void> {
    const data = await this.graphql<{ webhookSubscriptionDelete: { deletedWebhookSubscriptionId: string | null; userErrors: Array<{ field: string[] | null; message: string }> } | null }>(
      'WebhookSubscriptionDelete',
      WEBHOOK_SUBSCRIPTION_DELETE_MUTATION,
      { id },
    );
    const payload = data.webhookSubscriptionDelete;
    const errors = payload?.userErrors ?? [];
    if (!payload?.deletedWebhookSubscriptionId || errors.length) {
      throw new ShopifyRequestError(`WebhookSubscriptionDelete ${id}: ${errors.map((e) => `${(e.field ?? []).join('.')}: ${e.message}`).join('; ') || 'nothing deleted'}`, {
        details: { op: 'WebhookSubscriptionDelete', id, userErrors: errors },
      });
    }
  }

  async getCustomer(id: string): Promise<ShopifyCustomer | null> {
    const data = await this.graphql<{ customer: RawCustomer | null }>('CustomerById', CUSTOMER_BY_ID_QUERY, { id: toGid('Customer', id) });
    return data.customer ? mapCustomer(data.customer) : null;
  }

  /**
   * Orders with `updated_at >= since`, oldest update first, page by page. `>=` so an order updated in the same
   * second as the previous high-water mark is not lost; callers dedupe on (id, updatedAt).
   */
  async *listOrdersUpdatedSince(since: Date): AsyncGenerator<ShopifyOrder> {
    const shippingLinesFirst = this.shippingLinesFirst();
    const plan = planOrdersPage(
      this.config.ordersPageSize ?? SHOPIFY_DEFAULT_ORDERS_PAGE_SIZE,
      { lineItemsFirst: this.lineItemsFirst(), shippingLinesFirst, listLength: this.listLength() },
      this.maxQueryCost(),
    );
    const variables = { first: plan.first, query: `updated_at:>='${since.toISOString()}'`, lineItemsFirst: plan.lineItemsFirst, shippingLinesFirst };
    for await (const node of this.paginate<RawOrder>('OrdersUpdatedSince', ORDERS_UPDATED_SINCE_QUERY, 'orders', variables, (vars, err) =>
      this.shrink('OrdersUpdatedSince', vars, err),
    )) {
      yield mapOrder(node);
    }
  }

  async *listCustomersUpdatedSince(since: Date): AsyncGenerator<ShopifyCustomer> {
    for await (const node of this.paginate<RawCustomer>('CustomersUpdatedSince', CUSTOMERS_UPDATED_SINCE_QUERY, 'customers', {
      first: this.config.customersPageSize ?? 250,
      query: `updated_at:>='${since.toISOString()}'`,
    })) {
      yield mapCustomer(node);
    }
  }

  /**
   * Cursor pages. `shrink`, when given, turns variables refused with MAX_COST_EXCEEDED into smaller ones (or throws);
   * the same cursor is then asked again and the smaller size kept for the rest of the read.
   */
  private async *paginate<N>(
    op: string,
    query: string,
    field: string,
    variables: Record<string, unknown>,
    shrink?: (vars: Record<string, unknown>, err: ShopifyQueryTooCostlyError) => Record<string, unknown>,
  ): AsyncGenerator<N> {
    let after: string | null = null;
    let vars = variables;
    for (;;) {
      let data: Record<string, Page<N> | undefined>;
      try {
        if (op === 'OrdersUpdatedSince') this.lastOrdersPage = { first: Number(vars['first']), lineItemsFirst: Number(vars['lineItemsFirst']) };
        data = await this.graphql(op, query, { ...vars, after });
      } catch (err) {
        if (!shrink || !(err instanceof ShopifyQueryTooCostlyError)) throw err;
        vars = shrink(vars, err);
        continue;
      }
      const pageData: Page<N> | undefined = data[field];
      if (!pageData || !Array.isArray(pageData.nodes)) throw new ShopifyRequestError(`${op}: answer has no ${field}.nodes`);
      for (const node of pageData.nodes) yield node;
      if (!pageData.pageInfo.hasNextPage || !pageData.pageInfo.endCursor) return;
      after = pageData.pageInfo.endCursor;
    }
  }

  /**
   * One GraphQL operation under the partner policy: THROTTLED / 429 answers wait what Shopify's cost (or
   * Retry-After) says, 5xx and dropped connections are retried briefly, all within one bounded budget
   * (`maxThrottleRetries` + 1 attempts); a mutation that is not an upsert is repeated only after a throttle refusal.
   */
  private async graphql<T>(op: string, query: string, variables: Record<string, unknown>): Promise<T> {
    return this.policy.execute(this.policyKey, { name: op, kind: shopifyOperationKind(op) }, (signal) => this.graphqlAttempt<T>(op, query, variables, signal));
  }

  /** One attempt: pacing by the bucket, one token refresh on 401, and error translation. */
  private async graphqlAttempt<T>(op: string, query: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<T> {
    let authRetried = false;
    for (;;) {
      await this.waitForBucket(op);
      const token = await this.accessToken(false);
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${this.origin}/admin/api/${this.apiVersion}/graphql.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': token },
          body: JSON.stringify({ query, variables }),
          signal,
        });
        text = await res.text();
      } catch (err) {
        throw new ShopifyUnavailableError(`${op}: Shopify unreachable: ${(err as Error).message}`, { cause: err, details: { op } });
      }
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
        throw new ShopifyQueryTooCostlyError(`${op}: query cost ${String(e?.extensions?.['cost'])} exceeds ${String(e?.extensions?.['maxCost'] ?? SHOPIFY_MAX_QUERY_COST)}`, {
          details: { op, cost: e?.extensions?.['cost'], maxCost: e?.extensions?.['maxCost'], variables: safeVariables(variables) },
        });
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

  private lineItemsFirst(): number {
    return this.config.lineItemsPerOrder ?? SHOPIFY_DEFAULT_LINE_ITEMS_PER_ORDER;
  }

  private shippingLinesFirst(): number {
    return this.config.shippingLinesPerOrder ?? SHOPIFY_DEFAULT_SHIPPING_LINES_PER_ORDER;
  }

  private listLength(): number {
    return this.config.assumedListLength ?? SHOPIFY_ASSUMED_LIST_LENGTH;
  }

  private maxQueryCost(): number {
    return this.config.maxQueryCost ?? SHOPIFY_MAX_QUERY_COST;
  }

  /**
   * After MAX_COST_EXCEEDED: half the nodes (`first`, when the query has one and it is above 1), else half the
   * line items. At the floor (1 order with 1 line item, or 1 node of an order's connection):
   * ShopifyQueryTooCostlyError (not retryable), nothing asked again.
   */
  private shrink(
    op: string,
    vars: Record<string, unknown>,
    err: ShopifyQueryTooCostlyError,
    at: { floor: string; details?: Record<string, unknown> } = { floor: '1 order with 1 line item' },
  ): Record<string, unknown> {
    const first = vars['first'] === undefined ? undefined : Number(vars['first']);
    const lineItemsFirst = Number(vars['lineItemsFirst']);
    let next: Record<string, unknown>;
    if (first !== undefined && first > 1) next = { ...vars, first: Math.floor(first / 2) };
    else if (lineItemsFirst > 1) next = { ...vars, lineItemsFirst: Math.floor(lineItemsFirst / 2) };
    else {
      throw new ShopifyQueryTooCostlyError(`${op}: query cost ${String(err.details['cost'])} exceeds ${String(err.details['maxCost'])} even at ${at.floor}`, {
        cause: err,
        details: { ...err.details, ...at.details, shrinks: this.costShrinks },
      });
    }
    this.costShrinks++;
    this.config.onWarning?.(`${op}: Shopify refused the query as too costly (${String(err.details['cost'])} points); asking again smaller`, {
      op,
      cost: err.details['cost'],
      maxCost: err.details['maxCost'],
      from: safeVariables(vars),
      to: safeVariables(next),
    });
    return next;
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
  private accessToken(forceRefresh: boolean): Promise<string> {
    if (this.config.getAccessToken) {
      return this.config.getAccessToken(forceRefresh).catch((err: unknown) => {
        if (err instanceof ShopifyError) throw err;
        throw new ShopifyUnauthorizedError('getAccessToken hook failed', { cause: err });
      });
    }
    const t = this.token;
    const fresh = t && (t.expiresAtMs === undefined || t.expiresAtMs - SHOPIFY_TOKEN_REFRESH_MARGIN_MS > this.now());
    if (t && fresh && !forceRefresh) return Promise.resolve(t.accessToken);
    if (!this.config.clientId || !this.config.clientSecret) {
      if (t && !forceRefresh) return Promise.resolve(t.accessToken);
      return Promise.reject(new ShopifyUnauthorizedError('static access token rejected and no way to obtain another'));
    }
    this.inflightToken ??= this.obtainToken().finally(() => (this.inflightToken = undefined));
    return this.inflightToken;
  }

  private async obtainToken(): Promise<string> {
    const grant = await requestShopifyToken(
      { origin: this.origin, clientId: this.config.clientId ?? '', clientSecret: this.config.clientSecret ?? '', ...(this.refreshToken ? { refreshToken: this.refreshToken } : {}) },
      { timeoutMs: this.config.requestTimeoutMs },
    );
    this.grantedScope = grant.scope;
    this.token = {
      accessToken: grant.accessToken,
      expiresAtMs: grant.expiresInMs !== undefined ? this.now() + grant.expiresInMs : undefined,
      refreshToken: grant.refreshToken ?? this.refreshToken,
    };
    if (grant.refreshToken) this.refreshToken = grant.refreshToken;
    await this.config.onTokens?.({ ...this.token });
    return grant.accessToken;
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

function safeVariables(v: Record<string, unknown>): Record<string, unknown> {
  return { first: v['first'], lineItemsFirst: v['lineItemsFirst'], shippingLinesFirst: v['shippingLinesFirst'] };
}

function toGid(kind: string, id: string): string {
  if (id.startsWith('gid://')) return id;
  if (!/^\d+$/.test(id)) throw new ShopifyRequestError(`not a Shopify ${kind} id: ${id}`);
  return `gid://shopify/${kind}/${id}`;
}

function idOf(gid: string): string {
  return gid.slice(gid.lastIndexOf('/') + 1);
}

interface RawMoneyBag {
  shopMoney: { amount: string; currencyCode: string };
}
interface RawAddress {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  provinceCode: string | null;
  countryCodeV2: string | null;
  zip: string | null;
  phone: string | null;
}
interface RawTaxLine {
  title: string;
  /** A Float: parseShopifyJson hands non-integers over as their exact source text. */
  rate: string | number | null;
  priceSet: RawMoneyBag;
}
interface RawLineItem {
  id: string;
  sku: string | null;
  name: string;
  quantity: number;
  currentQuantity: number;
  requiresShipping: boolean;
  originalUnitPriceSet: RawMoneyBag;
  taxLines: RawTaxLine[];
  discountAllocations: Array<{ allocatedAmountSet: RawMoneyBag }>;
}
interface RawShippingLine {
  id: string | null;
  title: string;
  code: string | null;
  isRemoved: boolean;
  originalPriceSet: RawMoneyBag;
  discountedPriceSet: RawMoneyBag;
  taxLines: RawTaxLine[];
}
interface RawOrder {
  id: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string | null;
  cancelledAt: string | null;
  currencyCode: string;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string;
  tags: string[];
  poNumber: string | null;
  subtotalPriceSet: RawMoneyBag;
  totalPriceSet: RawMoneyBag;
  totalTaxSet: RawMoneyBag;
  totalShippingPriceSet: RawMoneyBag;
  currentSubtotalPriceSet: RawMoneyBag;
  currentTotalPriceSet: RawMoneyBag;
  currentTotalTaxSet: RawMoneyBag;
  totalRefundedSet: RawMoneyBag;
  totalOutstandingSet: RawMoneyBag;
  totalDiscountsSet: RawMoneyBag;
  taxesIncluded: boolean;
  taxLines: RawTaxLine[];
  customer: { id: string; email: string | null; firstName: string | null; lastName: string | null } | null;
  shippingAddress: RawAddress | null;
  billingAddress: RawAddress | null;
  lineItems: { nodes: RawLineItem[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
  shippingLines: { nodes: RawShippingLine[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
}
interface RawCustomer {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  state: string;
  tags: string[];
  taxExempt: boolean;
  createdAt: string;
  updatedAt: string;
  defaultAddress: RawAddress | null;
}

const m = (b: RawMoneyBag): ShopifyMoney => ({ amount: String(b.shopMoney.amount), currency: b.shopMoney.currencyCode });
const taxLine = (t: RawTaxLine): ShopifyTaxLine => ({
  title: t.title,
  rate: t.rate === null || t.rate === undefined ? null : String(t.rate),
  price: m(t.priceSet),
});
const addr = (a: RawAddress | null): ShopifyAddress | null =>
  a && {
    firstName: a.firstName,
    lastName: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    provinceCode: a.provinceCode,
    countryCode: a.countryCodeV2,
    zip: a.zip,
    phone: a.phone,
  };

function mapOrder(o: RawOrder): ShopifyOrder {
  return {
    id: idOf(o.id),
    gid: o.id,
    name: o.name,
    email: o.email,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    processedAt: o.processedAt ?? o.createdAt,
    cancelledAt: o.cancelledAt,
    financialStatus: (o.displayFinancialStatus ?? 'pending').toLowerCase(),
    fulfillmentStatus: o.displayFulfillmentStatus.toLowerCase(),
    currency: o.currencyCode,
    tags: o.tags,
    poNumber: o.poNumber,
    subtotal: m(o.subtotalPriceSet),
    total: m(o.totalPriceSet),
    totalTax: m(o.totalTaxSet),
    shipping: m(o.totalShippingPriceSet),
    currentTotal: m(o.currentTotalPriceSet),
    currentSubtotal: m(o.currentSubtotalPriceSet),
    currentTotalTax: m(o.currentTotalTaxSet),
    totalRefunded: m(o.totalRefundedSet),
    totalOutstanding: m(o.totalOutstandingSet),
    totalDiscounts: m(o.totalDiscountsSet),
    taxesIncluded: o.taxesIncluded,
    taxLines: o.taxLines.map(taxLine),
    customer: o.customer && {
      id: idOf(o.customer.id),
      email: o.customer.email,
      firstName: o.customer.firstName,
      lastName: o.customer.lastName,
    },
    shippingAddress: addr(o.shippingAddress),
    billingAddress: addr(o.billingAddress),
    lineItems: o.lineItems.nodes.map(mapLineItem),
    lineItemsTruncated: o.lineItems.pageInfo.hasNextPage,
    lineItemsEndCursor: o.lineItems.pageInfo.endCursor ?? null,
    shippingLines: o.shippingLines.nodes.map(mapShippingLine),
    shippingLinesTruncated: o.shippingLines.pageInfo.hasNextPage,
    shippingLinesEndCursor: o.shippingLines.pageInfo.endCursor ?? null,
  };
}

function mapLineItem(li: RawLineItem): ShopifyLineItem {
  return {
    id: idOf(li.id),
    sku: li.sku,
    name: li.name,
    quantity: li.quantity,
    currentQuantity: li.currentQuantity,
    requiresShipping: li.requiresShipping,
    unitPrice: m(li.originalUnitPriceSet),
    taxLines: li.taxLines.map(taxLine),
    discountAllocations: li.discountAllocations.map((a) => ({ amount: m(a.allocatedAmountSet) })),
  };
}

function mapShippingLine(s: RawShippingLine): ShopifyShippingLine {
  return {
    id: s.id ? idOf(s.id) : null,
    title: s.title,
    code: s.code,
    isRemoved: s.isRemoved,
    originalPrice: m(s.originalPriceSet),
    discountedPrice: m(s.discountedPriceSet),
    taxLines: s.taxLines.map(taxLine),
  };
}

function mapCustomer(c: RawCustomer): ShopifyCustomer {
  return {
    id: idOf(c.id),
    gid: c.id,
    email: c.email,
    phone: c.phone,
    firstName: c.firstName,
    lastName: c.lastName,
    state: c.state.toLowerCase(),
    tags: c.tags,
    taxExempt: c.taxExempt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    defaultAddress: addr(c.defaultAddress),
  };
}

interface RawWebhookSubscription {
  id: string;
  topic: string;
  uri: string | null;
  format: string | null;
  createdAt: string | null;
}

/** `orders/create` → `ORDERS_CREATE` (WebhookSubscriptionTopic). */
export function webhookTopicEnum(topic: string): string {
  return topic.replace('/', '_').toUpperCase();
}

/** `ORDERS_CREATE` → `orders/create`; `CUSTOMERS_DATA_REQUEST` → `customers/data_request` (resource names without `_`). */
export function webhookTopicName(topicEnum: string): string {
  const lower = topicEnum.toLowerCase();
  const i = lower.indexOf('_');
  return i < 0 ? lower : `${lower.slice(0, i)}/${lower.slice(i + 1)}`;
}

function mapWebhookSubscription(n: RawWebhookSubscription): ShopifyWebhookSubscription {
  return { id: n.id, topic: webhookTopicName(n.topic), uri: n.uri ?? '', format: n.format ?? 'JSON', createdAt: n.createdAt };
}
