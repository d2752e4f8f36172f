import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { TOPICS, type EventMeta, type TopicName, type TopicRecords } from '@mlc/contracts';
import { describeEvent, exceptionEntity, successOf, traceIdOf, type EventDescription } from './event-description';

/** Deterministic id of the exception row of one record: one row per broken record. */
export function exceptionId(tenantId: string, entityType: string, businessId: string): string {
  return `exc_${createHash('sha256').update(`${tenantId}\u0000${entityType}\u0000${businessId}`).digest('hex').slice(0, 24)}`;
}

const lockKey = (id: string): string => createHash('sha256').update(`mlc:audit:${id}`).digest().readBigInt64BE(0).toString();

/**
 * The advisory lock that orders exception changes between concurrent projection transactions. A transaction that
 * raises an exception or applies an operator's resolve / replay / correct takes it exclusively; one whose only
 * exception business is successes takes it shared, then locks the few exceptions its successes find, by id. So a
 * raise never misses a success committed beside it and a success never misses a raise (whichever takes the lock
 * second reads what the first committed), and two successes for one exception are applied one after the other. One
 * lock rather than one per success: a rebuild's batch holds thousands of successes.
 */
const EXCEPTIONS_LOCK = lockKey('exceptions');

export interface ProjectedEvent {
  /** False when the event id was already projected (redelivery / replayed bytes): nothing changed. */
  applied: boolean;
  /** Set when an exception row was created for a new (tenant, category, code) kind. */
  newExceptionKind?: { tenantId: string; category: string; code: string; exceptionId: string };
  flowChange?: { tenantId: string; partner: string; state: string; reason: string; actor: string };
}

/**
 * Applies one event to every projection inside the caller's transaction: projectBatch of one event.
 */
export async function projectEvent(
  db: PoolClient,
  topic: TopicName,
  value: TopicRecords[TopicName],
  position: { partition: number; offset: string },
): Promise<ProjectedEvent> {
  return (await projectBatch(db, [{ topic, value, position }]))[0]!;
}

/** The columns of one audit_entries row, in the order the projection writes them (also the bench's raw-pg ceiling). */
export const AUDIT_COLUMNS = [
  'event_id',
  'tenant_id',
  'topic',
  'record',
  'source',
  'source_system',
  'target_system',
  'direction',
  'entity_type',
  'business_id',
  'correlation_id',
  'causation_id',
  'occurred_at',
  'result',
  'error_code',
  'error_message',
  'mapping_version',
  'trace_id',
  'refs',
  'attrs',
  'kafka_partition',
  'kafka_offset',
];

/** The SQL type of each audit column as sent (one array literal per column, unnest()ed; occurred_at in epoch ms). */
const AUDIT_SENT_TYPES: Record<string, string> = { occurred_at: 'float8', mapping_version: 'int4', kafka_partition: 'int4', kafka_offset: 'int8' };

/** Audit rows from column arrays: PostgreSQL parses 22 array parameters rather than 22 parameters per row. */
const INSERT_AUDIT_ROWS = `INSERT INTO audit_entries (${AUDIT_COLUMNS.join(', ')})
  SELECT ${AUDIT_COLUMNS.map((c) => (c === 'occurred_at' ? 'to_timestamp(u.occurred_at / 1000)' : c === 'refs' ? 'u.refs::text[]' : c === 'attrs' ? 'u.attrs::jsonb' : `u.${c}`)).join(', ')}
  FROM unnest(${AUDIT_COLUMNS.map((c, i) => `$${i + 1}::${AUDIT_SENT_TYPES[c] ?? 'text'}[]`).join(', ')}) AS u(${AUDIT_COLUMNS.join(', ')})
  ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;

type AuditValue = string | number | null;

/** The values of one audit row in AUDIT_COLUMNS order (refs as an array literal, attrs as JSON text). */
function auditRow(topic: TopicName, meta: EventMeta, d: EventDescription, position: { partition: number; offset: string }): AuditValue[] {
  return [
    meta.eventId,
    meta.tenantId,
    topic,
    TOPICS[topic].record,
    meta.source,
    d.sourceSystem,
    d.targetSystem,
    d.direction,
    d.entityType,
    d.businessId,
    meta.correlationId,
    meta.causationId ?? null,
    meta.occurredAt,
    d.result,
    d.errorCode ?? null,
    d.errorMessage ?? null,
    d.mappingVersion ?? null,
    traceIdOf(meta.traceparent),
    arrayLiteral([...new Set(d.refs)]),
    JSON.stringify(d.attrs),
    position.partition,
    position.offset,
  ];
}

/** An array element that needs no quotes: no delimiter, brace, quote, backslash or white space (and not NULL). */
const BARE_ELEMENT = /^[^\s{}",\\]+$/;
const NEEDS_ESCAPE = /[\\"]/;

/**
 * A PostgreSQL array literal of these values (`{a,"b c",NULL}`), elements quoted only where the array syntax needs
 * it: what `pg` sends for a JS array, built with one join (a rebuild sends a few hundred thousand elements a second).
 */
export function arrayLiteral(values: ReadonlyArray<string | number | null | undefined>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      parts[i] = 'NULL';
      continue;
    }
    const s = typeof v === 'string' ? v : String(v);
    if (BARE_ELEMENT.test(s) && !(s.length === 4 && s.toUpperCase() === 'NULL')) parts[i] = s;
    else parts[i] = NEEDS_ESCAPE.test(s) ? `"${s.replace(/[\\"]/g, '\\$&')}"` : `"${s}"`;
  }
  return `{${parts.join(',')}}`;
}

