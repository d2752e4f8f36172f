import { FusionClient, type FusionClientConfig } from '@mlc/partners-fusion-client';
import { ShipbobClient } from '@mlc/partners-shipbob-client';
import { ShopifyClient } from '@mlc/partners-shopify-client';
import { AppError } from '@mlc/platform-errors';
import type { FusionConnection, ShipbobConnection, ShopifyConnection, TenantSnapshot } from '@mlc/tenants';
import type { TenantDirectory } from './tenant.directory';

export class MissingConnectionError extends AppError {
  constructor(tenantId: string, partner: string) {
    super('TENANT.NO_CONNECTION', `tenant ${tenantId} has no ${partner} connection configured`, { retryable: false, details: { tenantId, partner } });
  }
}

export function fusionClientConfig(c: FusionConnection): FusionClientConfig {
  return {
    baseUrl: c.baseUrl,
    auth:
      c.auth.type === 'basic'
        ? { kind: 'basic', user: c.auth.username, password: c.auth.password }
        : { kind: 'oauth', tokenUrl: c.auth.tokenUrl, clientId: c.auth.clientId, clientSecret: c.auth.clientSecret, scope: c.auth.scope },
  };
}

export function newShipbobClient(c: ShipbobConnection): ShipbobClient {
  return new ShipbobClient({
    baseUrl: c.baseUrl,
    channelId: c.channelId,
    ...(c.auth.type === 'oauth2' ? { authBaseUrl: new URL(c.auth.tokenUrl).origin } : {}),
    auth:
      c.auth.type === 'pat'
        ? { kind: 'pat', token: c.auth.token }
        : { kind: 'oauth', clientId: c.auth.clientId, clientSecret: c.auth.clientSecret, refreshToken: c.auth.refreshToken },
  });
}

export function newShopifyClient(c: ShopifyConnection): ShopifyClient {
  return new ShopifyClient({
    baseUrl: c.baseUrl,
    shopDomain: c.shopDomain,
    apiVersion: c.apiVersion,
    ...(c.auth.type === 'access-token' ? { accessToken: c.auth.accessToken } : { clientId: c.auth.clientId, clientSecret: c.auth.clientSecret }),
  });
}

interface Cached<T> {
  version: number;
  client: T;
}

/**
 * Partner clients per tenant, built from the tenant's current connection and reused until its configuration version
 * changes (so tokens and rate-limit state survive between records, and a changed credential takes effect at once).
 */
export class PartnerClients {
  private readonly fusionClients = new Map<string, Cached<FusionClient>>();
  private readonly shipbobClients = new Map<string, Cached<ShipbobClient>>();
  private readonly shopifyClients = new Map<string, Cached<ShopifyClient>>();

  constructor(private readonly directory: TenantDirectory) {}

  async fusion(tenantId: string): Promise<FusionClient> {
    return this.pick(tenantId, this.fusionClients, 'fusion', (s) => s.connections.fusion && new FusionClient(fusionClientConfig(s.connections.fusion)));
  }

  async shipbob(tenantId: string): Promise<ShipbobClient> {
    return this.pick(tenantId, this.shipbobClients, 'shipbob', (s) => s.connections.shipbob && newShipbobClient(s.connections.shipbob));
  }

  async shopify(tenantId: string): Promise<ShopifyClient> {
    return this.pick(tenantId, this.shopifyClients, 'shopify', (s) => s.connections.shopify && newShopifyClient(s.connections.shopify));
  }

  private async pick<T>(tenantId: string, cache: Map<string, Cached<T>>, partner: string, build: (s: TenantSnapshot) => T | undefined): Promise<T> {
    const snapshot = await this.directory.get(tenantId);
    const hit = cache.get(tenantId);
    if (hit && hit.version === snapshot.configVersion) return hit.client;
    const client = build(snapshot);
    if (!client) throw new MissingConnectionError(tenantId, partner);
    cache.set(tenantId, { version: snapshot.configVersion, client });
    return client;
  }
}
