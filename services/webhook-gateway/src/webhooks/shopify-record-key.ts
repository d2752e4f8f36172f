import { checkJsonStructure } from './json-structure';

export type ShopifyRecordKind = 'order' | 'customer';

/**
 * The key the sweep and webhooks share for one version of one Shopify record: `<shop>|<kind>|<id>|<updated_at ms>`.
 * Timestamps are compared as instants (webhooks carry shop-local offsets, GraphQL UTC).
 */
export function shopifyRecordKey(shopDomain: string, kind: ShopifyRecordKind, id: string, updatedAt: string): string | null {
  const ms = Date.parse(updatedAt);
  if (!/^\d+$/.test(id) || Number.isNaN(ms)) return null;
  return `${shopDomain.toLowerCase()}|${kind}|${id}|${ms}`;
}

/** Which record a webhook topic carries a full version of (orders/*, customers/create|update|enable|disable). */
export function recordKindOfTopic(topic: string): ShopifyRecordKind | undefined {
  if (topic.startsWith('orders/') && topic !== 'orders/delete') return 'order';
  if (['customers/create', 'customers/update', 'customers/enable', 'customers/disable'].includes(topic)) return 'customer';
  return undefined;
}

/**
 * The record key of a verified Shopify webhook body; null when the topic carries no record version. The top-level
 * `id` is read as its source digits (never through a JS number), `updated_at` as the string it is.
 */
export function recordKeyOfWebhook(shopDomain: string, topic: string, body: string): string | null {
  const kind = recordKindOfTopic(topic);
  if (!kind) return null;
  const members = new Map<string, string>();
  if (checkJsonStructure(body, { topLevelObject: true, members })) return null;
  const id = members.get('id');
  const updatedAt = members.get('updated_at');
  if (!id || !updatedAt?.startsWith('"')) return null;
  return shopifyRecordKey(shopDomain, kind, id, JSON.parse(updatedAt) as string);
}
