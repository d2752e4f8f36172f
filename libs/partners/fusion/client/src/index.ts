export { FusionClient, REST_FRAMEWORK_VERSION, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './fusion.client';
export * from './fusion.errors';
export * from './fusion.types';
export { DEFAULT_RATE_LIMIT_BACKOFF_MS, toFusionError, parseRetryAfter } from './parse-fusion-error';
export * from './fusion-polling.types';
