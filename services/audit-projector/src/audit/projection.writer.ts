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
    `INSERT INTO audit_entries (event_id, tenant_id, topic, record, source, source_system, target_system, direction, entity_type, business_id,
       correlation_id, causation_id, occurred_at, result, error_code, error_message, mapping_version, trace_id, refs, attrs, kafka_partition, kafka_offset)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,to_timestamp($13::double precision / 1000),$14,$15,$16,$17,$18,$19,$20,$21,$22)
     ON CONFLICT (event_id) DO NOTHING`,
    [
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
    ],
  );
  if (!inserted.rowCount) return { applied: false };
  for (const l of d.links) {
    const [a, b] = l.a <= l.b ? [l.a, l.b] : [l.b, l.a];
    await db.query(
      `INSERT INTO audit_xrefs (tenant_id, a_ref, b_ref, relation, first_event_id) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (tenant_id, a_ref, b_ref) DO UPDATE SET
         relation = CASE WHEN EXCLUDED.first_event_id < audit_xrefs.first_event_id THEN EXCLUDED.relation ELSE audit_xrefs.relation END,
         first_event_id = LEAST(audit_xrefs.first_event_id, EXCLUDED.first_event_id)`,
      [meta.tenantId, a, b, l.relation, meta.eventId],
    );
  }
  const out: ProjectedEvent = { applied: true };
  switch (topic) {
    case 'ops.exception.raised.v1': {
      const e = value as TopicRecords[typeof topic];
      const { entityType, businessId } = exceptionEntity(e);
      const id = exceptionId(meta.tenantId, entityType, businessId);
      await db.query('SELECT pg_advisory_xact_lock($1)', [lockKey(id)]);
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
      if ((a.action === 'resolve' || a.action === 'replay' || a.action === 'correct') && a.target.startsWith('exc_')) {
        await db.query('SELECT pg_advisory_xact_lock($1)', [lockKey(a.target)]);
        await refreshException(db, a.target);
      }
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
  const success = successOf(topic, value);
  if (success) {
    const id = exceptionId(meta.tenantId, success.entityType, success.businessId);
    await db.query('SELECT pg_advisory_xact_lock($1)', [lockKey(id)]);
    await refreshException(db, id);
  }
  return out;
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
