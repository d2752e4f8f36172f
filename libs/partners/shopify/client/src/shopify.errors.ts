import { AppError } from '@mlc/platform-errors';

type Opts = ConstructorParameters<typeof AppError>[2];

/** Base of every error the Shopify client throws; `code` starts with `SHOPIFY.`. */
export class ShopifyError extends AppError {}

/** 401 after one token refresh, or the token endpoint refused our credentials. Not retryable: fix the connection. */
export class ShopifyUnauthorizedError extends ShopifyError {
  constructor(message: string, opts: Opts = {}) {
    super('SHOPIFY.UNAUTHORIZED', message, { ...opts, retryable: false });
  }
}

/** Cost bucket empty (200 + THROTTLED, or a 429) and our own retries ran out. Retry after `retryAfterMs`. */
export class ShopifyThrottledError extends ShopifyError {
  constructor(message: string, opts: Opts = {}) {
    super('SHOPIFY.THROTTLED', message, { ...opts, retryable: true });
  }
}

/** MAX_COST_EXCEEDED: a single query above 1000 points. Retrying cannot help; the page size must shrink. */
export class ShopifyQueryTooCostlyError extends ShopifyError {
  constructor(message: string, opts: Opts = {}) {
    super('SHOPIFY.QUERY_TOO_COSTLY', message, { ...opts, retryable: false });
  }
}

/** ACCESS_DENIED: the app lacks a scope (e.g. read_orders). */
export class ShopifyAccessDeniedError extends ShopifyError {
  constructor(message: string, opts: Opts = {}) {
    super('SHOPIFY.ACCESS_DENIED', message, { ...opts, retryable: false });
  }
}

/** 5xx, network failure, timeout or a body that is not JSON: transient. */
export class ShopifyUnavailableError extends ShopifyError {
  constructor(message: string, opts: Opts = {}) {
    super('SHOPIFY.UNAVAILABLE', message, { retryable: true, ...opts });
  }
}

/** 402 (frozen), 403 (forbidden), 423 (locked), SHOP_INACTIVE: the shop itself cannot be used. */
export class ShopifyShopUnavailableError extends ShopifyError {
  constructor(message: string, opts: Opts = {}) {
    super('SHOPIFY.SHOP_UNAVAILABLE', message, { ...opts, retryable: false });
  }
}

/** Any other GraphQL or HTTP error (bad query, 400, 404 for an unknown API version). */
export class ShopifyRequestError extends ShopifyError {
  constructor(message: string, opts: Opts = {}) {
    super('SHOPIFY.REQUEST_FAILED', message, { retryable: false, ...opts });
  }
}
