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

/**
 * SQLSTATEs after which the same statement can succeed on a new session: connection exceptions (class 08), the server
 * ending sessions (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now: a restart or failover),
 * too many connections (53300), serialization failure and deadlock (40001, 40P01).
 */
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300|40001|40P01)$/;
/** What node-postgres throws (no SQLSTATE) when the server went away under a session. */
const PG_CONNECTION_LOST =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect/i;

/** Classifies anything thrown into an AppError so handlers can decide retry vs park uniformly. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Error) {
    const code = String((err as NodeJS.ErrnoException).code ?? '');
    const transient =
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|socket hang up|timeout/i.test(`${code} ${err.message}`) ||
      TRANSIENT_SQLSTATE.test(code) ||
      PG_CONNECTION_LOST.test(err.message);
    return new AppError(transient ? 'CONNECTION' : 'UNEXPECTED', err.message, { retryable: transient, cause: err });
  }
  return new AppError('UNEXPECTED', String(err));
}
