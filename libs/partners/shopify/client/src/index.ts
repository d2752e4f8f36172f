export {
  ShopifyClient,
  throttleWaitMs,
  webhookTopicEnum,
  webhookTopicName,
  SHOPIFY_DEFAULT_API_VERSION,
  SHOPIFY_DEFAULT_ORDERS_PAGE_SIZE,
  SHOPIFY_DEFAULT_LINE_ITEMS_PER_ORDER,
  SHOPIFY_DEFAULT_SHIPPING_LINES_PER_ORDER,
  SHOPIFY_DEFAULT_ORDER_ITEMS_PAGE_SIZE,
  SHOPIFY_MAX_QUERY_COST,
  SHOPIFY_ASSUMED_LIST_LENGTH,
  SHOPIFY_MAX_THROTTLE_RETRIES,
  SHOPIFY_MAX_TRANSIENT_RETRIES,
  SHOPIFY_TOKEN_REFRESH_MARGIN_MS,
  type ShopifyClientConfig,
  type ShopifyTokenSet,
} from './shopify.client';
export * from './shopify.errors';
export { requestShopifyToken, type ShopifyTokenGrant } from './shopify.grants';
export {
  orderNodeCost,
  ordersPageCost,
  planOrdersPage,
  planOrderById,
  lineItemNodeCost,
  shippingLineNodeCost,
  orderItemsPageCost,
  planOrderItemsPage,
  type OrderItemsKind,
  type OrderPagePlan,
  type OrderSelectionSize,
} from './shopify.cost';
export type * from './shopify.types';
export { parseShopifyJson } from './parse-shopify-json';
export { verifyShopifyWebhook, readShopifyWebhookHeaders, type ShopifyWebhookVerification, type ShopifyWebhookHeaders } from './verify-shopify-webhook';
