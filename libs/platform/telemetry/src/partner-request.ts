import { createContextKey, context, type Context } from '@opentelemetry/api';

/** A partner API call recognised from its URL: who, a stable operation name (no ids), and whether it gets a token. */
export interface PartnerRequest {
  partner: 'fusion' | 'shipbob' | 'shopify';
  operation: string;
  tokenRequest: boolean;
}

/**
 * Recognises Fusion, ShipBob and Shopify API calls by their paths (which the sandboxes share with the real APIs),
 * so the fetch instrumentation records partner latency, status and token refreshes for every partner client without
 * their cooperation. Operations are `<METHOD> <resource>`: `GET purchaseOrders`, `POST order`, `POST graphql`.
 */
export function classifyPartnerRequest(method: string, url: URL): PartnerRequest | undefined {
  const path = url.pathname;
  const host = url.hostname;
  const m = method.toUpperCase();
  let r: RegExpExecArray | null;
  if (/\/admin\/oauth\/access_token$/.test(path)) return { partner: 'shopify', operation: 'token', tokenRequest: true };
  if ((r = /^\/admin\/api\/[^/]+\/([a-z_]+)(?:\.json)?/.exec(path))) return { partner: 'shopify', operation: `${m} ${r[1]}`, tokenRequest: false };
  if ((r = /^\/(?:fscm|crm|hcm)RestApi\/resources\/[^/]+\/([A-Za-z]+)/.exec(path)))
    return { partner: 'fusion', operation: `${m} ${r[1]}`, tokenRequest: false };
  if (/\/oauth2\/v1\/token$/.test(path) && (host === '127.0.0.1' || host === 'localhost' || /oraclecloud\.com$/.test(host)))
    return { partner: 'fusion', operation: 'token', tokenRequest: true };
  if (/\/connect\/token$/.test(path)) return { partner: 'shipbob', operation: 'token', tokenRequest: true };
  if ((r = /^\/(?:\d{4}-\d{2}|1\.0|2\.0|2025-07|experimental)\/([a-z-]+)/i.exec(path)))
    return { partner: 'shipbob', operation: `${m} ${r[1]!.toLowerCase()}`, tokenRequest: false };
  return undefined;
}

const TENANT = createContextKey('mlc.tenant_id');

/** Runs `fn` with the tenant in the active context (the consumer does it per record): partner metrics get the label. */
export function withTenant<T>(tenantId: string, fn: () => T): T {
  return context.with(context.active().setValue(TENANT, tenantId), fn);
}

/** The tenant of the record being handled, if any. */
export function currentTenant(ctx: Context = context.active()): string | undefined {
  const v = ctx.getValue(TENANT);
  return typeof v === 'string' ? v : undefined;
}
