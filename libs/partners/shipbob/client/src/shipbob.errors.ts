import { AppError } from '@mlc/platform-errors';

/** Stable error codes thrown by the ShipBob client. */
export const SHIPBOB_ERROR = {
  /** 429: back off for `retryAfterMs` (from `x-retry-after`). Retryable. */
  RATE_LIMITED: 'SHIPBOB.RATE_LIMITED',
  /** 5xx, timeouts, connection failures, unreadable 2xx bodies. Retryable. */
  UNAVAILABLE: 'SHIPBOB.UNAVAILABLE',
  /** Any other 4xx: ShipBob refused the request; `details.partnerBody` says why. Not retryable. */
  REJECTED: 'SHIPBOB.REJECTED',
  /** 401/403 or a refused token refresh: credentials, scopes or channel access. Not retryable. */
  AUTH: 'SHIPBOB.AUTH',
  /** 422 on order create whose existing order could not be read back (e.g. it lives in another channel). */
  DUPLICATE_ORDER: 'SHIPBOB.DUPLICATE_ORDER',
} as const;
export type ShipbobErrorCode = (typeof SHIPBOB_ERROR)[keyof typeof SHIPBOB_ERROR];

/** What every client error carries in `details` (log-safe: no tokens). */
export interface ShipbobErrorDetails extends Record<string, unknown> {
  method?: string;
  path?: string;
  status?: number;
  partnerBody?: unknown;
}

export class ShipbobError extends AppError {
  declare readonly code: ShipbobErrorCode;
}

export class ShipbobRateLimitedError extends ShipbobError {
  constructor(retryAfterMs: number, details: ShipbobErrorDetails) {
    super(SHIPBOB_ERROR.RATE_LIMITED, `ShipBob rate limit reached; retry after ${retryAfterMs} ms`, { retryable: true, retryAfterMs, details });
  }
}

export class ShipbobUnavailableError extends ShipbobError {
  constructor(message: string, details: ShipbobErrorDetails, cause?: unknown) {
    super(SHIPBOB_ERROR.UNAVAILABLE, message, { retryable: true, details, cause });
  }
}

export class ShipbobRejectedError extends ShipbobError {
  constructor(message: string, details: ShipbobErrorDetails) {
    super(SHIPBOB_ERROR.REJECTED, message, { retryable: false, details });
  }
}

export class ShipbobAuthError extends ShipbobError {
  constructor(message: string, details: ShipbobErrorDetails) {
    super(SHIPBOB_ERROR.AUTH, message, { retryable: false, details });
  }
}

export class ShipbobDuplicateOrderError extends ShipbobError {
  constructor(
    readonly referenceId: string,
    details: ShipbobErrorDetails,
  ) {
    super(SHIPBOB_ERROR.DUPLICATE_ORDER, `ShipBob already has an order with reference_id ${referenceId} that this channel cannot read`, {
      retryable: false,
      details: { ...details, referenceId },
    });
  }
}
