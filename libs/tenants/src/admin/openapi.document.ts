import { MAPPING_KINDS, PARTNERS, PO_ACTIONS } from '../tenants.types';

const err = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': { description: 'Validation failed; `problems` names each field (and CSV line)', content: { 'application/json': { schema: err } } },
  '401': { description: 'No or unknown operator API key', content: { 'application/json': { schema: err } } },
  '403': { description: 'The key is scoped to another tenant', content: { 'application/json': { schema: err } } },
  '404': { description: 'Tenant, connection or mapping not found', content: { 'application/json': { schema: err } } },
};
const tenantId = { name: 'tenantId', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } };
const partner = { name: 'partner', in: 'path', required: true, schema: { type: 'string', enum: [...PARTNERS] } };
const kind = { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: [...MAPPING_KINDS] } };
const key = { name: 'key', in: 'path', required: true, schema: { type: 'string' }, description: 'URL-encoded mapping key' };
const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const obj = { type: 'object', additionalProperties: true };
/** Properties of one plain type, by name: `typed('string', 'id name')`. */
const typed = (type: 'string' | 'integer' | 'boolean', names: string) => Object.fromEntries(names.split(' ').map((n) => [n, { type }]));

/** Hand-written OpenAPI 3.1 description of the tenants admin API, served at GET /admin/openapi.json. */
export const TENANTS_ADMIN_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'ml-connector tenants admin API',
    version: '1.0.0',
    description: 'Tenants, partner connections (secrets are write-only), mappings, history, pings.',
  },
  security: [{ apiKey: [] }, { bearer: [] }],
  paths: {
    '/admin/tenants': {
      get: { summary: 'List the tenants this key may see', responses: { '200': json('TenantList'), '401': errors['401'] } },
      post: {
        summary: 'Create a tenant',
        requestBody: { required: true, ...json('TenantInput') },
        responses: { '201': json('TenantDetails'), ...errors, '409': { description: 'Tenant exists' } },
      },
    },
    '/admin/tenants/{tenantId}': {
      parameters: [tenantId],
      get: { summary: 'Tenant with settings, connection summaries (masked) and mapping counts', responses: { '200': json('TenantDetails'), ...errors } },
      patch: {
        summary: 'Rename, switch mode, patch settings',
        requestBody: { required: true, ...json('TenantPatch') },
        responses: { '200': json('TenantDetails'), ...errors, '409': { description: 'expectedVersion mismatch' } },
      },
      delete: { summary: 'Delete a tenant (all-tenants key only)', responses: { '204': { description: 'Deleted' }, ...errors } },
    },
    '/admin/encryption': {
      get: {
        summary: 'Key ids the stored credentials and tokens are sealed under, with counts and whether each key is configured (all-tenants key only)',
        responses: {
          '200': { description: '{ activeKeyId, keys: [{ keyId, configured, active, connections, tokens }] }' },
          '401': errors['401'],
          '403': errors['403'],
        },
      },
    },
    '/admin/encryption/reencrypt': {
      post: {
        summary:
          'Key rotation: re-seal every stored credential and token under the active (first) key of MLC_ENCRYPTION_KEYS; values under a key that is not configured are left and listed in `unreadable` (all-tenants key only)',
        responses: { '200': { description: '{ activeKeyId, connections, tokens, unreadable[], usage }' }, '401': errors['401'], '403': errors['403'] },
      },
    },
    '/admin/tenants/{tenantId}/history': {
      parameters: [tenantId, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } }],
      get: { summary: 'Configuration history, newest first (secrets masked)', responses: { '200': { description: '{ entries: Change[] }' }, ...errors } },
    },
    '/admin/tenants/{tenantId}/connections': {
      parameters: [tenantId],
      get: {
        summary: 'Connection summaries; secrets are never returned',
        responses: { '200': { description: '{ connections: ConnectionSummary[] }' }, ...errors },
      },
    },
    '/admin/tenants/{tenantId}/connections/{partner}': {
      parameters: [tenantId, partner],
      put: {
        summary: 'Create or replace a connection; omitted secrets are kept when the auth type is unchanged',
        requestBody: { required: true, ...json('ConnectionInput') },
        responses: { '200': json('ConnectionSummary'), ...errors },
      },
      patch: {
        summary:
          "Partial update: the body (JSON merge patch) is merged onto the stored connection, secrets kept unless given, null removes a field (e.g. soapAuth); a changed auth.type needs that type's fields and secrets; the result is validated whole. Without a stored connection the body must be complete",
        requestBody: { required: true, ...json('ConnectionInput') },
        responses: { '200': json('ConnectionSummary'), ...errors },
      },
      delete: { summary: 'Remove a connection', responses: { '204': { description: 'Deleted' }, ...errors } },
    },
    '/admin/tenants/{tenantId}/connections/{partner}/ping': {
      parameters: [tenantId, partner],
      post: { summary: 'Check reachability and authentication', responses: { '200': json('PingResult'), ...errors } },
    },
    '/admin/tenants/{tenantId}/mappings/{kind}': {
      parameters: [tenantId, kind],
      get: { summary: 'List a mapping table', responses: { '200': { description: '{ kind, entries: [{ kind, key, value }] }' }, ...errors } },
    },
    '/admin/tenants/{tenantId}/mappings/{kind}/{key}': {
      parameters: [tenantId, kind, key],
      put: {
        summary: 'Set one mapping (body = value, or { value })',
        requestBody: { required: true, content: { 'application/json': { schema: obj } } },
        responses: { '200': { description: 'The stored entry' }, ...errors },
      },
      delete: { summary: 'Remove one mapping', responses: { '204': { description: 'Deleted' }, ...errors } },
    },
    '/admin/tenants/{tenantId}/mappings/{kind}/import': {
      parameters: [tenantId, kind, { name: 'replace', in: 'query', schema: { type: 'boolean' }, description: 'Delete keys absent from the file' }],
      post: {
        summary: 'Import a CSV file, all or nothing (a bad row is reported by line number and nothing is applied)',
        requestBody: {
          required: true,
          content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object', properties: { csv: { type: 'string' } } } } },
        },
        responses: { '200': { description: '{ kind, rows, replaced, configVersion }' }, ...errors },
      },
    },
    '/admin/tenants/{tenantId}/mappings/{kind}/export': {
      parameters: [tenantId, kind],
      get: {
        summary: 'Export a mapping table as CSV',
        responses: { '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errors },
      },
    },
  },
  components: {
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }, bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              problems: {
                type: 'array',
                items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' }, line: { type: 'integer' } } },
              },
            },
          },
        },
      },
      TenantInput: {
        type: 'object',
        required: ['id', 'name'],
        properties: { id: { type: 'string' }, name: { type: 'string' }, mode: { enum: ['live', 'demo'] }, settings: { $ref: '#/components/schemas/Settings' } },
      },
      TenantPatch: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          mode: { enum: ['live', 'demo'] },
          settings: { $ref: '#/components/schemas/Settings' },
          expectedVersion: { type: 'integer' },
        },
      },
      TenantList: { type: 'object', properties: { tenants: { type: 'array', items: { $ref: '#/components/schemas/TenantSummary' } } } },
      TenantSummary: {
        type: 'object',
        properties: { ...typed('string', 'id name mode'), configVersion: { type: 'integer' }, ...typed('string', 'createdAt updatedAt') },
      },
      TenantDetails: {
        allOf: [
          { $ref: '#/components/schemas/TenantSummary' },
          {
            type: 'object',
            properties: {
              settings: { $ref: '#/components/schemas/Settings' },
              connections: { type: 'array', items: { $ref: '#/components/schemas/ConnectionSummary' } },
              mappingCounts: obj,
            },
          },
        ],
      },
      Settings: {
        type: 'object',
        properties: {
          accounting: {
            type: ['object', 'null'],
            description: 'a partial object merges onto the stored one; all six are needed when none are stored',
            properties: typed('string', 'revenueAccountCombination businessUnit transactionSource transactionType paymentTerms guestCustomerAccountNumber'),
          },
          customerMatching: { enum: ['email-then-external-id', 'external-id-then-email'] },
          orderGrouping: { enum: ['per-po-line', 'per-po-and-fulfillment-center'] },
          receivablePoStatuses: {
            type: 'array',
            items: { type: 'string' },
            minItems: 1,
            maxItems: 20,
            description: 'Fusion PO statuses whose lines become ShipBob orders (default ["Open"])',
          },
          shipmentProblemsAsPoNote: {
            type: 'boolean',
            description: 'also write ShipBob shipment problems (exception, on hold, cancelled) onto the Fusion PO as NoteToReceiver (default false)',
          },
          shopifyWriteBack: {
            type: 'boolean',
            description: 'Write the Fusion invoice number onto the Shopify order as the metafield ml_connector.fusion_invoice_number (default false)',
          },
          initialLookbackDays: {
            type: 'integer',
            minimum: 0,
            maximum: 3650,
            description: 'days back oracle-poller starts a feed that has no cursor yet (default 30)',
          },
          dryRun: {
            type: 'object',
            properties: { purchaseOrders: { type: 'boolean' }, receivables: { type: 'boolean' } },
            description: 'per flow: record would-be partner writes instead of sending them (default false = live); partial: only the given flows change',
          },
          pollingIntervalsMs: {
            type: 'object',
            properties: typed('integer', 'purchaseOrdersMs receiptsMs shipbobOrdersMs shopifyOrdersMs'),
          },
        },
      },
      ConnectionInput: {
        type: 'object',
        description:
          'fusion: auth {type: oauth2-client-credentials, tokenUrl, clientId, clientSecret, scope} | {type: basic, username, password}; optional soapAuth {type: basic, username, password} used by the SOAP services instead of auth. shipbob: channelId, webhookSecrets[whsec_…], auth {type: pat, token} | {type: oauth2, tokenUrl, clientId, clientSecret, refreshToken}. shopify: shopDomain, apiVersion, webhookSecrets (max 2), auth {type: access-token, accessToken} | {type: client-credentials, clientId, clientSecret}.',
        required: ['baseUrl', 'auth'],
        properties: {
          baseUrl: { type: 'string', format: 'uri' },
          auth: obj,
          soapAuth: { type: ['object', 'null'] },
          ...typed('string', 'channelId shopDomain apiVersion'),
          webhookSecrets: { type: 'array', items: { type: 'string' } },
          expectedVersion: { type: 'integer' },
        },
      },
      ConnectionSummary: {
        type: 'object',
        properties: {
          partner: { enum: [...PARTNERS] },
          baseUrl: { type: 'string' },
          authType: { type: 'string' },
          settings: obj,
          secretsSet: { type: 'array', items: { type: 'string' } },
          secretsUnreadable: { type: 'string', description: 'set when the stored secrets cannot be decrypted with the configured keys' },
          updatedAt: { type: 'string' },
        },
      },
      PingResult: {
        type: 'object',
        properties: {
          ...typed('boolean', 'reachable authenticated'),
          failedCheck: { type: ['string', 'null'] },
          message: { type: 'string' },
        },
      },
      EventRule: { type: 'object', properties: { action: { enum: [...PO_ACTIONS] }, note: { type: 'string' } } },
    },
  },
} as const;
