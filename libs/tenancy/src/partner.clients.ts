import { FusionClient, type FusionClientConfig } from '@mlc/partners-fusion-client';
import { ShipbobClient } from '@mlc/partners-shipbob-client';
import { SHOPIFY_MAX_THROTTLE_RETRIES, ShopifyClient } from '@mlc/partners-shopify-client';
import { AppError } from '@mlc/platform-errors';
import { sharedPartnerPolicy, type PartnerPolicy } from '@mlc/platform-partner-policy';
import type { FusionConnection, ShipbobConnection, ShopifyConnection, TenantSnapshot, TokenManager } from '@mlc/tenants';
import { fusionTokenSource, managedAccessToken, shipbobTokenSource, shopifyTokenSource } from './partner.tokens';
import type { TenantDirectory } from './tenant.directory';

export class MissingConnectionError extends AppError {
  constructor(tenantId: string, partner: string) {
    super('TENANT.NO_CONNECTION', `tenant ${tenantId} has no ${partner} connection configured`, { retryable: false, details: { tenantId, partner } });
  }
}

/** Where partner clients get their tokens: the shared TokenManager (services) or the client itself (one-off use). */
export interface ClientTokenOptions {
  tenantId: string;
  tokens?: TokenManager;
  timeoutMs?: number;
  /** The partner's retry / circuit policy shared by the process (services); circuits are keyed `<tenant>:<partner>`. */
  policy?: PartnerPolicy;
}

export function fusionClientConfig(c: FusionConnection, t?: ClientTokenOptions): FusionClientConfig {
  const auth = c.auth;
  return {
    baseUrl: c.baseUrl,
    ...(t?.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    ...(t?.policy ? { policy: t.policy, policyKey: `${t.tenantId}:fusion` } : {}),
    ...(t?.tokens && auth.type === 'oauth2-client-credentials' ? { getAccessToken: managedAccessToken(t.tokens, fusionTokenSource(t.tenantId, auth, t)) } : {}),
    auth:
      auth.type === 'basic'
        ? { kind: 'basic', user: auth.username, password: auth.password }
        : { kind: 'oauth', tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, scope: auth.scope },
    // The SOAP services (credit memos, customer accounts) use soapAuth when the connection has one.
    ...(c.soapAuth ? { soapAuth: { kind: 'basic' as const, user: c.soapAuth.username, password: c.soapAuth.password } } : {}),
  };
}

/**
 * A ShipBob client for a connection. With OAuth, pass `tokens`: without it the client spends the connection's refresh
 * token itself (ShipBob rotates it, so only do that where nothing else uses the connection).
 */
export function newShipbobClient(c: ShipbobConnection, t?: ClientTokenOptions): ShipbobClient {
  const auth = c.auth;
  return new ShipbobClient({
    baseUrl: c.baseUrl,
    channelId: c.channelId,
    ...(t?.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    ...(t?.policy ? { policy: t.policy, policyKey: `${t.tenantId}:shipbob` } : {}),
    ...(auth.type === 'oauth2' ? { authBaseUrl: new URL(auth.tokenUrl).origin } : {}),
    ...(t?.tokens && auth.type === 'oauth2' ? { getAccessToken: managedAccessToken(t.tokens, shipbobTokenSource(t.tenantId, auth, t)) } : {}),
    auth:
      auth.type === 'pat'
        ? { kind: 'pat', token: auth.token }
        : { kind: 'oauth', clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken },
  });
}

/**
 * A Shopify client for a connection (static Admin API token, or client credentials). With client credentials and
 * `tokens`, the token comes from the shared TokenManager (one per shop for every replica); without, the client
 * obtains its own in memory (one-off use).
 */
export function newShopifyClient(c: ShopifyConnection, t?: Partial<ClientTokenOptions>): ShopifyClient {
  const auth = c.auth;
  const origin = c.baseUrl.replace(/\/+$/, '');
  return new ShopifyClient({
    baseUrl: c.baseUrl,
    shopDomain: c.shopDomain,
    apiVersion: c.apiVersion,
    ...(t?.timeoutMs !== undefined ? { requestTimeoutMs: t.timeoutMs } : {}),
    ...(t?.policy && t.tenantId ? { policy: t.policy, policyKey: `${t.tenantId}:shopify` } : {}),
    ...(t?.tokens && t.tenantId && auth.type === 'client-credentials'
      ? { getAccessToken: managedAccessToken(t.tokens, shopifyTokenSource(t.tenantId, origin, auth, t)) }
      : {}),
    ...(c.auth.type === 'access-token' ? { accessToken: c.auth.accessToken } : { clientId: c.auth.clientId, clientSecret: c.auth.clientSecret }),
  });
}

interface Cached<T> {
  version: number;
  client: T;
}

/** The client of each partner, how it is built from the tenant's connection, and its process-wide policy. */
interface ClientOf {
  fusion: FusionClient;
  shipbob: ShipbobClient;
  shopify: ShopifyClient;
}
type Partner = keyof ClientOf;
const BUILD: { [P in Partner]: (c: NonNullable<TenantSnapshot['connections'][P]>, t: ClientTokenOptions) => ClientOf[P] } = {
  fusion: (c, t) => new FusionClient(fusionClientConfig(c, t)),
  shipbob: newShipbobClient,
  shopify: newShopifyClient,
};
const POLICY: { [P in Partner]: () => PartnerPolicy } = {
  fusion: () => sharedPartnerPolicy('FUSION'),
  shipbob: () => sharedPartnerPolicy('SHIPBOB'),
  shopify: () => sharedPartnerPolicy('SHOPIFY', { maxAttempts: SHOPIFY_MAX_THROTTLE_RETRIES + 1 }),
};

/**
 * Partner clients per tenant, built from the tenant's current connection and reused until its configuration version
 * changes (so rate-limit state survives between records, and a changed credential takes effect at once). Fusion and
 * ShipBob OAuth tokens come from the shared TokenManager: cached in Postgres for every replica, refreshed under a
 * lock, ShipBob's rotating refresh token persisted before use.
 */
export class PartnerClients {
  private readonly caches: { [P in Partner]: Map<string, Cached<ClientOf[P]>> } = { fusion: new Map(), shipbob: new Map(), shopify: new Map() };

  constructor(
    private readonly directory: TenantDirectory,
    private readonly tokens?: TokenManager,
  ) {}

  fusion(tenantId: string): Promise<FusionClient> {
    return this.client(tenantId, 'fusion');
  }

  shipbob(tenantId: string): Promise<ShipbobClient> {
    return this.client(tenantId, 'shipbob');
  }

  shopify(tenantId: string): Promise<ShopifyClient> {
    return this.client(tenantId, 'shopify');
  }

  private async client<P extends Partner>(tenantId: string, partner: P): Promise<ClientOf[P]> {
    const snapshot = await this.directory.get(tenantId);
    const cache = this.caches[partner] as Map<string, Cached<ClientOf[P]>>;
    const hit = cache.get(tenantId);
    if (hit && hit.version === snapshot.configVersion) return hit.client;
    const connection = snapshot.connections[partner];
    if (!connection) throw new MissingConnectionError(tenantId, partner);
    const client = BUILD[partner](connection, { tenantId, tokens: this.tokens, policy: POLICY[partner]() });
    cache.set(tenantId, { version: snapshot.configVersion, client });
    return client;
  }
}
