/**
 * Every GraphQL document the client sends. The Shopify sandbox recognises exactly these operation names
 * (libs/partners/shopify/simulator/src/shopify-graphql.ts); add a query there when adding one here.
 */
const MONEY = 'shopMoney { amount currencyCode }';
const TAX_LINE = `title rate priceSet { ${MONEY} }`;
const ADDRESS = 'firstName lastName company address1 address2 city province provinceCode country countryCodeV2 zip phone';
/** One line item node (ORDER_FIELDS' lineItems and OrderLineItems). */
const LINE_ITEM_FIELDS = `
  id sku name quantity currentQuantity requiresShipping originalUnitPriceSet { ${MONEY} }
  taxLines { ${TAX_LINE} } discountAllocations { allocatedAmountSet { ${MONEY} } }`;
/** One shipping line node (ORDER_FIELDS' shippingLines and OrderShippingLines). */
const SHIPPING_LINE_FIELDS = `id title code isRemoved originalPriceSet { ${MONEY} } discountedPriceSet { ${MONEY} } taxLines { ${TAX_LINE} }`;
const ORDER_FIELDS = `
  id legacyResourceId name email phone createdAt updatedAt processedAt cancelledAt cancelReason currencyCode
  displayFinancialStatus displayFulfillmentStatus tags poNumber test
  subtotalPriceSet { ${MONEY} } totalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
  currentSubtotalPriceSet { ${MONEY} } currentTotalPriceSet { ${MONEY} } currentTotalTaxSet { ${MONEY} }
  totalRefundedSet { ${MONEY} } totalOutstandingSet { ${MONEY} }
  totalDiscountsSet { ${MONEY} } taxesIncluded taxLines { ${TAX_LINE} }
  customer { id legacyResourceId email firstName lastName }
  shippingAddress { ${ADDRESS} } billingAddress { ${ADDRESS} }
  lineItems(first: $lineItemsFirst) {
    nodes { ${LINE_ITEM_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
  shippingLines(first: $shippingLinesFirst) {
    nodes { ${SHIPPING_LINE_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }`;
const CUSTOMER_FIELDS = `
  id legacyResourceId email phone firstName lastName state note taxExempt tags createdAt updatedAt
  defaultAddress { ${ADDRESS} }`;

export const PING_QUERY = 'query Ping { shop { name myshopifyDomain } }';

/** The shop's settings the sweep needs: its IANA time zone (Shopify writes REST/webhook times in it). */
/** The app's granted access scopes (AppInstallation.accessScopes, https://shopify.dev/docs/api/admin-graphql/latest/objects/AppInstallation). */
export const ACCESS_SCOPES_QUERY = 'query AccessScopes { currentAppInstallation { accessScopes { handle } } }';

export const SHOP_QUERY = 'query Shop { shop { name myshopifyDomain ianaTimezone } }';

export const ORDERS_UPDATED_SINCE_QUERY = `query OrdersUpdatedSince($first: Int!, $after: String, $query: String, $lineItemsFirst: Int!, $shippingLinesFirst: Int!) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    nodes { ${ORDER_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Which orders changed since a time, and to which version: ids and updatedAt only, one point per order (the full
 * ORDER_FIELDS page costs about 50 points an order), 250 a page. The sweep reads this list and fetches whole only the
 * versions no webhook brought (OrderById).
 */
export const ORDER_VERSIONS_UPDATED_SINCE_QUERY = `query OrderVersionsUpdatedSince($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    nodes { id updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const ORDER_BY_ID_QUERY = `query OrderById($id: ID!, $lineItemsFirst: Int!, $shippingLinesFirst: Int!) {
  order(id: $id) { ${ORDER_FIELDS} }
}`;

/** The rest of a truncated order's line items, after the cursor its order read ended on. */
export const ORDER_LINE_ITEMS_QUERY = `query OrderLineItems($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    id updatedAt
    lineItems(first: $first, after: $after) { nodes { ${LINE_ITEM_FIELDS} } pageInfo { hasNextPage endCursor } }
  }
}`;

/** The rest of a truncated order's shipping lines, after the cursor its order read ended on. */
export const ORDER_SHIPPING_LINES_QUERY = `query OrderShippingLines($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    id updatedAt
    shippingLines(first: $first, after: $after) { nodes { ${SHIPPING_LINE_FIELDS} } pageInfo { hasNextPage endCursor } }
  }
}`;

export const CUSTOMERS_UPDATED_SINCE_QUERY = `query CustomersUpdatedSince($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    nodes { ${CUSTOMER_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CUSTOMER_BY_ID_QUERY = `query CustomerById($id: ID!) {
  customer(id: $id) { ${CUSTOMER_FIELDS} }
}`;

/**
 * metafieldsSet on an order (write-back of the Fusion invoice number). Inputs: MetafieldsSetInput {ownerId, namespace,
 * key, type, value} (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/MetafieldsSetInput); answer:
 * MetafieldsSetPayload {metafields, userErrors} (https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet).
 * An upsert by (owner, namespace, key): replaying it leaves one metafield.
 */
export const ORDER_METAFIELDS_SET_MUTATION = `mutation OrderMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key value type }
    userErrors { field message code elementIndex }
  }
}`;

/**
 * The app's API-created webhook subscriptions for this shop (https://shopify.dev/docs/api/admin-graphql/latest/queries/webhookSubscriptions;
 * WebhookSubscription fields id, topic, uri, format, createdAt: https://shopify.dev/docs/api/admin-graphql/latest/objects/WebhookSubscription).
 */
export const WEBHOOK_SUBSCRIPTIONS_QUERY = `query WebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri format createdAt }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!); since
 * 2025-10 the input's address is `uri` (https://shopify.dev/docs/api/admin-graphql/latest/mutations/webhookSubscriptionCreate,
 * https://shopify.dev/docs/api/admin-graphql/2025-10/input-objects/WebhookSubscriptionInput). App subscriptions are
 * signed with the app's client secret.
 */
export const WEBHOOK_SUBSCRIPTION_CREATE_MUTATION = `mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri format createdAt }
    userErrors { field message }
  }
}`;

/** webhookSubscriptionDelete(id: ID!) → deletedWebhookSubscriptionId (https://shopify.dev/docs/api/admin-graphql/latest/mutations/webhookSubscriptionDelete). */
export const WEBHOOK_SUBSCRIPTION_DELETE_MUTATION = `mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`;
