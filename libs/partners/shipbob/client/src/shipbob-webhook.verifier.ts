import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers as Node's IncomingMessage, a plain object or a fetch `Headers` gives them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyShipbobWebhookInput {
  /** The body exactly as received (never re-serialised JSON). */
  rawBody: string | Uint8Array;
  headers: WebhookHeaders;
  /** Every secret currently valid (`whsec_...`); several during a rotation. */
  secrets: readonly string[];
  /** The current time in unix seconds (defaults to the wall clock). */
  nowSec?: number;
  /** Allowed distance between `webhook-timestamp` and now (Standard Webhooks libraries use 300 s). */
  toleranceSec?: number;
}

export type ShipbobWebhookRejection =
  'missing_headers' | 'invalid_timestamp' | 'timestamp_too_old' | 'timestamp_too_new' | 'no_secrets' | 'no_v1_signature' | 'signature_mismatch';

export type ShipbobWebhookVerification =
  | { ok: true; webhookId: string; timestampSec: number; topic: string | undefined; secretIndex: number }
  | { ok: false; reason: ShipbobWebhookRejection; detail: string };

export const DEFAULT_WEBHOOK_TOLERANCE_SEC = 300;

/**
 * Verifies a ShipBob (2025-07+) webhook: Standard Webhooks symmetric signatures. `webhook-signature` is a
 * space-separated list of `<version>,<base64>`; only `v1` entries count, any match with any secret passes,
 * digests are compared in constant time. The topic comes from `x-webhook-topic`. Dedupe on `webhookId`.
 */
export function verifyShipbobWebhook(input: VerifyShipbobWebhookInput): ShipbobWebhookVerification {
  const id = header(input.headers, 'webhook-id');
  const ts = header(input.headers, 'webhook-timestamp');
  const sig = header(input.headers, 'webhook-signature');
  if (!id || !ts || !sig) {
    const missing = [!id && 'webhook-id', !ts && 'webhook-timestamp', !sig && 'webhook-signature'].filter(Boolean).join(', ');
    return { ok: false, reason: 'missing_headers', detail: `missing ${missing}` };
  }
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'invalid_timestamp', detail: `webhook-timestamp "${ts}" is not integer seconds` };
  const timestampSec = Number(ts);
  const nowSec = Math.floor(input.nowSec ?? Date.now() / 1000);
  const tolerance = input.toleranceSec ?? DEFAULT_WEBHOOK_TOLERANCE_SEC;
  if (timestampSec < nowSec - tolerance) return { ok: false, reason: 'timestamp_too_old', detail: `${nowSec - timestampSec} s old, tolerance ${tolerance} s` };
  if (timestampSec > nowSec + tolerance)
    return { ok: false, reason: 'timestamp_too_new', detail: `${timestampSec - nowSec} s in the future, tolerance ${tolerance} s` };

  const keys = input.secrets.map(secretKey).filter((k): k is Buffer => k !== undefined);
  if (!keys.length) return { ok: false, reason: 'no_secrets', detail: 'no usable webhook secret configured' };

  const candidates: Buffer[] = [];
  for (const entry of sig.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    candidates.push(Buffer.from(entry.slice(comma + 1), 'base64'));
  }
  if (!candidates.length) return { ok: false, reason: 'no_v1_signature', detail: 'webhook-signature has no v1 entry' };

  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : Buffer.from(input.rawBody);
  const prefix = Buffer.from(`${id}.${ts}.`, 'utf8');
  for (let i = 0; i < keys.length; i++) {
    const expected = createHmac('sha256', keys[i]!).update(prefix).update(body).digest();
    if (candidates.some((c) => c.length === expected.length && timingSafeEqual(c, expected))) {
      return { ok: true, webhookId: id, timestampSec, topic: header(input.headers, 'x-webhook-topic'), secretIndex: i };
    }
  }
  return { ok: false, reason: 'signature_mismatch', detail: `no v1 signature matched any of ${keys.length} secret(s)` };
}

function secretKey(secret: string): Buffer | undefined {
  const raw = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const key = Buffer.from(raw, 'base64');
  return key.length ? key : undefined;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  let v = bag[name];
  if (v === undefined) {
    const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
    v = key === undefined ? undefined : bag[key];
  }
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s.trim();
}
