import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { TOPICS, type EventMeta, type TopicName, type TopicRecords } from '@mlc/contracts';
import { describeEvent, exceptionEntity, successOf, traceIdOf } from './event-description';

/** Deterministic id of the exception row of one record: one row per broken record. */
export function exceptionId(tenantId: string, entityType: string, businessId: string): string {
  return `exc_${createHash('sha256').update(`${tenantId}\u0000${entityType}\u0000${businessId}`).digest('hex').slice(0, 24)}`;
}

const lockKey = (id: string): string => createHash('sha256').update(`mlc:audit:${id}`).digest().readBigInt64BE(0).toString();

export interface ProjectedEvent {
  /** False when the event id was already projected (redelivery / replayed bytes): nothing changed. */
  applied: boolean;
  /** Set when an exception row was created for a new (tenant, category, code) kind. */
  newExceptionKind?: { tenantId: string; category: string; code: string; exceptionId: string };
  flowChange?: { tenantId: string; partner: string; state: string; reason: string; actor: string };
}

/**
 * Applies one event to every projection inside the caller's transaction. Order-independent: each derived value is a
 * min/max/count over events or recomputed from audit_entries, so a rebuild that reads partitions in another
 * interleaving ends with the same rows. The audit row (keyed by event id) is written first and guards the rest.
 */
export async function projectEvent(
  db: PoolClient,
  topic: TopicName,
  value: TopicRecords[TopicName],
  position: { partition: number; offset: string },
): Promise<ProjectedEvent> {
  const meta = (value as { meta: EventMeta }).meta;
  const d = describeEvent(topic, value);
  const inserted = await db.query(
    `INSERT INTO audit_entries (${AUDIT_COLUMNS.join(', ')})
     VALUES (${auditPlaceholders(0)})
     ON CONFLICT (event_id) DO NOTHING`,
    auditRow(topic, meta, d, position),
  );
  if (!inserted.rowCount) return { applied: false };
  await upsertXrefs(db, xrefRows(meta, d));
  const out: ProjectedEvent = { applied: true };
  for (const k of sortedLockKeys(lockIdsOf(topic, value, meta))) await db.query('SELECT pg_advisory_xact_lock($1)', [k]);
  await applyTopicEffects(db, topic, value, meta, out);
  const success = successOf(topic, value);
  if (success) await refreshException(db, exceptionId(meta.tenantId, success.entityType, success.businessId));
  return out;
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

/** `$n` placeholders of one audit row whose parameters start after `offset` (occurred_at converted from epoch ms). */
function auditPlaceholders(offset: number): string {
  return AUDIT_COLUMNS.map((c, i) => (c === 'occurred_at' ? `to_timestamp($${offset + i + 1}::double precision / 1000)` : `$${offset + i + 1}`)).join(',');
}

function auditRow(topic: TopicName, meta: EventMeta, d: ReturnType<typeof describeEvent>, position: { partition: number; offset: string }): unknown[] {
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
    [...new Set(d.refs)],
    JSON.stringify(d.attrs),
    position.partition,
    position.offset,
  ];
}

interface XrefRow {
  tenantId: string;
  a: string;
  b: string;
  relation: string;
  eventId: string;
}

function xrefRows(meta: EventMeta, d: ReturnType<typeof describeEvent>): XrefRow[] {
  return d.links.map((l) => {
    const [a, b] = l.a <= l.b ? [l.a, l.b] : [l.b, l.a];
    return { tenantId: meta.tenantId, a, b, relation: l.relation, eventId: meta.eventId };
  });
}

/**
 * Cross-references in one statement: per (tenant, a, b) the relation of the smallest first event id wins (rows of
 * one batch are reduced to that first, then merged with the table the same way), in key order so two transactions
 * writing the same pairs lock them in the same order.
 */
async function upsertXrefs(db: PoolClient, rows: XrefRow[]): Promise<void> {
  if (!rows.length) return;
  const first = new Map<string, XrefRow>();
  for (const r of rows) {
    const k = `${r.tenantId}\u0000${r.a}\u0000${r.b}`;
    const held = first.get(k);
    if (!held || r.eventId < held.eventId) first.set(k, r);
  }
  const sorted = [...first].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r);
  await db.query(
    `INSERT INTO audit_xrefs (tenant_id, a_ref, b_ref, relation, first_event_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (tenant_id, a_ref, b_ref) DO UPDATE SET
       relation = CASE WHEN EXCLUDED.first_event_id < audit_xrefs.first_event_id THEN EXCLUDED.relation ELSE audit_xrefs.relation END,
       first_event_id = LEAST(audit_xrefs.first_event_id, EXCLUDED.first_event_id)`,
    [sorted.map((r) => r.tenantId), sorted.map((r) => r.a), sorted.map((r) => r.b), sorted.map((r) => r.relation), sorted.map((r) => r.eventId)],
  );
}