/** Rows per audit INSERT statement (bounds one statement's size; a rebuild's batch takes a few). */
const AUDIT_ROWS_PER_STATEMENT = 5_000;

/** Inserts audit rows; resolves to the event ids inserted (those not there before). */
async function insertAuditRows(db: PoolClient, rows: ReadonlyArray<readonly AuditValue[]>): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += AUDIT_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + AUDIT_ROWS_PER_STATEMENT);
    const res = await db.query<{ event_id: string }>(
      INSERT_AUDIT_ROWS,
      AUDIT_COLUMNS.map((_, c) => arrayLiteral(chunk.map((r) => r[c]!))),
    );
    for (const r of res.rows) inserted.add(r.event_id);
  }
  return inserted;
}

interface XrefRow {
  tenantId: string;
  a: string;
  b: string;
  relation: string;
  eventId: string;
}

function xrefRows(meta: EventMeta, d: EventDescription): XrefRow[] {
  return d.links.map((l) => {
    const [a, b] = l.a <= l.b ? [l.a, l.b] : [l.b, l.a];
    return { tenantId: meta.tenantId, a, b, relation: l.relation, eventId: meta.eventId };
  });
}

/**
 * Cross-references in one statement: per (tenant, a, b) the relation of the smallest first event id wins (the
 * batch's rows are reduced to that first, DISTINCT ON, then merged with the table the same way), inserted in key
 * order so two transactions writing the same pairs lock them in the same order.
 */
async function upsertXrefs(db: PoolClient, rows: XrefRow[]): Promise<void> {
  if (!rows.length) return;
  await db.query(
    `INSERT INTO audit_xrefs (tenant_id, a_ref, b_ref, relation, first_event_id)
     SELECT DISTINCT ON (t, a, b) t, a, b, r, e FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(t, a, b, r, e) ORDER BY t, a, b, e
     ON CONFLICT (tenant_id, a_ref, b_ref) DO UPDATE SET
       relation = CASE WHEN EXCLUDED.first_event_id < audit_xrefs.first_event_id THEN EXCLUDED.relation ELSE audit_xrefs.relation END,
       first_event_id = LEAST(audit_xrefs.first_event_id, EXCLUDED.first_event_id)`,
    [
      arrayLiteral(rows.map((r) => r.tenantId)),
      arrayLiteral(rows.map((r) => r.a)),
      arrayLiteral(rows.map((r) => r.b)),
      arrayLiteral(rows.map((r) => r.relation)),
      arrayLiteral(rows.map((r) => r.eventId)),
    ],
  );
}

/** Advisory lock keys of these exception ids, each once, in one order for every transaction (no deadlock). */
function sortedLockKeys(ids: Iterable<string>): string[] {
  return [...new Set([...ids].map(lockKey))].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0));
}

const refreshesException = (a: TopicRecords['ops.operator-action.recorded.v1']): boolean =>
  (a.action === 'resolve' || a.action === 'replay' || a.action === 'correct') && a.target.startsWith('exc_');

/** Whether an event changes an exception row itself (a raise, or an operator's resolve / replay / correct). */
function changesException(topic: TopicName, value: TopicRecords[TopicName]): boolean {
  return (
    topic === 'ops.exception.raised.v1' ||
    (topic === 'ops.operator-action.recorded.v1' && refreshesException(value as TopicRecords['ops.operator-action.recorded.v1']))
  );
}

