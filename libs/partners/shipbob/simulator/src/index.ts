export {
  ShipbobSandbox,
  LifecycleError,
  LIFECYCLE_STEPS,
  HAPPY_PATH,
  SHIPBOB_WEBHOOK_RETRY_SCHEDULE_SEC,
  SHIPBOB_WEBHOOK_TIMEOUT_SEC,
  ACCESS_TOKEN_TTL_SEC,
  DUPLICATE_ORDER_MESSAGE,
  type ShipbobSandboxOptions,
  type SeedInput,
  type SeedResult,
  type WebhookSwitches,
  type SentWebhook,
  type LifecycleStep,
} from './shipbob.sandbox';
export { ShipbobWebhookSigner, generateWebhookSecret, WEBHOOK_SECRET_PATTERN } from './shipbob-webhook.signer';
export { SlidingWindowLimiter, type RateDecision } from './sliding-window.limiter';
export { DEMO_SEED, DEMO_PAT, DEMO_CHANNEL_ID } from './shipbob-demo.fixtures';
export { API_VERSION, WEBHOOK_TOPICS, type WebhookTopic } from './shipbob-sandbox.models';
export type * from './shipbob-sandbox.models';
