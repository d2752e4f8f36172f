import type { AppError } from './app.error';

/** The classes operators filter exceptions by. Derived from the error code so every module agrees. */
export type ErrorCategory =
  'missing-mapping' | 'invalid-value' | 'partner-rejected' | 'auth' | 'rate-limit' | 'connection' | 'parse' | 'duplicate' | 'unexpected';

export function errorCategory(err: Pick<AppError, 'code'>): ErrorCategory {
  const code = err.code.toUpperCase();
  if (code.includes('MISSING_MAPPING') || code.startsWith('MAPPING.')) return 'missing-mapping';
  if (code.includes('INVALID') || code.includes('VALIDATION')) return 'invalid-value';
  if (code.includes('AUTH') || code.includes('FORBIDDEN')) return 'auth';
  if (code.includes('RATE_LIMIT') || code.includes('THROTTLED')) return 'rate-limit';
  if (code.includes('UNAVAILABLE') || code.includes('CONNECTION') || code.includes('TIMEOUT')) return 'connection';
  if (code.startsWith('DECODE.') || code.includes('PARSE') || code.includes('MALFORMED')) return 'parse';
  if (code.includes('DUPLICATE')) return 'duplicate';
  if (code.includes('REJECTED') || code.includes('NOT_FOUND') || code.includes('CONFLICT')) return 'partner-rejected';
  return 'unexpected';
}