/** Advisory lock keys of these exception ids, each once, in one order for every transaction (no deadlock). */
function sortedLockKeys(ids: readonly string[]): string[] {
  return [...new Set(ids.map(lockKey))].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0));
}

const refreshesException = (a: TopicRecords['ops.operator-action.recorded.v1']): boolean =>
  (a.action === 'resolve' || a.action === 'replay' || a.action === 'correct') && a.target.startsWith('exc_');

/** The exception rows an event changes (each guarded by an advisory lock for the transaction). */
function lockIdsOf(topic: TopicName, value: TopicRecords[TopicName], meta: EventMeta): string[] {
  const ids: string[] = [];
  if (topic === 'ops.exception.raised.v1') {
    const { entityType, businessId } = exceptionEntity(value as TopicRecords['ops.exception.raised.v1']);
    ids.push(exceptionId(meta.tenantId, entityType, businessId));
  }
  if (topic === 'ops.operator-action.recorded.v1' && refreshesException(value as TopicRecords['ops.operator-action.recorded.v1']))
    ids.push((value as TopicRecords['ops.operator-action.recorded.v1']).target);
  const success = successOf(topic, value);
  if (success) ids.push(exceptionId(meta.tenantId, success.entityType, success.businessId));
  return ids;
}

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

/** Parameters per INSERT statement stay under PostgreSQL's 65,535. */
const AUDIT_ROWS_PER_STATEMENT = 1_000;

/**
 * Applies many events in the caller's transaction with the same outcome as projectEvent on each (the projections
 * are order-independent): the audit rows in multi-row INSERTs (an event id already there, or twice in the batch,
 * is not applied), every cross-reference in one statement, the advisory locks of every exception the batch touches
 * taken up front in key order (no deadlock between batches), the few events with more to do (exceptions, operator
 * actions, flow states, billing) one by one in batch order, then each exception a success may resolve refreshed
 * once. Results are in input order.
 */
export async function projectBatch(db: PoolClient, items: readonly ProjectionInput[]): Promise<ProjectedEvent[]> {
  const metas = items.map((i) => (i.value as { meta: EventMeta }).meta);
  const descriptions = items.map((i) => describeEvent(i.topic, i.value));
  const firstOfId = new Map<string, number>();
  metas.forEach((m, i) => {
    if (!firstOfId.has(m.eventId)) firstOfId.set(m.eventId, i);
  });
  const candidates = [...firstOfId.values()];
  const inserted = new Set<string>();
  for (let start = 0; start < candidates.length; start += AUDIT_ROWS_PER_STATEMENT) {
    const chunk = candidates.slice(start, start + AUDIT_ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const tuples = chunk.map((i) => {
      const row = auditRow(items[i]!.topic, metas[i]!, descriptions[i]!, items[i]!.position);
      const tuple = `(${auditPlaceholders(params.length)})`;
      params.push(...row);
      return tuple;
    });
    const res = await db.query<{ event_id: string }>(
      `INSERT INTO audit_entries (${AUDIT_COLUMNS.join(', ')}) VALUES ${tuples.join(',')} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      params,
    );
    for (const r of res.rows) inserted.add(r.event_id);
  }
  const applied = items.map((_, i) => inserted.has(metas[i]!.eventId) && firstOfId.get(metas[i]!.eventId) === i);
  const results: ProjectedEvent[] = applied.map((a) => ({ applied: a }));
  const appliedIdx = items.map((_, i) => i).filter((i) => applied[i]);
  await upsertXrefs(
    db,
    appliedIdx.flatMap((i) => xrefRows(metas[i]!, descriptions[i]!)),
  );
  const locks = sortedLockKeys(appliedIdx.flatMap((i) => lockIdsOf(items[i]!.topic, items[i]!.value, metas[i]!)));
  if (locks.length) await db.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS l(k, n) ORDER BY n', [locks]);
  const successes = new Set<string>();
  for (const i of appliedIdx) {
    const { topic, value } = items[i]!;
    await applyTopicEffects(db, topic, value, metas[i]!, results[i]!);
    const success = successOf(topic, value);
    if (success) successes.add(exceptionId(metas[i]!.tenantId, success.entityType, success.businessId));
  }
  if (successes.size) {
    const existing = await db.query<{ id: string }>('SELECT id FROM audit_exceptions WHERE id = ANY($1::text[]) ORDER BY id', [[...successes]]);
    for (const { id } of existing.rows) await refreshException(db, id);
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