/** The topics whose events change more than the audit row and cross-references. */
const TOPICS_WITH_EFFECTS = new Set<TopicName>([
  'ops.exception.raised.v1',
  'ops.operator-action.recorded.v1',
  'ops.flow-control.changed.v1',
  'fulfilment.shipbob-charge.recorded.v1',
]);

/** What an event changes besides the audit row and cross-references: exceptions, flow states, billing records. */
async function applyTopicEffects(db: PoolClient, topic: TopicName, value: TopicRecords[TopicName], meta: EventMeta, out: ProjectedEvent): Promise<void> {
  switch (topic) {
    case 'ops.exception.raised.v1': {
      const e = value as TopicRecords[typeof topic];
      const { entityType, businessId } = exceptionEntity(e);
      const id = exceptionId(meta.tenantId, entityType, businessId);
      const kindSeen = await db.query('SELECT 1 FROM audit_exceptions WHERE tenant_id = $1 AND category = $2 AND code = $3 LIMIT 1', [
        meta.tenantId,
        e.category,
        e.code,
      ]);
      let details: unknown = {};
      try {
        details = JSON.parse(e.details ?? '{}');
      } catch {
        details = { raw: e.details };
      }
      // The newest occurrence (by occurredAt, then event id) supplies reason, payload and source; counts add up.
      const r = await db.query(
        `INSERT INTO audit_exceptions AS x (id, tenant_id, entity_type, business_id, status, category, code, reason, service, attempts, occurrences,
           first_seen_at, last_seen_at, last_event_id, correlation_id, source_topic, source_partition, source_offset, source_key, source_event_id, details, payload)
         VALUES ($1,$2,$3,$4,'open',$5,$6,$7,$8,$9,1,to_timestamp($10::double precision / 1000),to_timestamp($10::double precision / 1000),$11,$12,$13,$14,$15,$16,$17,$18,$19)
         ON CONFLICT (id) DO UPDATE SET
           occurrences = x.occurrences + 1,
           first_seen_at = LEAST(x.first_seen_at, EXCLUDED.first_seen_at),
           category = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.category ELSE x.category END,
           code = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.code ELSE x.code END,
           reason = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.reason ELSE x.reason END,
           service = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.service ELSE x.service END,
           attempts = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.attempts ELSE x.attempts END,
           correlation_id = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.correlation_id ELSE x.correlation_id END,
           source_topic = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.source_topic ELSE x.source_topic END,
           source_partition = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.source_partition ELSE x.source_partition END,
           source_offset = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.source_offset ELSE x.source_offset END,
           source_key = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.source_key ELSE x.source_key END,
           source_event_id = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.source_event_id ELSE x.source_event_id END,
           details = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.details ELSE x.details END,
           payload = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.payload ELSE x.payload END,
           last_event_id = CASE WHEN (EXCLUDED.last_seen_at, EXCLUDED.last_event_id) > (x.last_seen_at, x.last_event_id) THEN EXCLUDED.last_event_id ELSE x.last_event_id END,
           last_seen_at = GREATEST(x.last_seen_at, EXCLUDED.last_seen_at)
         RETURNING (xmax = 0) AS created`,
        [
          id,
          meta.tenantId,
          entityType,
          businessId,
          e.category,
          e.code,
          e.message,
          e.service,
          e.attempts,
          meta.occurredAt,
          meta.eventId,
          meta.correlationId,
          e.sourceTopic,
          e.sourcePartition,
          e.sourceOffset,
          e.sourceKey ?? null,
          e.sourceEventId ?? null,
          JSON.stringify(details),
          e.payload,
        ],
      );
      await refreshException(db, id);
      if ((r.rows[0] as { created: boolean } | undefined)?.created && !kindSeen.rowCount)
        out.newExceptionKind = { tenantId: meta.tenantId, category: e.category, code: e.code, exceptionId: id };
      break;
    }
    case 'ops.operator-action.recorded.v1': {
      const a = value as TopicRecords[typeof topic];
      if (refreshesException(a)) await refreshException(db, a.target);
      break;
    }
    case 'ops.flow-control.changed.v1': {
      const f = value as TopicRecords[typeof topic];
      await db.query(
        `INSERT INTO audit_flow_states AS s (tenant_id, partner, state, reason, actor, changed_at, event_id) VALUES ($1,$2,$3,$4,$5,to_timestamp($6::double precision / 1000),$7)
         ON CONFLICT (tenant_id, partner) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, actor = EXCLUDED.actor, changed_at = EXCLUDED.changed_at, event_id = EXCLUDED.event_id
         WHERE (EXCLUDED.changed_at, EXCLUDED.event_id) > (s.changed_at, s.event_id)`,
        [meta.tenantId, f.partner, f.state, f.reason, f.actor, meta.occurredAt, meta.eventId],
      );
      out.flowChange = { tenantId: meta.tenantId, partner: f.partner, state: f.state, reason: f.reason, actor: f.actor };
      break;
    }
    case 'fulfilment.shipbob-charge.recorded.v1': {
      const c = value as TopicRecords[typeof topic];
      // A charge is immutable; if it is ever recorded twice, the first published (smallest event id) wins.
      await db.query(
        `INSERT INTO audit_billing_records AS b (tenant_id, transaction_id, charge_type, amount, currency, charged_at, shipbob_order_id, shipment_id, reference_id, po_header_id, po_number, event_id, occurred_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,to_timestamp($13::double precision / 1000))
         ON CONFLICT (tenant_id, transaction_id) DO UPDATE SET charge_type = EXCLUDED.charge_type, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
           charged_at = EXCLUDED.charged_at, shipbob_order_id = EXCLUDED.shipbob_order_id, shipment_id = EXCLUDED.shipment_id, reference_id = EXCLUDED.reference_id,
           po_header_id = EXCLUDED.po_header_id, po_number = EXCLUDED.po_number, event_id = EXCLUDED.event_id, occurred_at = EXCLUDED.occurred_at
         WHERE EXCLUDED.event_id < b.event_id`,
        [
          meta.tenantId,
          c.transactionId,
          c.chargeType,
          /^-?\d+(\.\d+)?$/.test(c.amount) ? c.amount : '0',
          c.currency,
          c.chargedAt ?? null,
          c.shipbobOrderId ?? null,
          c.shipmentId ?? null,
          c.referenceId ?? null,
          c.poHeaderId ?? null,
          c.poNumber ?? null,
          meta.eventId,
          meta.occurredAt,
        ],
      );
      break;
    }
    default:
      break;
  }
}

