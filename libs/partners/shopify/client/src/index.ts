export {
  ShopifyClient,
  throttleWaitMs,
  SHOPIFY_DEFAULT_API_VERSION,
  SHOPIFY_MAX_QUERY_COST,
  SHOPIFY_MAX_THROTTLE_RETRIES,
  SHOPIFY_MAX_TRANSIENT_RETRIES,
  SHOPIFY_TOKEN_REFRESH_MARGIN_MS,
  type ShopifyClientConfig,
  type ShopifyTokenSet,
} from './shopify.client';
export * from './shopify.errors';
export type * from './shopify.types';
export { parseShopifyJson } from './parse-shopify-json';
export {
  verifyShopifyWebhook,
  readShopifyWebhookHeaders,
  type ShopifyWebhookVerification,
  type ShopifyWebhookHeaders,
} from './verify-shopify-webhook';
