import { createHmac } from 'node:crypto';

/**
 * How Shopify signs an HTTPS webhook: base64 (standard, padded) of HMAC-SHA256 over the exact body bytes,
 * keyed with the app's client secret (or the admin notifications key). Reference: shopify.md §1.2.
 * Kept separate from the client's verifier on purpose, so a bug in one is caught by the other.
 */
export function signShopifyWebhook(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret)
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('base64');
}
