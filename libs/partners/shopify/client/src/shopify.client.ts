import { ShopifyQueryTooCostlyError, ShopifyRequestError } from './shopify.errors';
import {
  mapCustomer,
  mapLineItem,
  mapOrder,
  mapShippingLine,
  mapWebhookSubscription,
  idOf,
  safeVariables,
  toGid,
  webhookTopicEnum,
  type Page,
  type RawCustomer,
  type RawOrder,
  type RawWebhookSubscription,
} from './shopify.operations';
import { paginate, type GraphqlCall } from './shopify.paging';
import { ShopifyTransport, type ShopifyTransportConfig } from './shopify.transport';
import {
  CUSTOMER_BY_ID_QUERY,
  CUSTOMERS_UPDATED_SINCE_QUERY,
  ORDER_BY_ID_QUERY,
  ORDER_LINE_ITEMS_QUERY,
  ORDER_METAFIELDS_SET_MUTATION,
  ORDER_SHIPPING_LINES_QUERY,
  ORDERS_UPDATED_SINCE_QUERY,
  ORDER_VERSIONS_UPDATED_SINCE_QUERY,
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
  ShopifyCustomer,
  ShopifyMetafield,
  ShopifyMetafieldInput,
  ShopifyOrder,
  ShopifyOrderVersion,
  ShopifyQueryCost,
  ShopifyShop,
  ShopifyWebhookSubscription,
} from './shopify.types';

/** https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits — a single query may cost at most 1000 points. */
export { SHOPIFY_MAX_QUERY_COST, SHOPIFY_ASSUMED_LIST_LENGTH };
export {
  SHOPIFY_DEFAULT_API_VERSION,
  SHOPIFY_MAX_THROTTLE_RETRIES,
  SHOPIFY_MAX_TRANSIENT_RETRIES,
  SHOPIFY_TOKEN_REFRESH_MARGIN_MS,
  shopifyOperationKind,
  throttleWaitMs,
  type ShopifyTokenSet,
} from './shopify.transport';
export { webhookTopicEnum, webhookTopicName } from './shopify.operations';
/** Page sizes of the order reads (upper bounds; see ShopifyClientConfig.ordersPageSize for the cost arithmetic). */
export const SHOPIFY_DEFAULT_ORDERS_PAGE_SIZE = 20;
export const SHOPIFY_DEFAULT_LINE_ITEMS_PER_ORDER = 10;
export const SHOPIFY_DEFAULT_SHIPPING_LINES_PER_ORDER = 3;
/** Most line items / shipping lines per OrderLineItems / OrderShippingLines page (then sized to fit the cost limit). */
export const SHOPIFY_DEFAULT_ORDER_ITEMS_PAGE_SIZE = 100;
/** completeOrder gives up (SHOPIFY.REQUEST_FAILED, not retryable) after this many pages of one connection. */
const MAX_ORDER_ITEMS_PAGES = 100;

/** Where and how to reach the shop (ShopifyTransportConfig: origin, auth, policy, clock) and how to size reads. */
export interface ShopifyClientConfig extends ShopifyTransportConfig {
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
  /** Orders per page of listOrderVersionsUpdatedSince (default and Shopify's maximum 250; 2 + 250 = 252 points). */
  orderVersionsPageSize?: number;
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
}

/** A GraphQL mutation's userErrors entry. */
type UserError = { field: string[] | null; message: string; code?: string | null };

/**
 * A mutation refused in userErrors, or answered without its result (`missing`): one ShopifyRequestError (not
 * retryable) naming the operation, each field and message (and code), with the errors in its details.
 */
