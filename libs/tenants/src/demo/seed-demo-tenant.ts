import type { TenantConfigService } from '../tenant-config.service';
import type { TenantDetails } from '../tenants.types';

export interface DemoUrls {
  fusion: string;
  shipbob: string;
  shopify: string;
}

export const DEMO_TENANT_ID = 'demo';
export const DEFAULT_DEMO_URLS: DemoUrls = { fusion: 'http://127.0.0.1:4010', shipbob: 'http://127.0.0.1:4020', shopify: 'http://127.0.0.1:4030' };

/** Demo credentials understood by the simulators; not secrets (the demo tenant only ever talks to sandboxes). */
export const DEMO_CREDENTIALS = {
  fusion: { clientId: 'demo-fusion-client', clientSecret: 'demo-fusion-secret', scope: 'urn:opc:resource:consumer::all' },
  shipbob: { clientId: 'demo-shipbob-client', clientSecret: 'demo-shipbob-secret', refreshToken: 'demo-shipbob-refresh-0', channelId: '100001', webhookSecret: 'whsec_ZGVtby1zaGlwYm9iLXdlYmhvb2sta2V5' },
  shopify: { shopDomain: 'demo-shop.myshopify.com', apiVersion: '2026-07', accessToken: 'shpat_demo_access_token', webhookSecret: 'demo-shopify-webhook-secret' },
} as const;

/**
 * Creates (or brings up to date) tenant `demo` pointing at the local sandboxes (Fusion 4010, ShipBob 4020,
 * Shopify 4030 by default) with demo credentials and a few mappings. Safe to run twice.
 */
export async function seedDemoTenant(service: TenantConfigService, urls: Partial<DemoUrls> = {}, actor = 'seed-demo'): Promise<TenantDetails> {
  const u = { ...DEFAULT_DEMO_URLS, ...urls };
  const existing = (await service.listTenants()).find((t) => t.id === DEMO_TENANT_ID);
  if (!existing) await service.createTenant({ id: DEMO_TENANT_ID, name: 'Demo tenant (sandboxes)', mode: 'demo' }, actor);
  await service.updateTenant(
    DEMO_TENANT_ID,
    {
      mode: 'demo',
      settings: {
        accounting: {
          revenueAccountCombination: '101-10-4000-000',
          businessUnit: 'US1 Business Unit',
          transactionSource: 'SHOPIFY',
          transactionType: 'Invoice',
          paymentTerms: 'IMMEDIATE',
          guestCustomerAccountNumber: 'GUEST-0001',
        },
        customerMatching: 'email-then-external-id',
        orderGrouping: 'per-po-line',
        pollingIntervalsMs: { purchaseOrdersMs: 300_000, receiptsMs: 600_000, shipbobOrdersMs: 600_000, shopifyOrdersMs: 900_000 },
      },
    },
    actor,
  );
  const c = DEMO_CREDENTIALS;
  await service.setConnection(DEMO_TENANT_ID, { partner: 'fusion', baseUrl: u.fusion, auth: { type: 'oauth2-client-credentials', tokenUrl: `${u.fusion}/oauth2/v1/token`, ...c.fusion } }, actor);
  await service.setConnection(
    DEMO_TENANT_ID,
    { partner: 'shipbob', baseUrl: u.shipbob, channelId: c.shipbob.channelId, webhookSecrets: [c.shipbob.webhookSecret], auth: { type: 'oauth2', tokenUrl: `${u.shipbob}/connect/token`, clientId: c.shipbob.clientId, clientSecret: c.shipbob.clientSecret, refreshToken: c.shipbob.refreshToken } },
    actor,
  );
  await service.setConnection(
    DEMO_TENANT_ID,
    { partner: 'shopify', baseUrl: u.shopify, shopDomain: c.shopify.shopDomain, apiVersion: c.shopify.apiVersion, webhookSecrets: [c.shopify.webhookSecret], auth: { type: 'access-token', accessToken: c.shopify.accessToken } },
    actor,
  );
  await service.importMappingsCsv(DEMO_TENANT_ID, 'item-product', 'fusionItem,shipbobSku,shipbobProductId\nAS54888,DEMO-SKU-1,\nAS54999,DEMO-SKU-2,\nCM-100,,1001\n', actor);
  await service.importMappingsCsv(DEMO_TENANT_ID, 'supplier-fc', 'supplier,fulfillmentCenterId\n1252,8\n', actor);
  await service.importMappingsCsv(DEMO_TENANT_ID, 'ship-to-fc', 'shipToLocation,fulfillmentCenterId\nSeattle,8\nChicago,10\n', actor);
  await service.importMappingsCsv(
    DEMO_TENANT_ID,
    'shipbob-event-rule',
    'event,action,note\norder.shipped,mark-shipped,\norder.shipment.delivered,mark-delivered,\norder.shipment.exception,mark-exception,\norder.shipment.on_hold,mark-on-hold,\norder.shipment.cancelled,mark-cancelled,\n',
    actor,
  );
  return service.getTenant(DEMO_TENANT_ID);
}
