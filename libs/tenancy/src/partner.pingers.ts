import { FusionClient, requestFusionToken } from '@mlc/partners-fusion-client';
import { ShipbobError } from '@mlc/partners-shipbob-client';
import { ShopifyError } from '@mlc/partners-shopify-client';
import { AppError } from '@mlc/platform-errors';
import type { Connection, FusionConnection, PartnerPingers, PingCheck, PingResult, ShipbobConnection, ShopifyConnection, TokenManager } from '@mlc/tenants';
import { fusionClientConfig, newShipbobClient, newShopifyClient } from './partner.clients';

const PING_TIMEOUT_MS = 8_000;

const ok = (message: string): PingResult => ({ reachable: true, authenticated: true, failedCheck: null, message });
const failed = (failedCheck: PingCheck, message: string, reached = true): PingResult => ({
  reachable: reached,
  authenticated: failedCheck === 'permission' || failedCheck === 'configuration' ? reached : false,
  failedCheck,
  message,
});

/** The first Node system error code in an error's cause chain (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED...). */
function systemCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|ERR_TLS\w*|CERT_\w+|UNABLE_TO_\w+|DEPTH_ZERO_\w+|SELF_SIGNED_\w+|UND_ERR_\w+)$/.test(code)) return code;
  }
  return undefined;
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/**
 * Step 1 of every ping: can we open the partner's URL at all? Any HTTP answer counts. Tells a wrong host, a closed
 * port, a firewall or a bad certificate apart from a credential problem.
 */
async function probe(url: string, signal: AbortSignal): Promise<PingResult | undefined> {
  const origin = new URL(url).origin;
  try {
    const res = await fetch(origin, { method: 'GET', redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(PING_TIMEOUT_MS)]) });
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  } catch (err) {
    const code = systemCode(err);
    const name = (err as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return failed('timeout', `no answer from ${origin} within ${PING_TIMEOUT_MS} ms`, false);
    }
    if (code && /^(ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code)) return failed('tls', `TLS handshake with ${origin} failed (${code})`, false);
    return failed('network', `cannot reach ${origin}: ${code ? `${NETWORK_WORDS[code] ?? 'network error'} (${code})` : 'network error'}`, false);
  }
}

/** A partner client error, classified. */
function classify(partner: string, err: unknown, authHint: string): PingResult {
  const code = err instanceof AppError ? err.code : '';
  const message = err instanceof Error ? err.message : String(err);
  const details = err instanceof AppError ? err.details : {};
  const status = typeof details['status'] === 'number' ? details['status'] : undefined;
  if (/\.(AUTH|UNAUTHORIZED)$/.test(code)) {
    if (status === 403) return failed('permission', `${partner} accepted the credentials but refused access (403): ${message}`);
    return failed('authentication', `${partner} refused the credentials (${authHint}): ${message}`);
  }
  if (/\.(FORBIDDEN|ACCESS_DENIED)$/.test(code)) return failed('permission', `${partner} accepted the credentials but refused access: ${message}`);
  if (/\.SHOP_UNAVAILABLE$/.test(code)) return failed('configuration', `the shop cannot be used: ${message}`);
  if (/\.(UNAVAILABLE|RATE_LIMITED|THROTTLED)$/.test(code)) {
    const sys = systemCode(err);
    if (sys) return failed('network', `cannot reach ${partner}: ${NETWORK_WORDS[sys] ?? 'network error'} (${sys})`, false);
    return failed('unexpected', `${partner} is reachable but not answering normally: ${message}`);
  }
  return failed('unexpected', `${partner}: ${message}`);
}

