export {
  ShipbobClient,
  requestShipbobToken,
  type ShipbobTokenGrant,
  SHIPBOB_API_VERSION,
  SHIPBOB_PRODUCTION_URL,
  SHIPBOB_SANDBOX_URL,
  SHIPBOB_PRODUCTION_AUTH_URL,
  SHIPBOB_SANDBOX_AUTH_URL,
  SHIPBOB_DEFAULT_RETRY_AFTER_MS,
  SHIPBOB_DEFAULT_TIMEOUT_MS,
  ORDER_PAGE_LIMIT as SHIPBOB_ORDER_PAGE_LIMIT,
  type ShipbobClientConfig,
  type ShipbobAuthConfig,
} from './shipbob.client';
export {
  SHIPBOB_ERROR,
  ShipbobError,
  ShipbobRateLimitedError,
  ShipbobUnavailableError,
  ShipbobRejectedError,
  ShipbobAuthError,
  ShipbobDuplicateOrderError,
  type ShipbobErrorCode,
  type ShipbobErrorDetails,
} from './shipbob.errors';
export {
  verifyShipbobWebhook,
  DEFAULT_WEBHOOK_TOLERANCE_SEC,
  type VerifyShipbobWebhookInput,
  type ShipbobWebhookVerification,
  type ShipbobWebhookRejection,
  type WebhookHeaders,
} from './shipbob-webhook.verifier';
export { SHIPBOB_WEBHOOK_TOPICS, type ShipbobWebhookTopic } from './shipbob-webhook.topics';
export type * from './shipbob.types';
