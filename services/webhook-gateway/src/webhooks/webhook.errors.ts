import { AppError } from '@mlc/platform-errors';

/** Why a webhook was not accepted. The exception filter turns each code into one HTTP status. */
export const WEBHOOK_ERROR = {
  UNKNOWN_TENANT: 'WEBHOOK.UNKNOWN_TENANT',
  NOT_CONNECTED: 'WEBHOOK.NOT_CONNECTED',
  UNAUTHENTICATED: 'WEBHOOK.UNAUTHENTICATED',
  FOREIGN_SHOP: 'WEBHOOK.FOREIGN_SHOP',
  TOO_LARGE: 'WEBHOOK.TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE',
  MALFORMED: 'WEBHOOK.MALFORMED',
  KAFKA_UNAVAILABLE: 'WEBHOOK.KAFKA_UNAVAILABLE',
  UNAVAILABLE: 'WEBHOOK.UNAVAILABLE',
  OVERLOADED: 'WEBHOOK.OVERLOADED',
} as const;
export type WebhookErrorCode = (typeof WEBHOOK_ERROR)[keyof typeof WEBHOOK_ERROR];

/** HTTP status for each code: 4xx the partner should not retry as-is, 503 it should. */
export const WEBHOOK_ERROR_STATUS: Record<WebhookErrorCode, number> = {
  [WEBHOOK_ERROR.UNKNOWN_TENANT]: 404,
  [WEBHOOK_ERROR.NOT_CONNECTED]: 404,
  [WEBHOOK_ERROR.UNAUTHENTICATED]: 401,
  [WEBHOOK_ERROR.FOREIGN_SHOP]: 403,
  [WEBHOOK_ERROR.TOO_LARGE]: 413,
  [WEBHOOK_ERROR.UNSUPPORTED_MEDIA_TYPE]: 400,
  [WEBHOOK_ERROR.MALFORMED]: 400,
  [WEBHOOK_ERROR.KAFKA_UNAVAILABLE]: 503,
  [WEBHOOK_ERROR.UNAVAILABLE]: 503,
  [WEBHOOK_ERROR.OVERLOADED]: 503,
};

export class WebhookError extends AppError {
  constructor(
    readonly webhookCode: WebhookErrorCode,
    message: string,
    opts: { retryable?: boolean; retryAfterMs?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(webhookCode, message, opts);
  }

  get status(): number {
    return WEBHOOK_ERROR_STATUS[this.webhookCode];
  }
}

export class UnknownTenantError extends WebhookError {
  constructor(tenantId: string) {
    super(WEBHOOK_ERROR.UNKNOWN_TENANT, `no tenant ${tenantId}`, { details: { tenantId } });
  }
}

export class NotConnectedError extends WebhookError {
  constructor(tenantId: string, partner: string) {
    super(WEBHOOK_ERROR.NOT_CONNECTED, `tenant ${tenantId} has no ${partner} connection`, { details: { tenantId, partner } });
  }
}

export class UnauthenticatedWebhookError extends WebhookError {
  constructor(reason: string, detail?: string) {
    super(WEBHOOK_ERROR.UNAUTHENTICATED, `webhook signature rejected: ${reason}${detail ? ` (${detail})` : ''}`, { details: { reason } });
  }
}

/**
 * A Shopify delivery whose X-Shopify-Shop-Domain is not the shop of the tenant whose URL it was sent to, signature
 * valid or not: it is never published under this tenant (issue 15 item 6). 403, the delivery is authenticated but
 * not this tenant's.
 */
export class ForeignShopError extends WebhookError {
  constructor(tenantId: string, tenantShop: string, deliveredShop: string | undefined) {
    super(
      WEBHOOK_ERROR.FOREIGN_SHOP,
      deliveredShop
        ? `X-Shopify-Shop-Domain ${deliveredShop} is not tenant ${tenantId}'s shop ${tenantShop}`
        : `no X-Shopify-Shop-Domain header; tenant ${tenantId}'s shop is ${tenantShop}`,
      { details: { tenantId, tenantShop, deliveredShop: deliveredShop ?? null } },
    );
  }
}

export class BodyTooLargeError extends WebhookError {
  constructor(limit: number, received?: number) {
    super(WEBHOOK_ERROR.TOO_LARGE, `body larger than ${limit} bytes`, { details: { limit, ...(received === undefined ? {} : { received }) } });
  }
}

export class UnsupportedMediaTypeError extends WebhookError {
  constructor(contentType: string | undefined) {
    super(WEBHOOK_ERROR.UNSUPPORTED_MEDIA_TYPE, `content-type must be application/json, got ${contentType ? `"${contentType}"` : 'none'}`, {
      details: { contentType: contentType ?? null },
    });
  }
}

export class MalformedWebhookError extends WebhookError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(WEBHOOK_ERROR.MALFORMED, message, { details });
  }
}

export class KafkaUnavailableError extends WebhookError {
  constructor(message: string, cause?: unknown) {
    super(WEBHOOK_ERROR.KAFKA_UNAVAILABLE, message, { retryable: true, retryAfterMs: 5_000, cause });
  }
}

/** Tenant configuration or the delivery ledger (Postgres) could not be read: the partner should retry. */
export class GatewayUnavailableError extends WebhookError {
  constructor(message: string, cause?: unknown) {
    super(WEBHOOK_ERROR.UNAVAILABLE, message, { retryable: true, retryAfterMs: 5_000, cause });
  }
}

/**
 * Too many webhooks are waiting for Kafka (WEBHOOK_MAX_PENDING or WEBHOOK_MAX_PENDING_BYTES): answered 503 with a
 * short Retry-After at once rather than queued without limit. Nothing was accepted, so nothing is lost.
 */
export class GatewayOverloadedError extends WebhookError {
  constructor(pending: number, pendingBytes: number) {
    super(WEBHOOK_ERROR.OVERLOADED, `too many webhooks waiting for Kafka (${pending}, ${pendingBytes} bytes); retry later`, {
      retryable: true,
      retryAfterMs: 2_000,
      details: { pending, pendingBytes },
    });
  }
}
