export { AppError, toAppError } from './app.error';
export { backoffDelayMs, retryUntilDone, sleep, type BackoffPolicy } from './backoff';
export { errorCategory, type ErrorCategory } from './error-category';
