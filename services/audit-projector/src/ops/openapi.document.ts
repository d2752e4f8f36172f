const err = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const errors = {
  '400': err,
  '401': { ...err, description: 'No or unknown operator API key' },
  '403': { ...err, description: 'The key is scoped to another tenant (or the action needs an all-tenants key)' },
  '404': err,
};
const q = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'query', schema, description });
const p = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } } });
const body = (properties: Record<string, unknown>, required: string[] = []) => ({
  required: required.length > 0,
  content: { 'application/json': { schema: { type: 'object', properties, required } } },
});
const exceptionFilters = ['tenant', 'status', 'category', 'code', 'entityType', 'businessId', 'service', 'sourceTopic', 'from', 'to', 'limit'].map((n) =>
  q(
    n,
    n === 'status'
      ? 'open (default for bulk replay) | resolved | all'
      : n === 'category'
        ? 'missing-mapping | invalid-value | partner-rejected | auth | rate-limit | connection | parse | duplicate | unexpected | fulfilment'
        : '',
  ),
);
/** Pause or resume of a tenant's flow towards a partner: same parameters, body and answer. */
const flowSwitch = (summary: string) => ({
  post: {
    summary,
    parameters: [p('tenantId'), p('partner')],
    requestBody: body({ reason: { type: 'string' } }),
    responses: { '200': ok('FlowState'), ...errors },
  },
});

