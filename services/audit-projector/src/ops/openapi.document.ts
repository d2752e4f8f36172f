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
/** One operation: summary, the answer's description (`status`, 200 unless given), its fields, the common errors and `more` answers. */
const op = (
  summary: string,
  answer: string,
  fields: { parameters?: unknown[]; requestBody?: unknown } = {},
  status = '200',
  more: Record<string, unknown> = {},
) => ({
  summary,
  ...fields,
  responses: { [status]: ok(answer), ...more, ...errors },
});
/** The answer of an operation that calls another service: its refusal or failure as 502. */
const upstream = { '502': err };
/** Pause or resume of a tenant's flow towards a partner: same parameters, body and answer. */
const flowSwitch = (summary: string) => ({
  post: op(summary, 'FlowState', { parameters: [p('tenantId'), p('partner')], requestBody: body({ reason: { type: 'string' } }) }),
});
/** A range replay's body (the replay itself has `dryRun` too). */
const rangeBody = (more: Record<string, unknown> = {}) =>
  body(
    {
      tenantId: { type: 'string' },
      flow: { enum: ['purchase-orders', 'shipbob-orders', 'shipments', 'po-updates', 'shopify', 'receivables'] },
      topics: { type: 'array', items: { type: 'string' } },
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      ...more,
    },
    ['from', 'to'],
  );

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
      get: op('Search the audit trail (newest first, paged by cursor)', '{ entries, nextCursor }', {
        parameters: ['tenant', 'entityType', 'businessId', 'from', 'to', 'direction', 'result', 'topic', 'correlationId', 'limit', 'cursor'].map((n) =>
          q(n, n === 'direction' ? 'inbound | outbound | internal' : n === 'result' ? 'received | requested | success | failed | recorded' : ''),
        ),
      }),
    },
    '/ops/timeline': {
      get: op(
        'Everything that happened to one record across systems, oldest first (follows cross-references and correlation ids)',
        '{ records, links, entries }',
        {
          parameters: [
            q('tenant', ''),
            q('entityType', 'e.g. fusion-po, fusion-po-line, shipbob-order, shipbob-shipment, shopify-order'),
            q('businessId', ''),
            q('correlationId', ''),
          ],
        },
      ),
    },
    '/ops/exceptions': {
      get: op('List exceptions (one row per broken record, newest first, at most limit) and total: how many match the filter in all', '{ exceptions, total }', {
        parameters: exceptionFilters,
      }),
    },
    '/ops/exceptions/summary': {
      get: op('Open exceptions counted per code', '{ open, byCode: [{ code, count }] }', {
        parameters: [q('tenant', 'one tenant (default: every tenant the key sees)')],
      }),
    },
    '/ops/exceptions/{id}': {
      get: op('One exception with partner request/response details and the original payload (decoded and base64)', 'Exception', { parameters: [p('id')] }),
    },
    '/ops/exceptions/{id}/replay': {
      post: op('Republish the original bytes to the source topic (same key, same idempotency keys; marked mlc-replay-of)', '{ id, republishedTo, bytes }', {
        parameters: [p('id')],
        requestBody: body({ comment: { type: 'string' } }),
      }),
    },
    '/ops/exceptions/replay': {
      post: op(
        'Replay a selection (ids) or all matching a filter, oldest first (by first seen); returns a job',
        'Job',
        { requestBody: body({ ids: { type: 'array', items: { type: 'string' } }, filter: { type: 'object' }, comment: { type: 'string' } }) },
        '202',
      ),
    },
    '/ops/exceptions/{id}/resolve': {
      post: op('Mark resolved with a comment', 'Exception', { parameters: [p('id')], requestBody: body({ comment: { type: 'string' } }, ['comment']) }),
    },
    '/ops/exceptions/{id}/correct': {
      post: op('Correct fields of the original record and retry it as a new event caused by the original', '{ id, correctedEventId, topic }', {
        parameters: [p('id')],
        requestBody: body({ changes: { type: 'object' }, comment: { type: 'string' } }, ['changes']),
      }),
    },
    '/ops/flows': { get: op('Flow states (paused / resumed) per tenant and partner', '{ flows }', { parameters: [q('tenant', '')] }) },
    '/ops/tenants/{tenantId}/flows/{partner}/pause': flowSwitch("Pause a tenant's flow towards a partner (records wait in Kafka)"),
    '/ops/tenants/{tenantId}/flows/{partner}/resume': flowSwitch('Resume it'),
    '/ops/tenants/{tenantId}/receivables/waiting': {
      get: op(
        'Receivables commands waiting for their invoice (fusion-writer): key, kind, order, invoice, since, deadline',
        '{ tenantId, waiting }',
        { parameters: [p('tenantId')] },
        '200',
        upstream,
      ),
    },
    '/ops/tenants/{tenantId}/dry-run': {
      get: op(
        'Would-be partner writes of flows in dry run (settings.dryRun), newest first: flow, partner, operation, business id, method, path, body',
        '{ tenantId, flow, writes }',
        { parameters: [p('tenantId'), q('flow', 'purchase-orders | receivables'), q('limit', '1-1000, default 100')] },
      ),
    },
    '/ops/tenants/{tenantId}/purchase-orders/{poHeaderId}/sync': {
      post: op('Re-read one Fusion PO now and run it through (oracle-poller)', '{ poller }', { parameters: [p('tenantId'), p('poHeaderId')] }, '200', upstream),
    },
    '/ops/tenants/{tenantId}/backfill': {
      post: op(
        "Backfill: oracle-poller re-reads Fusion feeds from `since` (feeds: purchase-orders, customer-accounts, receivables-invoices, credit-memos; default all); the caller's key is passed on",
        'BackfillProgress',
        {
          parameters: [p('tenantId')],
          requestBody: body(
            { since: { type: 'string', description: 'ISO-8601 date or datetime, not in the future' }, feeds: { type: 'array', items: { type: 'string' } } },
            ['since'],
          ),
        },
        '202',
        upstream,
      ),
    },
    '/ops/tenants/{tenantId}/backfill/{requestId}': {
      get: op(
        'Progress of a backfill: status running|done|failed and per feed { feed, done, superseded, recordsRead, emitted, startedAt, finishedAt, durationMs, failures, lastError }',
        'BackfillProgress',
        { parameters: [p('tenantId'), p('requestId')] },
        '200',
        upstream,
      ),
    },
    '/ops/tenants/{tenantId}/feeds': {
      get: op(
        "oracle-poller's feed cursors (its PostgreSQL feed state; the caller's key is passed on): per feed { feed, cursor, cursorAgeMs, lastSuccessAt, lastSuccessAgeMs, consecutiveFailures, lastError, backfillFrom, running }",
        '{ tenantId, measuredAt, feeds }',
        { parameters: [p('tenantId')] },
        '200',
        upstream,
      ),
    },
    '/ops/replay-range': {
      post: op(
        'Republish a time range of a flow (one tenant or all) from the log with a separate consumer group; returns a job',
        'Job',
        { requestBody: rangeBody({ dryRun: { type: 'boolean' } }) },
        '202',
      ),
    },
    '/ops/replay-range/preview': {
      post: op(
        'The dry-run count of a range replay, answered at once: records in [from, to) on the topics, and how many the replay would republish',
        '{ topics, from, to, tenantId, dryRun: true, inRange, records, otherTenants, replays }',
        { requestBody: rangeBody() },
      ),
    },
    '/ops/jobs/{id}': { get: op('Progress of a long operation', 'Job: { id, kind, status, total, done, result, error }', { parameters: [p('id')] }) },
    '/ops/consumer-groups/{groupId}': {
      get: op('State and members of a consumer group (all-tenants key)', '{ groupId, state, members }', { parameters: [p('groupId')] }),
    },
    '/ops/consumer-groups/{groupId}/reset-offsets': {
      post: op(
        'Reset committed offsets to a timestamp or offset; refused (409) while the group is active, unless stopAndRestart: the group is stopped (ops.consumer-control.requested.v1), reset and started again',
        '{ groupId, offsets, steps: [{ step, at, detail }] }',
        {
          parameters: [p('groupId')],
          requestBody: body({
            toTimestamp: { type: 'string' },
            toOffset: { type: 'string', description: 'earliest | latest | <n>' },
            topics: { type: 'array', items: { type: 'string' } },
            dryRun: { type: 'boolean' },
            stopAndRestart: { type: 'boolean', description: 'stop the running consumers of the group, wait until it is Empty, reset, start them again' },
            stopTimeoutMs: { type: 'integer', description: 'how long to wait for the group to become Empty (default 30000)' },
          }),
        },
        '200',
        { '409': { ...err, description: 'The group is active (or did not stop in time: a start was sent back)' } },
      ),
    },
    '/ops/reports/reconciliation': {
      get: op(
        'Per tenant and day: POs seen / ShipBob orders created / shipped / written back; Shopify orders vs Fusion invoices as recorded; receivablesDifferences read live from the partners (Shopify current total over GraphQL vs Fusion invoice + amendment invoices - credit memos, with the documents) and receivablesChecks (tenants compared or why not); charges per PO',
        'Report',
        { parameters: [q('tenant', ''), q('from', ''), q('to', '')] },
      ),
    },
    '/ops/reports/charges': {
      get: op('ShipBob charges per PO', '{ charges }', { parameters: [q('tenant', ''), q('poHeaderId', ''), q('from', ''), q('to', '')] }),
    },
    '/ops/lag': { get: op('Projection lag and consumer group lag', '{ groups, newestProjectedAt, newestProjectedAgeMs }') },
  },
  components: {
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }, bearer: { type: 'http', scheme: 'bearer' } },
    schemas: { Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } } },
  },
} as const;
