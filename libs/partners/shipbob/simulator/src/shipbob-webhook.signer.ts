import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signs webhooks the way ShipBob (2025-07+) does, which is the Standard Webhooks symmetric scheme:
 * base64(HMAC-SHA256(base64decode(secret without "whsec_"), `${id}.${timestamp}.${rawBody}`)), sent as "v1,<sig>".
 * Deliberately independent of the client's verifier so the two check each other.
 */
export class ShipbobWebhookSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
    this.key = Buffer.from(encoded, 'base64');
    if (this.key.length === 0) throw new Error('webhook secret decodes to an empty key');
  }

  /** The value of the `webhook-signature` header for one attempt. */
  sign(webhookId: string, timestampSec: number, rawBody: string): string {
    const digest = createHmac('sha256', this.key).update(`${webhookId}.${timestampSec}.${rawBody}`, 'utf8').digest('base64');
    return `v1,${digest}`;
  }

  /** Headers of one delivery attempt: id (stable across retries), attempt timestamp, signature, topic. */
  headers(webhookId: string, timestampSec: number, rawBody: string, topic: string): Record<string, string> {
    return {
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestampSec),
      'webhook-signature': this.sign(webhookId, timestampSec, rawBody),
      'x-webhook-topic': topic,
    };
  }
}

/** A secret in ShipBob's accepted format `^whsec_[a-zA-Z0-9+/]{32}$` (24 random bytes). */
export function generateWebhookSecret(random: () => number = Math.random): string {
  const bytes = Buffer.alloc(24);
  if (random === Math.random) randomBytes(24).copy(bytes);
  else for (let i = 0; i < 24; i++) bytes[i] = Math.floor(random() * 256);
  return `whsec_${bytes.toString('base64')}`;
}

export const WEBHOOK_SECRET_PATTERN = /^whsec_[a-zA-Z0-9+/]{32}$/;
