import { AppError } from '@mlc/platform-errors';

type Opts = ConstructorParameters<typeof AppError>[2];

/** Credentials were refused (token endpoint or resource), also after one retry with a fresh token. */
export class FusionAuthError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.AUTH', message, { ...opts, retryable: false });
  }
}

/** The user lacks a privilege/role for the resource (403). */
export class FusionForbiddenError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.FORBIDDEN', message, { ...opts, retryable: false });
  }
}

/** 429: back off for `retryAfterMs` (from Retry-After, else a default). */
export class FusionRateLimitedError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.RATE_LIMITED', message, { ...opts, retryable: true });
  }
}

/** 5xx, timeouts and connection failures where the request was safe to repeat. */
export class FusionUnavailableError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.UNAVAILABLE', message, { ...opts, retryable: true });
  }
}

/**
 * A creating POST whose outcome is unknown (500, timeout or a dropped connection after sending). Not retryable
 * as such: look the record up first (e.g. by CrossReference), then decide.
 */
export class FusionOutcomeUnknownError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.OUTCOME_UNKNOWN', message, { ...opts, retryable: false });
  }
}

/** Fusion refused the request (400, 405, 406, 409, 412, 415, 422…); `details.body` holds Fusion's answer. */
export class FusionRejectedError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.REJECTED', message, { ...opts, retryable: false });
  }
}

export class FusionNotFoundError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.NOT_FOUND', message, { ...opts, retryable: false });
  }
}

/** A 2xx whose body was not what Fusion sends (cut short, not JSON, wrong shape). Retrying a read may help. */
export class FusionBadResponseError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.BAD_RESPONSE', message, opts);
  }
}

/**
 * A receipt or ASN request Fusion staged but has not processed yet (ProcessingStatusCode still PENDING or RUNNING
 * after the client's bounded read-back). Retryable: the next attempt finds the request again by its ShipmentNumber
 * and reads it back; it is never reported as done.
 */
export class FusionReceiptPendingError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.RECEIPT_PENDING_TIMEOUT', message, { ...opts, retryable: true });
  }
}

/** Fusion's receiving processor refused a staged receipt or ASN (ProcessingStatusCode ERROR); the message is Oracle's. */
export class FusionReceiptProcessingError extends AppError {
  constructor(message: string, opts: Opts = {}) {
    super('FUSION.RECEIPT_PROCESSING_REJECTED', message, { ...opts, retryable: false });
  }
}
