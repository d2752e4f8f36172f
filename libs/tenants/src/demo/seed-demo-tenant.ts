import type { TenantConfigService } from '../tenant-config.service';
import type { TenantDetails } from '../tenants.types';

export interface DemoUrls {
  fusion: string;
  shipbob: string;
  shopify: string;
}

export const DEMO_TENANT_ID = 'demo';
export const DEFAULT_DEMO_URLS: DemoUrls = { fusion: 'http://127.0.0.1:4010', shipbob: 'http://127.0.0.1:4020', shopify: 'http://127.0.0.1:4030' };

/**
 * The credentials the standalone sandboxes accept (libs/partners/<partner>/simulator: main.ts and the sandbox
 * defaults). Not secrets: the demo tenant only ever talks to the local sandboxes.
 * - Fusion: the sandbox's OAuth client (DEFAULTS in fusion.sandbox.ts), token endpoint /oauth2/v1/token, for REST;
 *   its Basic user for the SOAP services (`soapAuth`).
 * - ShipBob: the demo PAT and channel of DEMO_SEED (shipbob-demo.fixtures.ts); the webhook secret is ours: the demo
 *   seeding registers the webhook subscription with it, so the sandbox signs with it.
 * - Shopify: the sandbox app's client credentials (client credentials grant); the client secret also signs app
 *   webhooks, so it is the webhook secret too.
 */
export const DEMO_CREDENTIALS = {
  fusion: { clientId: 'MLC_INTEGRATION', clientSecret: 'sandbox-secret', scope: 'urn:opc:resource:fa:instanceid=1234567urn:opc:resource:consumer::all' },
  /** The sandbox's Basic user: the SOAP services take a user and password (fusion-soap.ts `soapBearerAuth`), REST uses OAuth. */
  fusionSoap: { username: 'mlc.integration', password: 'sandbox-password' },
  shipbob: { pat: 'sbpat_demo_mlconnector_0000000000000000000000', channelId: '1000', webhookSecret: 'whsec_ZGVtby1zaGlwYm9iLXdlYmhvb2sta2V5' },
  shopify: {
    shopDomain: 'mlc-demo.myshopify.com',
    apiVersion: '2026-10',
    clientId: 'sim-client-id',
    clientSecret: 'sim-client-secret',
    webhookSecret: 'sim-client-secret',
  },
} as const;

/** The webhook topics the demo subscribes the sandboxes to (what the mapper reads). */
/** Receivables settings the Fusion sandbox's seeded data answers to (business unit, source, type, GL account, guest account). */
export const DEMO_ACCOUNTING = {
  revenueAccountCombination: '101-10-4000-000',
  businessUnit: 'US1 Business Unit',
  transactionSource: 'SHOPIFY',
  transactionType: 'Invoice',
  paymentTerms: 'IMMEDIATE',
  guestCustomerAccountNumber: 'GUEST-0001',
};

export const DEMO_WEBHOOK_TOPICS = {
  shipbob: [
    'order.shipped',
    'order.shipment.delivered',
    'order.shipment.exception',
    'order.shipment.on_hold',
    'order.shipment.cancelled',
    'billing.charge.created',
  ],
  shopify: ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled', 'refunds/create', 'customers/create', 'customers/update'],
} as const;

/** The webhook-gateway's per-tenant URL for a partner, e.g. http://127.0.0.1:3006/webhooks/shipbob/demo. */
export function demoWebhookUrl(gatewayUrl: string, partner: 'shipbob' | 'shopify', tenantId = DEMO_TENANT_ID): string {
  return `${gatewayUrl.replace(/\/+$/, '')}/webhooks/${partner}/${tenantId}`;
}

export interface DemoSeedOptions {
  urls?: Partial<DemoUrls>;
  actor?: string;
  /** Every polling interval of the demo tenant. Default 30 s, so the demo moves while one watches. */
  pollingIntervalMs?: number;
}

