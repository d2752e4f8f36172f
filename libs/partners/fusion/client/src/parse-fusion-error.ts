import { parseRetryAfter } from '@mlc/platform-partner-policy';
import type { AppError } from '@mlc/platform-errors';
import {
  FusionAuthError,
  FusionForbiddenError,
  FusionNotFoundError,
  FusionOutcomeUnknownError,
  FusionRateLimitedError,
  FusionRejectedError,
  FusionUnavailableError,
} from './fusion.errors';

/**
 * Oracle publishes no rate limits for Fusion REST; without Retry-After we wait as long as the Singer tap does
 * (60 s). See ../shared/reference/oracle-fusion.md §2 "Rate limits".
 */
export const DEFAULT_RATE_LIMIT_BACKOFF_MS = 60_000;

/** Fusion error bodies are text before REST Framework v4 and JSON after; keep whichever parses. */
export function parseFusionBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The most useful one-line message out of a Fusion error body. */
export function fusionErrorMessage(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 500);
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const details = b['o:errorDetails'];
    const first = Array.isArray(details) ? (details[0] as Record<string, unknown> | undefined)?.['detail'] : undefined;
    return String(first ?? b['detail'] ?? b['error_description'] ?? b['title'] ?? b['error'] ?? JSON.stringify(b)).slice(0, 500);
  }
  return '';
}

/** Retry-After as seconds or an HTTP date: the one reader of @mlc/platform-partner-policy. */
export { parseRetryAfter };

export interface FusionHttpFailure {
  method: string;
  path: string;
  status: number;
  body: unknown;
  retryAfter: string | null;
  /** A POST that creates something: unknown outcomes must not be blindly retried. */
  creates: boolean;
}

/** Translates a non-2xx answer into our errors. */
export function toFusionError(f: FusionHttpFailure): AppError {
  const what = `${f.method} ${f.path} -> ${f.status}`;
  const message = `${what}: ${fusionErrorMessage(f.body) || 'no body'}`;
  const details = { status: f.status, method: f.method, path: f.path, body: f.body };
  switch (true) {
    case f.status === 401:
      return new FusionAuthError(message, { details });
    case f.status === 403:
      return new FusionForbiddenError(message, { details });
    case f.status === 404:
      return new FusionNotFoundError(message, { details });
    case f.status === 429:
      return new FusionRateLimitedError(message, {
        details,
        retryAfterMs: parseRetryAfter(f.retryAfter) ?? DEFAULT_RATE_LIMIT_BACKOFF_MS,
      });
    case f.status === 500 && f.creates:
      return new FusionOutcomeUnknownError(message, { details });
    case f.status >= 500:
      return new FusionUnavailableError(message, { details, retryAfterMs: parseRetryAfter(f.retryAfter) });
    default:
      return new FusionRejectedError(message, { details });
  }
}
