import { createHmac, timingSafeEqual } from 'node:crypto';

export type ShopifyWebhookVerification =
  { ok: true; secretIndex: number } | { ok: false; reason: 'missing_body' | 'missing_hmac' | 'invalid_hmac' | 'no_secrets' };

/**
 * Verifies `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the exact raw body bytes (shopify.md §1.2). Pass every
 * secret valid for the shop — during a rotation both the new and the old one (Shopify may sign with the old one
 * for up to an hour). Compares in constant time and checks every secret, so timing reveals nothing.
 * Returns a result; the caller answers 401 when `ok` is false (compliance webhooks require exactly that).
 */
export function verifyShopifyWebhook(input: {
  rawBody: Buffer | string;
  hmacHeader: string | string[] | undefined | null;
  secrets: readonly string[];
}): ShopifyWebhookVerification {
  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  const secrets = input.secrets.filter((s) => s.length > 0);
  if (!secrets.length) return { ok: false, reason: 'no_secrets' };
  if (!body.length) return { ok: false, reason: 'missing_body' };
  const header = Array.isArray(input.hmacHeader) ? input.hmacHeader[0] : input.hmacHeader;
  if (!header) return { ok: false, reason: 'missing_hmac' };
  const given = Buffer.from(header.trim(), 'base64');
  // Buffer.from(base64) skips junk; insist the header is the canonical encoding of a 32-byte digest.
  const canonical = given.length === 32 && given.toString('base64') === header.trim();
  const probe = canonical ? given : Buffer.alloc(32);
  let match = -1;
  secrets.forEach((secret, i) => {
    const expected = createHmac('sha256', secret).update(body).digest();
    if (timingSafeEqual(expected, probe) && canonical && match < 0) match = i;
  });
  return match >= 0 ? { ok: true, secretIndex: match } : { ok: false, reason: 'invalid_hmac' };
}

export interface ShopifyWebhookHeaders {
  topic?: string;
  hmac?: string;
  shopDomain?: string;
  apiVersion?: string;
  webhookId?: string;
  eventId?: string;
  triggeredAt?: string;
  name?: string;
}

/** Reads Shopify's webhook headers case-insensitively, with or without the `X-` prefix (events use none). */
export function readShopifyWebhookHeaders(headers: Record<string, string | string[] | undefined>): ShopifyWebhookHeaders {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    lower.set(k.toLowerCase().replace(/^x-/, ''), Array.isArray(v) ? (v[0] ?? '') : v);
  }
  const get = (name: string): string | undefined => lower.get(`shopify-${name}`);
  return {
    topic: get('topic'),
    hmac: get('hmac-sha256'),
    shopDomain: get('shop-domain'),
    apiVersion: get('api-version'),
    webhookId: get('webhook-id'),
    eventId: get('event-id'),
    triggeredAt: get('triggered-at'),
    name: get('name'),
  };
}
