import { fetchText } from '@mlc/platform-partner-policy';
import { parseShopifyJson } from './parse-shopify-json';
import { ShopifyUnauthorizedError, ShopifyUnavailableError } from './shopify.errors';

/** What Shopify's token endpoint gave (POST /admin/oauth/access_token, reference/shopify.md §1). */
export interface ShopifyTokenGrant {
  accessToken: string;
  /** Lifetime in ms; undefined for a token that does not expire. */
  expiresInMs?: number;
  /** Expiring offline tokens: the rotated refresh token (the one sent is spent), to persist before use. */
  refreshToken?: string;
  /** The granted access scopes (comma-separated handles), when the endpoint answered them. */
  scope?: string;
}

/**
 * One token grant at the shop: the refresh grant when a refresh token is given, else client credentials (a Dev
 * Dashboard app owned by the merchant). What ShopifyClient does itself for one-off use; exported for the shared
 * TokenManager (libs/tenancy partner.tokens.ts). Throws ShopifyUnauthorizedError when the grant is refused,
 * ShopifyUnavailableError when it may be retried.
 */
export async function requestShopifyToken(
  req: { origin: string; clientId: string; clientSecret: string; refreshToken?: string },
  opts: { timeoutMs?: number } = {},
): Promise<ShopifyTokenGrant> {
  const grant: Record<string, string> = req.refreshToken
    ? { grant_type: 'refresh_token', refresh_token: req.refreshToken }
    : { grant_type: 'client_credentials' };
  const { res, text } = await fetchText(
    `${req.origin.replace(/\/+$/, '')}/admin/oauth/access_token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: req.clientId, client_secret: req.clientSecret, ...grant }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    },
    (err) => new ShopifyUnavailableError(`token endpoint unreachable: ${(err as Error).message}`, { cause: err }),
  );
  if (res.status >= 500) throw new ShopifyUnavailableError(`token endpoint HTTP ${res.status}`);
  if (res.status !== 200) {
    let error = '';
    try {
      error = String(parseShopifyJson<{ error?: string }>(text).error ?? '');
    } catch {
      /* body not JSON: the status says enough */
    }
    throw new ShopifyUnauthorizedError(`token endpoint refused the ${grant['grant_type']} grant (HTTP ${res.status} ${error})`, {
      details: { status: res.status, error, grant: grant['grant_type'] },
    });
  }
  const body = parseShopifyJson<{ access_token?: string; expires_in?: number; refresh_token?: string; scope?: string }>(text);
  if (!body.access_token) throw new ShopifyUnavailableError('token endpoint answered without access_token');
  return {
    accessToken: body.access_token,
    ...(typeof body.expires_in === 'number' ? { expiresInMs: body.expires_in * 1000 } : {}),
    ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
    ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
  };
}