export interface ProjectionInput {
  topic: TopicName;
  value: TopicRecords[TopicName];
  position: { partition: number; offset: string };
}

/**
 * Applies many events in the caller's transaction with the same outcome as applying each on its own (the projections
 * are order-independent): the audit rows in few INSERTs of column arrays, sorted by event id (an event id already
 * there, or twice in the batch, is not applied); every cross-reference in one statement; then, under the exceptions
 * lock (EXCEPTIONS_LOCK), the few events with more to do (exceptions, operator actions, flow states, billing) one by
 * one in batch order, and each existing exception a success may resolve refreshed once. No query per ordinary event.
 * Results are in input order.
 */
export async function projectBatch(db: PoolClient, items: readonly ProjectionInput[]): Promise<ProjectedEvent[]> {
  const metas = items.map((i) => (i.value as { meta: EventMeta }).meta);
  const firstOfId = new Map<string, number>();
  metas.forEach((m, i) => {
    if (!firstOfId.has(m.eventId)) firstOfId.set(m.eventId, i);
  });
  // Sorted by event id: two transactions inserting the same ids wait for each other in one order (no deadlock).
  const candidates = [...firstOfId.values()].sort((x, y) => (metas[x]!.eventId < metas[y]!.eventId ? -1 : 1));
  const descriptions: EventDescription[] = new Array(items.length);
  for (const i of candidates) descriptions[i] = describeEvent(items[i]!.topic, items[i]!.value);
  const inserted = await insertAuditRows(
    db,
    candidates.map((i) => auditRow(items[i]!.topic, metas[i]!, descriptions[i]!, items[i]!.position)),
  );
  const results: ProjectedEvent[] = items.map((_, i) => ({ applied: inserted.has(metas[i]!.eventId) && firstOfId.get(metas[i]!.eventId) === i }));
  const appliedIdx = candidates.filter((i) => results[i]!.applied).sort((x, y) => x - y);
  await upsertXrefs(
    db,
    appliedIdx.flatMap((i) => xrefRows(metas[i]!, descriptions[i]!)),
  );
  let exclusive = false;
  // The (tenant, entity type, business id) of each success: the key of the exception it may resolve.
  const successes: [string[], string[], string[]] = [[], [], []];
  for (const i of appliedIdx) {
    const { topic, value } = items[i]!;
    if (changesException(topic, value)) exclusive = true;
    const success = successOf(topic, value);
    if (success) {
      successes[0].push(metas[i]!.tenantId);
      successes[1].push(success.entityType);
      successes[2].push(success.businessId);
    }
  }
  if (exclusive) await db.query('SELECT pg_advisory_xact_lock($1)', [EXCEPTIONS_LOCK]);
  else if (successes[0].length) await db.query('SELECT pg_advisory_xact_lock_shared($1)', [EXCEPTIONS_LOCK]);
  for (const i of appliedIdx) {
    const { topic, value } = items[i]!;
    if (TOPICS_WITH_EFFECTS.has(topic)) await applyTopicEffects(db, topic, value, metas[i]!, results[i]!);
  }
  if (successes[0].length) {
    const existing = (
      await db.query<{ id: string }>(
        `SELECT id FROM audit_exceptions WHERE (tenant_id, entity_type, business_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[])) ORDER BY id`,
        successes.map((column) => arrayLiteral(column)),
      )
    ).rows;
    // Shared holders may refresh one exception side by side: its id lock makes them take turns.
    if (existing.length && !exclusive)
      await db.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS l(k, n) ORDER BY n', [
        sortedLockKeys(existing.map((e) => e.id)),
      ]);
    for (const { id } of existing) await refreshException(db, id);
  }
  return results;
}

