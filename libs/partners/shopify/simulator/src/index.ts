export {
  ShopifySandbox,
  WEBHOOK_TOPICS,
  SHOPIFY_RETRY_SCHEDULE_SEC,
  SHOPIFY_WEBHOOK_TIMEOUT_SEC,
  SUPPORTED_API_VERSIONS,
  PUBLISHED_SAMPLES_API_VERSION,
  UNAUTHORIZED_BODY,
  type ShopifySandboxOptions,
  type ShopifyWebhookTopic,
  type Subscription,
  type WebhookFaults,
  type CustomerAddressInput,
  type DeliveryRecord,
  type GraphqlLogEntry,
  type GraphqlFaults,
} from './shopify.sandbox';
export { signShopifyWebhook } from './shopify-webhook.signer';
export { toExactJson, RawNumber } from './exact-json';
export { ID_BEYOND_2_POW_53, shopTime, zoneOffsetMinutes, type SimOrder, type SimCustomer, type SimShippingLine, type SimMetafield } from './shopify.model';
export {
  recogniseOperation,
  MUTATIONS,
  METAFIELDS_SET_INPUT_FIELDS,
  requestedCost,
  actualCost,
  DEFAULT_ASSUMED_LIST_LENGTH,
  DEFAULT_COST_MODEL,
  MAX_QUERY_COST,
  type CostModel,
  type KnownOperation,
} from './shopify-graphql';
export { WEBHOOK_SUBSCRIPTION_INPUT_FIELDS, topicEnum } from './shopify-webhook-subscriptions';
