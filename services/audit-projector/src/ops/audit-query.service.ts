import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@mlc/platform-service';
import { ref } from '../audit/event-description';
import { badRequest } from './ops.errors';

export interface AuditSearch {
  tenants?: string[];
  entityType?: string;
  businessId?: string;
  from?: string;
  to?: string;
  direction?: string;
  result?: string;
  topic?: string;
  correlationId?: string;
  limit?: number;
  /** Opaque cursor from the previous page (`nextCursor`). */
  cursor?: string;
}

const ENTRY_COLUMNS = `event_id AS "eventId", tenant_id AS "tenantId", topic, source, source_system AS "sourceSystem", target_system AS "targetSystem",
  direction, entity_type AS "entityType", business_id AS "businessId", correlation_id AS "correlationId", causation_id AS "causationId",
  occurred_at AS "occurredAt", result, error_code AS "errorCode", error_message AS "errorMessage", mapping_version AS "mappingVersion",
  trace_id AS "traceId", refs, attrs, kafka_partition AS "partition", kafka_offset::text AS "offset"`;

export function isoTime(v: string | undefined, name: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  const t = /^\d{10,13}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw badRequest(`${name} must be an ISO-8601 time or epoch milliseconds`);
  return new Date(t).toISOString();
}

/** Reads the audit trail: search with filters, and the end-to-end timeline of one record. */
@Injectable()
export class AuditQueryService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async search(s: AuditSearch): Promise<{ entries: Array<Record<string, unknown>>; nextCursor: string | null }> {
    const where: string[] = [];
    const args: unknown[] = [];
    /** `?` placeholders in order; an array value fills several. */
    const add = (sql: string, v: unknown) => {
      const values = Array.isArray(v) && sql.split('?').length - 1 > 1 ? v : [v];
      where.push(sql.replace(/\?/g, () => (args.push(values.shift()), `$${args.length}`)));
    };
    if (s.tenants) add('tenant_id = ANY(?)', s.tenants);
    if (s.entityType && s.businessId)
      add('((entity_type, business_id) = (?::text, ?::text) OR refs @> ARRAY[?::text])', [s.entityType, s.businessId, ref(s.entityType, s.businessId)]);
    else if (s.entityType) add('entity_type = ?', s.entityType);
    else if (s.businessId)
      add(`(business_id = ? OR EXISTS (SELECT 1 FROM unnest(refs) r WHERE substr(r, strpos(r, ':') + 1) = ?))`, [s.businessId, s.businessId]);
    if (s.from) add('occurred_at >= ?', isoTime(s.from, 'from'));
    if (s.to) add('occurred_at < ?', isoTime(s.to, 'to'));
    if (s.direction) add('direction = ?', s.direction);
    if (s.result) add('result = ?', s.result);
    if (s.topic) add('topic = ?', s.topic);
    if (s.correlationId) add('correlation_id = ?', s.correlationId);
    if (s.cursor) {
      const [at, id] = Buffer.from(s.cursor, 'base64url').toString().split('|');
      if (!at || !id) throw badRequest('cursor is not valid');
      args.push(at, id);
      where.push(`(occurred_at, event_id) < ($${args.length - 1}::timestamptz, $${args.length})`);
    }
    const limit = Math.min(Math.max(s.limit ?? 100, 1), 1000);
    const r = await this.pool.query(
      `SELECT ${ENTRY_COLUMNS} FROM audit_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY occurred_at DESC, event_id DESC LIMIT ${limit + 1}`,
      args,
    );
    const rows = r.rows.slice(0, limit) as Array<Record<string, unknown>>;
    const last = rows.at(-1);
    const nextCursor =
      r.rows.length > limit && last ? Buffer.from(`${(last['occurredAt'] as Date).toISOString()}|${String(last['eventId'])}`).toString('base64url') : null;
    return { entries: rows, nextCursor };
  }

  /**
   * The full story of one record across systems: every record linked to it through cross-references (PO line ->
   * ShipBob order -> shipment -> Fusion receipt; Shopify order -> invoice -> credit memos), and every event that
   * touched any of them or shares a correlation id with those, oldest first.
   */
  async timeline(t: {
    tenants?: string[];
    entityType?: string;
    businessId?: string;
    correlationId?: string;
  }): Promise<{ records: string[]; links: Array<Record<string, unknown>>; entries: Array<Record<string, unknown>> }> {
    const tenantFilter = t.tenants ? ' AND tenant_id = ANY($2)' : '';
    const tArgs = t.tenants ? [t.tenants] : [];
    let start: string[];
    if (t.correlationId) {
      const r = await this.pool.query<{ refs: string[] }>(`SELECT refs FROM audit_entries WHERE correlation_id = $1${tenantFilter}`, [
        t.correlationId,
        ...tArgs,
      ]);
      start = [...new Set(r.rows.flatMap((x) => x.refs))];
    } else if (t.entityType && t.businessId) start = [ref(t.entityType, t.businessId)];
    else throw badRequest('give entityType and businessId, or correlationId');
    const seen = new Set(start);
    const links = new Map<string, Record<string, unknown>>();
    let frontier = [...start];
    for (let depth = 0; depth < 8 && frontier.length && seen.size < 500; depth++) {
      const r = await this.pool.query<{ tenant_id: string; a_ref: string; b_ref: string; relation: string }>(
        `SELECT tenant_id, a_ref, b_ref, relation FROM audit_xrefs WHERE (a_ref = ANY($1) OR b_ref = ANY($1))${tenantFilter}`,
        [frontier, ...tArgs],
      );
      const next: string[] = [];
      for (const l of r.rows) {
        links.set(`${l.tenant_id}|${l.a_ref}|${l.b_ref}`, { tenantId: l.tenant_id, a: l.a_ref, b: l.b_ref, relation: l.relation });
        for (const x of [l.a_ref, l.b_ref]) if (!seen.has(x)) (seen.add(x), next.push(x));
      }
      frontier = next;
    }
    const records = [...seen];
    const r = await this.pool.query(
      `WITH touched AS (SELECT DISTINCT correlation_id FROM audit_entries WHERE refs && $1${tenantFilter} AND topic NOT LIKE 'ops.%' AND topic <> 'tenant.config.changed.v1')
       SELECT ${ENTRY_COLUMNS} FROM audit_entries
        WHERE (refs && $1 OR correlation_id IN (SELECT correlation_id FROM touched) ${t.correlationId ? `OR correlation_id = $${tArgs.length + 2}` : ''})${tenantFilter}
        ORDER BY occurred_at, event_id LIMIT 2000`,
      [records, ...tArgs, ...(t.correlationId ? [t.correlationId] : [])],
    );
    return { records, links: [...links.values()], entries: r.rows as Array<Record<string, unknown>> };
  }
}
