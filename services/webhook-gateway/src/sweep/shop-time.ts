import { assertTimeZone, zonedIsoSeconds } from '@mlc/platform-time';

export { assertTimeZone };

/**
 * A GraphQL DateTime (UTC, `2026-12-01T00:30:00Z`) written as Shopify's REST and webhook bodies write it: in the shop's
 * zone with that instant's offset, to the second (`2026-11-30T19:30:00-05:00`). The mapper dates invoices from the
 * first 10 characters, so this is what keeps a swept order in the same accounting day as its webhook.
 */
export function shopLocalTime(utc: string, timeZone: string): string {
  const ms = Date.parse(utc);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${utc}`);
  return zonedIsoSeconds(ms, timeZone);
}