/** Hand-written OpenAPI 3.1 description of the ops API, served at GET /ops/openapi.json. */
export const OPS_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'ml-connector ops API',
    version: '1.0.0',
    description:
      'Audit trail, exceptions queue and replay from the event log, flow control, offsets, reports. Every action is recorded on ops.operator-action.recorded.v1.',
  },
  security: [{ apiKey: [] }, { bearer: [] }],
  paths: {
    '/ops/audit': {
      get: {
        summary: 'Search the audit trail (newest first, paged by cursor)',
        parameters: ['tenant', 'entityType', 'businessId', 'from', 'to', 'direction', 'result', 'topic', 'correlationId', 'limit', 'cursor'].map((n) =>
          q(n, n === 'direction' ? 'inbound | outbound | internal' : n === 'result' ? 'received | requested | success | failed | recorded' : ''),
        ),
        responses: { '200': ok('{ entries, nextCursor }'), ...errors },
      },
    },
    '/ops/timeline': {
      get: {
        summary: 'Everything that happened to one record across systems, oldest first (follows cross-references and correlation ids)',
        parameters: [
          q('tenant', ''),
          q('entityType', 'e.g. fusion-po, fusion-po-line, shipbob-order, shipbob-shipment, shopify-order'),
          q('businessId', ''),
          q('correlationId', ''),
        ],
        responses: { '200': ok('{ records, links, entries }'), ...errors },
      },
    },
    '/ops/exceptions': {
      get: {
        summary: 'List exceptions (one row per broken record, newest first, at most limit) and total: how many match the filter in all',
        parameters: exceptionFilters,
        responses: { '200': ok('{ exceptions, total }'), ...errors },
      },
    },
    '/ops/exceptions/summary': {
      get: {
        summary: 'Open exceptions counted per code',
        parameters: [q('tenant', 'one tenant (default: every tenant the key sees)')],
        responses: { '200': ok('{ open, byCode: [{ code, count }] }'), ...errors },
      },
    },
    '/ops/exceptions/{id}': {
      get: {
        summary: 'One exception with partner request/response details and the original payload (decoded and base64)',
        parameters: [p('id')],
        responses: { '200': ok('Exception'), ...errors },
      },
    },
    '/ops/exceptions/{id}/replay': {
      post: {
        summary: 'Republish the original bytes to the source topic (same key, same idempotency keys; marked mlc-replay-of)',
        parameters: [p('id')],
        requestBody: body({ comment: { type: 'string' } }),
        responses: { '200': ok('{ id, republishedTo, bytes }'), ...errors },
      },
    },
    '/ops/exceptions/replay': {
      post: {
        summary: 'Replay a selection (ids) or all matching a filter, oldest first (by first seen); returns a job',
        requestBody: body({ ids: { type: 'array', items: { type: 'string' } }, filter: { type: 'object' }, comment: { type: 'string' } }),
        responses: { '202': ok('Job'), ...errors },
      },
    },
    '/ops/exceptions/{id}/resolve': {
      post: {
        summary: 'Mark resolved with a comment',
        parameters: [p('id')],
        requestBody: body({ comment: { type: 'string' } }, ['comment']),
        responses: { '200': ok('Exception'), ...errors },
      },
    },
    '/ops/exceptions/{id}/correct': {
      post: {
        summary: 'Correct fields of the original record and retry it as a new event caused by the original',
        parameters: [p('id')],
        requestBody: body({ changes: { type: 'object' }, comment: { type: 'string' } }, ['changes']),
        responses: { '200': ok('{ id, correctedEventId, topic }'), ...errors },
      },
    },
    '/ops/flows': {
      get: {
        summary: 'Flow states (paused / resumed) per tenant and partner',
        parameters: [q('tenant', '')],
        responses: { '200': ok('{ flows }'), ...errors },
      },
    },
    '/ops/tenants/{tenantId}/flows/{partner}/pause': flowSwitch("Pause a tenant's flow towards a partner (records wait in Kafka)"),
    '/ops/tenants/{tenantId}/flows/{partner}/resume': flowSwitch('Resume it'),
    '/ops/tenants/{tenantId}/receivables/waiting': {
      get: {
        summary: 'Receivables commands waiting for their invoice (fusion-writer): key, kind, order, invoice, since, deadline',
        parameters: [p('tenantId')],
        responses: { '200': ok('{ tenantId, waiting }'), '502': err, ...errors },
      },
    },
    '/ops/tenants/{tenantId}/dry-run': {
      get: {
        summary: 'Would-be partner writes of flows in dry run (settings.dryRun), newest first: flow, partner, operation, business id, method, path, body',
        parameters: [p('tenantId'), q('flow', 'purchase-orders | receivables'), q('limit', '1-1000, default 100')],
        responses: { '200': ok('{ tenantId, flow, writes }'), ...errors },
      },
    },
    '/ops/tenants/{tenantId}/purchase-orders/{poHeaderId}/sync': {
      post: {
        summary: 'Re-read one Fusion PO now and run it through (oracle-poller)',
        parameters: [p('tenantId'), p('poHeaderId')],
        responses: { '200': ok('{ poller }'), '502': err, ...errors },
      },
    },
    '/ops/tenants/{tenantId}/backfill': {
      post: {
        summary:
          "Backfill: oracle-poller re-reads Fusion feeds from `since` (feeds: purchase-orders, customer-accounts, receivables-invoices, credit-memos; default all); the caller's key is passed on",
        parameters: [p('tenantId')],
        requestBody: body(
          { since: { type: 'string', description: 'ISO-8601 date or datetime, not in the future' }, feeds: { type: 'array', items: { type: 'string' } } },
          ['since'],
        ),
        responses: { '202': ok('BackfillProgress'), '502': err, ...errors },
      },
    },
    '/ops/tenants/{tenantId}/backfill/{requestId}': {
      get: {
        summary:
          'Progress of a backfill: status running|done|failed and per feed { feed, done, superseded, recordsRead, emitted, startedAt, finishedAt, durationMs, failures, lastError }',
        parameters: [p('tenantId'), p('requestId')],
        responses: { '200': ok('BackfillProgress'), '502': err, ...errors },
      },
    },
    '/ops/tenants/{tenantId}/feeds': {
      get: {
        summary:
          "oracle-poller's feed cursors (its PostgreSQL feed state; the caller's key is passed on): per feed { feed, cursor, cursorAgeMs, lastSuccessAt, lastSuccessAgeMs, consecutiveFailures, lastError, backfillFrom, running }",
        parameters: [p('tenantId')],
        responses: { '200': ok('{ tenantId, measuredAt, feeds }'), '502': err, ...errors },
      },
    },
    '/ops/replay-range': {
      post: {
        summary: 'Republish a time range of a flow (one tenant or all) from the log with a separate consumer group; returns a job',
        requestBody: body(
          {
            tenantId: { type: 'string' },
            flow: { enum: ['purchase-orders', 'shipbob-orders', 'shipments', 'po-updates', 'shopify', 'receivables'] },
            topics: { type: 'array', items: { type: 'string' } },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            dryRun: { type: 'boolean' },
          },
          ['from', 'to'],
        ),
        responses: { '202': ok('Job'), ...errors },
      },
    },
    '/ops/replay-range/preview': {
      post: {
        summary: 'The dry-run count of a range replay, answered at once: records in [from, to) on the topics, and how many the replay would republish',
        requestBody: body(
          {
            tenantId: { type: 'string' },
            flow: { enum: ['purchase-orders', 'shipbob-orders', 'shipments', 'po-updates', 'shopify', 'receivables'] },
            topics: { type: 'array', items: { type: 'string' } },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
          },
          ['from', 'to'],
        ),
        responses: { '200': ok('{ topics, from, to, tenantId, dryRun: true, inRange, records, otherTenants, replays }'), ...errors },
      },
    },
    '/ops/jobs/{id}': {
      get: {
        summary: 'Progress of a long operation',
        parameters: [p('id')],
        responses: { '200': ok('Job: { id, kind, status, total, done, result, error }'), ...errors },
      },
    },
    '/ops/consumer-groups/{groupId}': {
      get: {
        summary: 'State and members of a consumer group (all-tenants key)',
        parameters: [p('groupId')],
        responses: { '200': ok('{ groupId, state, members }'), ...errors },
      },
    },
    '/ops/consumer-groups/{groupId}/reset-offsets': {
      post: {
        summary:
          'Reset committed offsets to a timestamp or offset; refused (409) while the group is active, unless stopAndRestart: the group is stopped (ops.consumer-control.requested.v1), reset and started again',
        parameters: [p('groupId')],
        requestBody: body({
          toTimestamp: { type: 'string' },
          toOffset: { type: 'string', description: 'earliest | latest | <n>' },
          topics: { type: 'array', items: { type: 'string' } },
          dryRun: { type: 'boolean' },
          stopAndRestart: { type: 'boolean', description: 'stop the running consumers of the group, wait until it is Empty, reset, start them again' },
          stopTimeoutMs: { type: 'integer', description: 'how long to wait for the group to become Empty (default 30000)' },
        }),
        responses: {
          '200': ok('{ groupId, offsets, steps: [{ step, at, detail }] }'),
          '409': { ...err, description: 'The group is active (or did not stop in time: a start was sent back)' },
          ...errors,
        },
      },
    },
    '/ops/reports/reconciliation': {
      get: {
        summary:
          'Per tenant and day: POs seen / ShipBob orders created / shipped / written back; Shopify orders vs Fusion invoices as recorded; receivablesDifferences read live from the partners (Shopify current total over GraphQL vs Fusion invoice + amendment invoices - credit memos, with the documents) and receivablesChecks (tenants compared or why not); charges per PO',
        parameters: [q('tenant', ''), q('from', ''), q('to', '')],
        responses: { '200': ok('Report'), ...errors },
      },
    },
    '/ops/reports/charges': {
      get: {
        summary: 'ShipBob charges per PO',
        parameters: [q('tenant', ''), q('poHeaderId', ''), q('from', ''), q('to', '')],
        responses: { '200': ok('{ charges }'), ...errors },
      },
    },
    '/ops/lag': {
      get: { summary: 'Projection lag and consumer group lag', responses: { '200': ok('{ groups, newestProjectedAt, newestProjectedAgeMs }'), ...errors } },
    },
  },
  components: {
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }, bearer: { type: 'http', scheme: 'bearer' } },
    schemas: { Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } } },
  },
} as const;