/**
 * Recomputes an exception's derived state from the audit trail: its last success, manual resolution and replays.
 * Open unless a success happened after the last failure or an operator resolved it since.
 */
export async function refreshException(db: PoolClient, id: string): Promise<void> {
  await db.query(
    `WITH x AS (SELECT * FROM audit_exceptions WHERE id = $1),
     s AS (SELECT a.occurred_at, a.event_id FROM audit_entries a, x
            WHERE a.tenant_id = x.tenant_id AND a.entity_type = x.entity_type AND a.business_id = x.business_id AND a.result = 'success'
            ORDER BY a.occurred_at DESC, a.event_id DESC LIMIT 1),
     m AS (SELECT a.occurred_at, a.attrs->>'actor' AS actor, a.attrs->>'comment' AS comment FROM audit_entries a, x
            WHERE a.tenant_id = x.tenant_id AND a.entity_type = 'operator-action' AND a.business_id = 'resolve:' || x.id
            ORDER BY a.occurred_at DESC, a.event_id DESC LIMIT 1),
     r AS (SELECT count(*)::int AS n, max(a.occurred_at) AS at,
                  (array_agg(a.attrs->>'actor' ORDER BY a.occurred_at DESC, a.event_id DESC))[1] AS actor
             FROM audit_entries a, x
            WHERE a.tenant_id = x.tenant_id AND a.entity_type = 'operator-action' AND a.business_id IN ('replay:' || x.id, 'correct:' || x.id)),
     v AS (SELECT (SELECT occurred_at FROM s) AS success_at, (SELECT event_id FROM s) AS success_id,
                  (SELECT occurred_at FROM m) AS manual_at, (SELECT actor FROM m) AS manual_by, (SELECT comment FROM m) AS manual_comment,
                  (SELECT n FROM r) AS replays, (SELECT at FROM r) AS replayed_at, (SELECT actor FROM r) AS replayed_by)
     UPDATE audit_exceptions e SET
       last_success_at = v.success_at, last_success_event_id = v.success_id,
       manual_resolved_at = v.manual_at, resolved_by = v.manual_by, resolve_comment = v.manual_comment,
       replay_count = v.replays, last_replayed_at = v.replayed_at, last_replayed_by = v.replayed_by,
       status = CASE WHEN v.success_at > e.last_seen_at OR v.manual_at >= e.last_seen_at THEN 'resolved' ELSE 'open' END,
       resolution = CASE WHEN v.success_at > e.last_seen_at AND (v.manual_at IS NULL OR v.success_at >= v.manual_at) THEN 'success'
                         WHEN v.manual_at >= e.last_seen_at THEN 'manual' ELSE NULL END,
       resolved_at = CASE WHEN v.success_at > e.last_seen_at AND (v.manual_at IS NULL OR v.success_at >= v.manual_at) THEN v.success_at
                          WHEN v.manual_at >= e.last_seen_at THEN v.manual_at ELSE NULL END
     FROM v WHERE e.id = $1`,
    [id],
  );
}
