/**
 * The one error type the project throws. `code` is stable and machine-readable ('SHIPBOB.RATE_LIMITED'),
 * `retryable` tells consumers whether backing off can help, `details` must be safe to log (never secrets).
 */
export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, opts: { retryable?: boolean; retryAfterMs?: number; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
    this.details = opts.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** Classifies anything thrown into an AppError so handlers can decide retry vs park uniformly. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Error) {
    const transient = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|socket hang up|timeout/i.test(
      `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`,
    );
    return new AppError(transient ? 'CONNECTION' : 'UNEXPECTED', err.message, { retryable: transient, cause: err });
  }
  return new AppError('UNEXPECTED', String(err));
}
