/**
 * How long a partner told us to wait, in ms, from its answer's headers: `Retry-After` (RFC 9110 §10.2.3: delay
 * seconds or an HTTP-date) and ShipBob's `x-retry-after` (seconds, https://developer.shipbob.com/rate-limit).
 * The longest hint wins; undefined when there is none (or it cannot be read).
 */
export function retryAfterMsFromHeaders(headers: Pick<Headers, 'get'>, now: number = Date.now()): number | undefined {
  const hints = [parseRetryAfter(headers.get('retry-after'), now), parseRetryAfter(headers.get('x-retry-after'), now)].filter(
    (x): x is number => x !== undefined,
  );
  return hints.length ? Math.max(...hints) : undefined;
}

/** One Retry-After value: seconds (decimals allowed) or an HTTP-date (a date in the past means "now": 0). */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  // HTTP-dates are GMT (IMF-fixdate, or the obsolete RFC 850 / asctime forms, which Date.parse also reads).
  if (!/\b(GMT|UTC)\b|^[A-Za-z]{3} [A-Za-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
