import { FusionClient, findSetupValues, probeFusionRead } from '@mlc/partners-fusion-client';
import type { FusionConnection, ItemProductValue, ShipbobConnection, ShopifyConnection, TokenManager } from '@mlc/tenants';
import { fusionClientConfig, newShipbobClient, newShopifyClient } from './partner.clients';

type Row = Record<string, unknown>;

/** Read-only Fusion look-ups for checks such as `mlc doctor`; errors are the Fusion client's (FUSION.AUTH, FORBIDDEN…). */
export interface FusionLookups {
  /** One cheap read of a resource under the fscm or crm root. */
  probeRead(resource: string, root: 'fscm' | 'crm'): Promise<void>;
  /** Rows of a list of values (or other collection) whose attributes equal `criteria` (see findSetupValues). */
  find(resource: string, criteria: Record<string, string>): Promise<Row[]>;
  /** Up to `limit` values of one attribute of a collection, to show what exists; [] when it cannot be read. */
  values(resource: string, attr: string, limit?: number): Promise<string[]>;
}

export function fusionLookups(c: FusionConnection, timeoutMs: number): FusionLookups {
  const client = new FusionClient({ ...fusionClientConfig(c), timeoutMs });
  return {
    probeRead: (resource, root) => probeFusionRead(client, resource, root),
    find: (resource, criteria) => findSetupValues(client, resource, criteria),
    values: async (resource, attr, limit = 50) => {
      try {
        const page = await client.getJson<{ items?: Row[] }>(`/fscmRestApi/resources/11.13.18.05/${resource}`, { onlyData: true, limit });
        return (page.items ?? []).map((r) => String(r[attr] ?? '')).filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

/** Read-only ShipBob look-ups (the connection's own channel header and tokens). */
export interface ShipbobLookups {
  channels(): Promise<Array<{ id: number; name: string; scopes: string[] }>>;
  fulfillmentCenters(): Promise<Array<{ id: number; name: string }>>;
  /** Whether ShipBob has the product an item-product mapping names (by SKU, else by product or variant id). */
  productExists(v: ItemProductValue): Promise<boolean>;
}

export function shipbobLookups(tenantId: string, c: ShipbobConnection, tokens: TokenManager | undefined, timeoutMs: number): ShipbobLookups {
  const client = newShipbobClient(c, { tenantId, tokens, timeoutMs });
  return {
    channels: async () => (await client.listChannels()).map((x) => ({ id: x.id, name: x.name, scopes: x.scopes })),
    fulfillmentCenters: async () => (await client.listFulfillmentCenters()).map((x) => ({ id: x.id, name: x.name })),
    productExists: async (v) => {
      if (v.shipbobSku) return (await client.listProducts({ sku: v.shipbobSku })).items.some((p) => p.variants.some((x) => x.sku === v.shipbobSku));
      if (v.shipbobProductId === undefined) return false;
      const id = v.shipbobProductId;
      return (await client.listProducts({ search: String(id) })).items.some((p) => p.id === id || p.variants.some((x) => x.id === id));
    },
  };
}

/** The access scopes granted to the connection's app on its shop. */
export async function shopifyAccessScopes(c: ShopifyConnection, timeoutMs: number): Promise<string[]> {
  return newShopifyClient(c, { timeoutMs }).accessScopes();
}