/**
 * The demo data of the sandboxes, mapped: the Fusion sandbox's seeded PO items (SKU-*) to the ShipBob sandbox's
 * products (ML-*; ML-3001 is added to the ShipBob sandbox by tools/seed-demo), its ship-to locations and suppliers to
 * the ShipBob fulfillment centers 10 (Cicero IL) and 11 (Moreno Valley CA).
 */
const DEMO_MAPPINGS = {
  'item-product': 'fusionItem,shipbobSku,shipbobProductId\nSKU-TSHIRT-M,ML-1001,\nSKU-HOODIE-L,ML-1002,\nSKU-CAP,ML-2001,\nSKU-MUG,ML-3001,\n',
  'ship-to-fc': 'shipToLocation,fulfillmentCenterId\nSHIPBOB-RENO,11\nSHIPBOB-DALLAS,10\n',
  'supplier-fc': 'supplier,fulfillmentCenterId\nAcme Components,10\nGlobex Textiles,11\nInitech Packaging,10\n',
  'shipbob-event-rule':
    'event,action,note\norder.shipped,mark-shipped,\norder.shipment.delivered,mark-delivered,\norder.shipment.exception,mark-exception,\norder.shipment.on_hold,mark-on-hold,\norder.shipment.cancelled,mark-cancelled,\n',
} as const;

/**
 * Creates (or brings up to date) tenant `demo` against the local sandboxes (Fusion 4010, ShipBob 4020, Shopify 4030
 * by default) with credentials they accept and mappings for their demo data. Idempotent: a second run changes
 * nothing (no new config version); mapping tables are replaced, so an older demo's rows disappear.
 */
export async function seedDemoTenant(service: TenantConfigService, opts: DemoSeedOptions = {}): Promise<TenantDetails> {
  const u = { ...DEFAULT_DEMO_URLS, ...opts.urls };
  const actor = opts.actor ?? 'seed-demo';
  const every = opts.pollingIntervalMs ?? 30_000;
  const existing = (await service.listTenants()).find((t) => t.id === DEMO_TENANT_ID);
  if (!existing) await service.createTenant({ id: DEMO_TENANT_ID, name: 'Demo tenant (sandboxes)', mode: 'demo' }, actor);
  await service.updateTenant(
    DEMO_TENANT_ID,
    {
      mode: 'demo',
      settings: {
        accounting: DEMO_ACCOUNTING,
        customerMatching: 'email-then-external-id',
        orderGrouping: 'per-po-line',
        pollingIntervalsMs: { purchaseOrdersMs: every, receiptsMs: every, shipbobOrdersMs: every, shopifyOrdersMs: every },
      },
    },
    actor,
  );
  const c = DEMO_CREDENTIALS;
  await service.setConnection(
    DEMO_TENANT_ID,
    {
      partner: 'fusion',
      baseUrl: u.fusion,
      auth: { type: 'oauth2-client-credentials', tokenUrl: `${u.fusion}/oauth2/v1/token`, ...c.fusion },
      soapAuth: { type: 'basic', ...c.fusionSoap },
    },
    actor,
  );
  await service.setConnection(
    DEMO_TENANT_ID,
    {
      partner: 'shipbob',
      baseUrl: u.shipbob,
      channelId: c.shipbob.channelId,
      webhookSecrets: [c.shipbob.webhookSecret],
      auth: { type: 'pat', token: c.shipbob.pat },
    },
    actor,
  );
  await service.setConnection(
    DEMO_TENANT_ID,
    {
      partner: 'shopify',
      baseUrl: u.shopify,
      shopDomain: c.shopify.shopDomain,
      apiVersion: c.shopify.apiVersion,
      webhookSecrets: [c.shopify.webhookSecret],
      auth: { type: 'client-credentials', clientId: c.shopify.clientId, clientSecret: c.shopify.clientSecret },
    },
    actor,
  );
  for (const [kind, csv] of Object.entries(DEMO_MAPPINGS) as Array<[keyof typeof DEMO_MAPPINGS, string]>) {
    await service.importMappingsCsv(DEMO_TENANT_ID, kind, csv, actor, { replace: true });
  }
  return service.getTenant(DEMO_TENANT_ID);
}