function userErrorsFailure(label: string, errors: UserError[], missing: string, details: Record<string, unknown>): ShopifyRequestError {
  const listed = errors.map((e) => `${(e.field ?? []).join('.')}: ${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ');
  return new ShopifyRequestError(`${label}: ${listed || missing}`, { details: { ...details, userErrors: errors } });
}

/** The connections of an order that a read can cut short, and how each node of them is mapped. */
const ORDER_ITEMS_KINDS = ['lineItems', 'shippingLines'] as const satisfies readonly OrderItemsKind[];
const MAP_ORDER_ITEM: { [K in OrderItemsKind]: (raw: never) => ShopifyOrder[K][number] } = { lineItems: mapLineItem, shippingLines: mapShippingLine };

/**
 * The only code that knows Shopify's URLs, auth and payloads. Reads orders and customers through the GraphQL
 * Admin API, paces itself by the cost extension (leaky bucket), re-obtains the token once on a 401 and throws
 * only ShopifyError subclasses.
 */
export class ShopifyClient {
  private readonly transport: ShopifyTransport;
  private readonly graphql: GraphqlCall;
  /** How many times a query refused with MAX_COST_EXCEEDED was asked again smaller (pages and single orders). */
  costShrinks = 0;
  /** Sizes of the last order page asked for (after any shrinking). */
  lastOrdersPage: OrderPagePlan | undefined;

  constructor(private readonly config: ShopifyClientConfig) {
    this.transport = new ShopifyTransport(config);
    this.graphql = (op, query, variables) => this.transport.graphql(op, query, variables);
  }

  /** The cost extension of the last answer. */
  get lastCost(): ShopifyQueryCost | undefined {
    return this.transport.lastCost;
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
      await this.transport.accessToken(false);
      if (this.transport.grantedScope !== undefined)
        return this.transport.grantedScope
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
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
    for (const kind of ORDER_ITEMS_KINDS) {
      if (!order[`${kind}Truncated` as const]) continue;
      const rest = await this.orderItems<never>(kind, order, order[`${kind}EndCursor` as const] ?? null);
      if (!rest) return null;
      (out[kind] as unknown[]).push(...rest.nodes.map((n) => MAP_ORDER_ITEM[kind](n)));
      out[`${kind}Truncated` as const] = false;
      out[`${kind}EndCursor` as const] = rest.endCursor;
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
    for (let pages = 0; pages < MAX_ORDER_ITEMS_PAGES;) {
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
      lineItemsFirst: planOrderById({ lineItemsFirst: this.lineItemsFirst(), shippingLinesFirst, listLength: this.listLength() }, this.maxQueryCost()),
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
    const data = await this.graphql<{
      metafieldsSet: { metafields: ShopifyMetafield[] | null; userErrors: Array<{ field: string[] | null; message: string; code: string | null }> } | null;
    }>('OrderMetafieldsSet', ORDER_METAFIELDS_SET_MUTATION, {
      metafields: metafields.map((m) => ({ ownerId, namespace: m.namespace, key: m.key, type: m.type, value: m.value })),
    });
    const payload = data.metafieldsSet;
    const errors = payload?.userErrors ?? [];
    if (!payload || errors.length) throw userErrorsFailure('OrderMetafieldsSet', errors, 'no payload', { op: 'OrderMetafieldsSet', orderId });
    return payload.metafields ?? [];
  }

  /** The app's webhook subscriptions on this shop (API-created; app-config/TOML ones are not listed by Shopify). */
  async listWebhookSubscriptions(): Promise<ShopifyWebhookSubscription[]> {
    const out: ShopifyWebhookSubscription[] = [];
    for await (const node of paginate<RawWebhookSubscription>(this.graphql, 'WebhookSubscriptions', WEBHOOK_SUBSCRIPTIONS_QUERY, 'webhookSubscriptions', {
      first: 100,
    })) {
      out.push(mapWebhookSubscription(node));
    }
    return out;
  }

  /**
   * Subscribes `uri` to one topic (slash spelling, `orders/create`). Deliveries are signed with the app's client
   * secret. Refusals in userErrors (e.g. "Address for this topic has already been taken") throw ShopifyRequestError.
   */
  async createWebhookSubscription(topic: string, uri: string): Promise<ShopifyWebhookSubscription> {
    const data = await this.graphql<{
      webhookSubscriptionCreate: { webhookSubscription: RawWebhookSubscription | null; userErrors: Array<{ field: string[] | null; message: string }> } | null;
    }>('WebhookSubscriptionCreate', WEBHOOK_SUBSCRIPTION_CREATE_MUTATION, { topic: webhookTopicEnum(topic), webhookSubscription: { uri, format: 'JSON' } });
    const payload = data.webhookSubscriptionCreate;
    const errors = payload?.userErrors ?? [];
    if (!payload?.webhookSubscription || errors.length)
      throw userErrorsFailure(`WebhookSubscriptionCreate ${topic}`, errors, 'no subscription in the answer', { op: 'WebhookSubscriptionCreate', topic });
    return mapWebhookSubscription(payload.webhookSubscription);
  }

  async deleteWebhookSubscription(id: string): Promise<void> {
    const data = await this.graphql<{
      webhookSubscriptionDelete: { deletedWebhookSubscriptionId: string | null; userErrors: Array<{ field: string[] | null; message: string }> } | null;
    }>('WebhookSubscriptionDelete', WEBHOOK_SUBSCRIPTION_DELETE_MUTATION, { id });
    const payload = data.webhookSubscriptionDelete;
    const errors = payload?.userErrors ?? [];
    if (!payload?.deletedWebhookSubscriptionId || errors.length)
      throw userErrorsFailure(`WebhookSubscriptionDelete ${id}`, errors, 'nothing deleted', { op: 'WebhookSubscriptionDelete', id });
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
    for await (const node of paginate<RawOrder>(
      this.graphql,
      'OrdersUpdatedSince',
      ORDERS_UPDATED_SINCE_QUERY,
      'orders',
      variables,
      (vars, err) => this.shrink('OrdersUpdatedSince', vars, err),
      (vars) => (this.lastOrdersPage = { first: Number(vars['first']), lineItemsFirst: Number(vars['lineItemsFirst']) }),
    )) {
      yield mapOrder(node);
    }
  }

  /**
   * The versions of orders updated since `since` (ids and updatedAt, oldest first, 250 a page): one point an order,
   * against about 50 for listOrdersUpdatedSince's whole orders. Fetch the ones needed with getOrder.
   */
  async *listOrderVersionsUpdatedSince(since: Date): AsyncGenerator<ShopifyOrderVersion> {
    for await (const node of paginate<{ id: string; updatedAt: string }>(
      this.graphql,
      'OrderVersionsUpdatedSince',
      ORDER_VERSIONS_UPDATED_SINCE_QUERY,
      'orders',
      { first: this.config.orderVersionsPageSize ?? 250, query: `updated_at:>='${since.toISOString()}'` },
    )) {
      yield { id: idOf(node.id), gid: node.id, updatedAt: node.updatedAt };
    }
  }

  async *listCustomersUpdatedSince(since: Date): AsyncGenerator<ShopifyCustomer> {
    for await (const node of paginate<RawCustomer>(this.graphql, 'CustomersUpdatedSince', CUSTOMERS_UPDATED_SINCE_QUERY, 'customers', {
      first: this.config.customersPageSize ?? 250,
      query: `updated_at:>='${since.toISOString()}'`,
    })) {
      yield mapCustomer(node);
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
}
