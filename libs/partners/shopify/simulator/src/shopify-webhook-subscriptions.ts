/**
 * The Admin GraphQL webhook-subscription operations the sandbox answers (the client's WEBHOOK_SUBSCRIPTIONS_QUERY,
 * WEBHOOK_SUBSCRIPTION_CREATE_MUTATION and WEBHOOK_SUBSCRIPTION_DELETE_MUTATION in shopify.queries.ts), checked as
 * the published schema checks them:
 *
 * | operation                 | accepted                                                                   | source |
 * |---------------------------|----------------------------------------------------------------------------|--------|
 * | WebhookSubscriptions      | webhookSubscriptions(first, after); answers app (API) subscriptions only   | https://shopify.dev/docs/api/admin-graphql/latest/queries/webhookSubscriptions ("returns only shop-scoped subscriptions" created through the API) |
 * | WebhookSubscriptionCreate | topic: WebhookSubscriptionTopic! (the sandbox's topics, enum spelling); webhookSubscription: WebhookSubscriptionInput! fields below | https://shopify.dev/docs/api/admin-graphql/latest/mutations/webhookSubscriptionCreate, https://shopify.dev/docs/api/admin-graphql/2025-10/input-objects/WebhookSubscriptionInput |
 * | WebhookSubscriptionDelete | id: ID! → deletedWebhookSubscriptionId, userErrors                          | https://shopify.dev/docs/api/admin-graphql/2026-07/mutations/webhookSubscriptionDelete |
 *
 * A variable outside the schema (unknown input field, unknown topic, wrong type, missing non-null) is a top-level
 * INVALID_VARIABLE error and nothing is created; business refusals (address not HTTPS, same topic and address
 * twice, unknown id) are userErrors. App subscriptions are signed with the app's client secret (shopify.md §1.3).
 */
import type { VariableError } from './shopify-graphql';

/**
 * WebhookSubscriptionInput's fields in 2025-10 and later: `uri` replaced the deprecated `callbackUrl` (both still
 * accepted), `name` settable from 2026-04 (shopify.md §1.6, [CL-URI], [CL-NAME]).
 */
export const WEBHOOK_SUBSCRIPTION_INPUT_FIELDS: readonly string[] = [
  'callbackUrl',
  'filter',
  'format',
  'includeFields',
  'metafieldNamespaces',
  'metafields',
  'name',
  'uri',
];
/** WebhookSubscriptionFormat (https://shopify.dev/docs/api/admin-graphql/latest/enums/WebhookSubscriptionFormat). */
export const WEBHOOK_SUBSCRIPTION_FORMATS: readonly string[] = ['JSON', 'XML'];

/** `orders/create` → `ORDERS_CREATE` (the GraphQL enum spelling of a topic, shopify.md §1.6). */
export const topicEnum = (topic: string): string => topic.replace('/', '_').toUpperCase();

export interface WebhookSubscriptionInputRow {
  topic: string;
  uri: string;
  format: string;
  name?: string;
  filter?: string;
  includeFields?: string[];
}

const invalid = (name: string, type: string, problems: Array<{ path: Array<string | number>; explanation: string }>): { error: VariableError } => ({
  error: {
    message: `Variable $${name} of type ${type} was provided invalid value${problems.length ? ` for ${problems.map((p) => `${p.path.join('.') || name} (${p.explanation})`).join(', ')}` : ''}`,
    extensions: { code: 'INVALID_VARIABLE', problems },
  },
});

/** Schema check of `$topic` and `$webhookSubscription` against the topics the sandbox knows (slash spelling). */
export function parseWebhookSubscriptionCreate(
  vars: Record<string, unknown>,
  topics: readonly string[],
): { error: VariableError } | { row: WebhookSubscriptionInputRow } {
  const byEnum = new Map(topics.map((t) => [topicEnum(t), t]));
  const topic = vars['topic'];
  if (typeof topic !== 'string' || !byEnum.has(topic)) {
    return invalid('topic', 'WebhookSubscriptionTopic!', [
      { path: [], explanation: `Expected "${String(topic)}" to be one of: ${[...byEnum.keys()].join(', ')}` },
    ]);
  }
  const input = vars['webhookSubscription'];
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return invalid('webhookSubscription', 'WebhookSubscriptionInput!', [{ path: [], explanation: 'Expected value to not be null' }]);
  const r = input as Record<string, unknown>;
  const problems: Array<{ path: Array<string | number>; explanation: string }> = [];
  for (const k of Object.keys(r))
    if (!WEBHOOK_SUBSCRIPTION_INPUT_FIELDS.includes(k)) problems.push({ path: [k], explanation: 'Field is not defined on WebhookSubscriptionInput' });
  for (const k of ['uri', 'callbackUrl', 'filter', 'name'])
    if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'string') problems.push({ path: [k], explanation: 'Could not coerce value to String' });
  if (r['format'] !== undefined && r['format'] !== null && !WEBHOOK_SUBSCRIPTION_FORMATS.includes(String(r['format'])))
    problems.push({ path: ['format'], explanation: `Expected "${String(r['format'])}" to be one of: ${WEBHOOK_SUBSCRIPTION_FORMATS.join(', ')}` });
  for (const k of ['includeFields', 'metafieldNamespaces']) {
    if (r[k] !== undefined && r[k] !== null && (!Array.isArray(r[k]) || (r[k] as unknown[]).some((x) => typeof x !== 'string')))
      problems.push({ path: [k], explanation: 'Could not coerce value to [String!]' });
  }
  if (problems.length) return invalid('webhookSubscription', 'WebhookSubscriptionInput!', problems);
  return {
    row: {
      topic: byEnum.get(topic)!,
      uri: String(r['uri'] ?? r['callbackUrl'] ?? ''),
      format: String(r['format'] ?? 'JSON'),
      ...(typeof r['name'] === 'string' ? { name: r['name'] } : {}),
      ...(typeof r['filter'] === 'string' ? { filter: r['filter'] } : {}),
      ...(Array.isArray(r['includeFields']) ? { includeFields: r['includeFields'] as string[] } : {}),
    },
  };
}

export interface WebhookSubscriptionUserError {
  field: string[] | null;
  message: string;
}

/**
 * The business checks: an HTTPS address (plain http only to this machine, so local gateways can be reached), JSON
 * format (the sandbox writes no XML), a name of 1-50 `[A-Za-z0-9_-]`, and no second subscription for the same topic
 * and address ("Address for this topic has already been taken").
 */
export function checkWebhookSubscriptionCreate(
  row: WebhookSubscriptionInputRow,
  taken: (topic: string, uri: string) => boolean,
): WebhookSubscriptionUserError[] {
  const errors: WebhookSubscriptionUserError[] = [];
  let url: URL | undefined;
  try {
    url = new URL(row.uri);
  } catch {
    errors.push({ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' });
  }
  const local = url && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
  if (url && url.protocol !== 'https:' && !(local && url.protocol === 'http:'))
    errors.push({ field: ['webhookSubscription', 'uri'], message: 'Address protocol is not supported: use https' });
  if (row.format !== 'JSON') errors.push({ field: ['webhookSubscription', 'format'], message: 'The sandbox sends JSON only' });
  if (row.name !== undefined && !/^[A-Za-z0-9_-]{1,50}$/.test(row.name))
    errors.push({ field: ['webhookSubscription', 'name'], message: 'Name must be 1-50 characters of A-Z a-z 0-9 _ -' });
  if (!errors.length && taken(row.topic, row.uri))
    errors.push({ field: ['webhookSubscription', 'uri'], message: 'Address for this topic has already been taken' });
  return errors;
}
