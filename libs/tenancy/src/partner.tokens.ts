import { createHash } from 'node:crypto';
import { requestFusionToken } from '@mlc/partners-fusion-client';
import { requestShipbobToken } from '@mlc/partners-shipbob-client';
import { requestShopifyToken } from '@mlc/partners-shopify-client';
import type { FusionAuth, ShipbobAuth, ShopifyAuth, TokenManager, TokenSource } from '@mlc/tenants';

type FusionOAuth = Extract<FusionAuth, { type: 'oauth2-client-credentials' }>;
type ShipbobOAuth = Extract<ShipbobAuth, { type: 'oauth2' }>;
type ShopifyClientCredentials = Extract<ShopifyAuth, { type: 'client-credentials' }>;

/** A short, non-reversible tag of what identifies a credential (so a changed credential gets its own tokens). */
function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 16);
}

/** Fusion client-credentials tokens of one tenant; a changed client id, secret, scope or URL starts a new cache entry. */
export function fusionTokenSource(tenantId: string, auth: FusionOAuth, opts: { timeoutMs?: number } = {}): TokenSource {
  return {
    key: `${tenantId}:fusion:${fingerprint(auth.tokenUrl, auth.clientId, auth.clientSecret, auth.scope)}`,
    fetch: async () => requestFusionToken(auth, opts),
  };
}

/**
 * ShipBob OAuth tokens of one tenant. ShipBob rotates the refresh token on every refresh, so the TokenManager keeps
 * the chain in Postgres (sealed) and refreshes under an advisory lock: replicas never spend one refresh token twice.
 * The connection's refresh token only seeds the chain (an operator storing a new one restarts it).
 */
export function shipbobTokenSource(tenantId: string, auth: ShipbobOAuth, opts: { timeoutMs?: number } = {}): TokenSource {
  const authBaseUrl = new URL(auth.tokenUrl).origin;
  return {
    key: `${tenantId}:shipbob:${fingerprint(authBaseUrl, auth.clientId)}`,
    initialRefreshToken: auth.refreshToken,
    fetch: async ({ refreshToken }) =>
      requestShipbobToken({ authBaseUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: refreshToken ?? auth.refreshToken }, opts),
  };
}

/**
 * Shopify client-credentials tokens of one tenant's shop (no refresh token: a new grant whenever the stored token is
 * near its end or was refused), shared by every replica instead of one token per process.
 */
export function shopifyTokenSource(tenantId: string, origin: string, auth: ShopifyClientCredentials, opts: { timeoutMs?: number } = {}): TokenSource {
  return {
    key: `${tenantId}:shopify:${fingerprint(origin, auth.clientId, auth.clientSecret)}`,
    fetch: async () => {
      const g = await requestShopifyToken({ origin, clientId: auth.clientId, clientSecret: auth.clientSecret }, opts);
      return { accessToken: g.accessToken, ...(g.expiresInMs !== undefined ? { expiresInMs: g.expiresInMs } : {}) };
    },
  };
}

/**
 * The `getAccessToken(forceRefresh)` the partner clients accept, served by the shared TokenManager. A forced refresh
 * (the partner answered 401) marks the token this client last used as rejected, so a replica that already replaced
 * it hands over the new one instead of refreshing again.
 */
export function managedAccessToken(tokens: TokenManager, source: TokenSource): (forceRefresh: boolean) => Promise<string> {
  let last: string | undefined;
  return async (forceRefresh) => {
    const token = await tokens.getToken(source, forceRefresh && last !== undefined ? { rejected: last } : {});
    last = token;
    return token;
  };
}