async function pingFusion(c: FusionConnection, signal: AbortSignal): Promise<PingResult> {
  const unreachable = await probe(c.baseUrl, signal);
  if (unreachable) return unreachable;
  let getAccessToken: ((force: boolean) => Promise<string>) | undefined;
  if (c.auth.type === 'oauth2-client-credentials') {
    const tokenProbe = await probe(c.auth.tokenUrl, signal);
    if (tokenProbe) return { ...tokenProbe, message: `token endpoint: ${tokenProbe.message}` };
    try {
      // Always a fresh token: a ping checks the credentials as stored now.
      const token = await requestFusionToken(c.auth, { timeoutMs: PING_TIMEOUT_MS });
      getAccessToken = async () => token.accessToken;
    } catch (err) {
      return classify('Fusion', err, 'OAuth client id / secret / scope at the token endpoint');
    }
  }
  const client = new FusionClient({ ...fusionClientConfig(c), timeoutMs: PING_TIMEOUT_MS, ...(getAccessToken ? { getAccessToken } : {}) });
  const r = await client.ping();
  if (r.ok) return ok(`Fusion: ${c.auth.type === 'basic' ? 'basic auth accepted' : 'OAuth token obtained'}, purchase orders readable (${r.latencyMs} ms)`);
  const e = r.error!;
  if (e.code === 'FUSION.AUTH')
    return failed('authentication', `Fusion refused the credentials (${c.auth.type === 'basic' ? 'user name / password' : 'bearer token'}): ${e.message}`);
  if (e.code === 'FUSION.FORBIDDEN')
    return failed('permission', `Fusion accepted the credentials but the user may not read purchase orders (needs a procurement role): ${e.message}`);
  return failed('unexpected', `Fusion read failed (${e.code}): ${e.message}`);
}

async function pingShipbob(tenantId: string, c: ShipbobConnection, signal: AbortSignal, tokens: TokenManager | undefined): Promise<PingResult> {
  const unreachable = await probe(c.baseUrl, signal);
  if (unreachable) return unreachable;
  if (c.auth.type === 'oauth2' && !tokens) {
    // Spending the rotating refresh token outside the shared token manager would break every replica's chain.
    return failed('configuration', 'pinging a ShipBob OAuth connection needs the shared token manager', true);
  }
  const client = newShipbobClient(c, { tenantId, tokens, timeoutMs: PING_TIMEOUT_MS });
  try {
    const r = await client.ping();
    if (!r.channelFound) return failed('configuration', `ShipBob accepted the credentials, but channel ${c.channelId} is not visible to them: check channelId`);
    return ok(`ShipBob: ${c.auth.type === 'pat' ? 'personal access token' : 'OAuth token'} accepted, channel ${c.channelId} found (${r.latencyMs} ms)`);
  } catch (err) {
    if (err instanceof ShipbobError || err instanceof AppError)
      return classify('ShipBob', err, c.auth.type === 'pat' ? 'personal access token' : 'OAuth client / refresh token');
    throw err;
  }
}

async function pingShopify(c: ShopifyConnection, signal: AbortSignal): Promise<PingResult> {
  const unreachable = await probe(c.baseUrl, signal);
  if (unreachable) return unreachable;
  const client = newShopifyClient(c, { timeoutMs: PING_TIMEOUT_MS });
  try {
    const shop = await client.ping();
    if (shop.myshopifyDomain !== c.shopDomain)
      return failed('configuration', `the credentials belong to ${shop.myshopifyDomain}, not ${c.shopDomain}: check shopDomain`);
    return ok(`Shopify: ${c.auth.type === 'access-token' ? 'access token' : 'client credentials'} accepted for ${shop.myshopifyDomain}`);
  } catch (err) {
    if (err instanceof ShopifyError || err instanceof AppError)
      return classify('Shopify', err, c.auth.type === 'access-token' ? 'Admin API access token' : 'client id / secret');
    throw err;
  }
}

/**
 * Pingers for ConnectionPingService over the real partner clients: reachability of the URL, then a token (where the
 * partner uses one) and one cheap authenticated read. Each failure names the step and the setting to check; the
 * service scrubs any secret of the connection from the message.
 */
export function partnerPingers(opts: { tokens?: TokenManager } = {}): PartnerPingers {
  return {
    fusion: { ping: (c: Connection, ctx) => pingFusion(c as FusionConnection, ctx.signal) },
    shipbob: { ping: (c: Connection, ctx) => pingShipbob(ctx.tenantId, c as ShipbobConnection, ctx.signal, opts.tokens) },
    shopify: { ping: (c: Connection, ctx) => pingShopify(c as ShopifyConnection, ctx.signal) },
  };
}
