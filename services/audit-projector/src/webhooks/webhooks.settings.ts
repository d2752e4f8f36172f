import { as, type Setting } from '@mlc/platform-config';

/** Settings of the webhook subscriptions feature of audit-projector (merged into the service's settings). */
export const webhooksSettings = {
  webhookBaseUrl: {
    env: 'MLC_WEBHOOK_BASE_URL',
    doc: 'base URL of webhook-gateway as ShipBob and Shopify reach it (subscriptions point at <base>/webhooks/<partner>/<tenant>); a call may override it with gatewayUrl',
    parse: as.url,
    default: 'http://127.0.0.1:3006',
  } as Setting<string>,
} satisfies Record<string, Setting<unknown>>;
