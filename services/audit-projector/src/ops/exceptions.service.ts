import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { TOPICS, type AvroCodec, type EventMeta, type TopicName } from '@mlc/contracts';
import { metaHeaders, newMeta, topicName, type EventPublisher } from '@mlc/platform-kafka';
import { CODEC, PG_POOL, PUBLISHER } from '@mlc/platform-service';
import type { OperatorIdentity } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { isoTime } from './audit-query.service';
import { JobsRegistry, type Job } from './jobs.registry';
import { ALL_TENANTS, OperatorActionsPublisher } from './operator-actions.publisher';
import { badRequest, notFound } from './ops.errors';
import { assertTenant } from './ops-scope';

export interface ExceptionFilter {
  tenants?: string[];
  status?: string;
  category?: string;
  code?: string;
  entityType?: string;
  businessId?: string;
  service?: string;
  sourceTopic?: string;
  from?: string;
  to?: string;
  limit?: number;
  /** `newest` (the default, for listing) or `oldest` first (by first seen, then event id): the order of a replay. */
  order?: 'newest' | 'oldest';
}

/** Headers marking a republished record (the bytes and key are the original's). */
export const REPLAY_HEADERS = { of: 'mlc-replay-of', by: 'mlc-replayed-by', at: 'mlc-replayed-at' } as const;

const LIST_COLUMNS = `id, tenant_id AS "tenantId", entity_type AS "entityType", business_id AS "businessId", status, category, code, reason, service,
  attempts, occurrences, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", last_event_id AS "lastEventId", correlation_id AS "correlationId",
  source_topic AS "sourceTopic", source_partition AS "sourcePartition", source_offset AS "sourceOffset", source_key AS "sourceKey",
  source_event_id AS "sourceEventId", resolution, resolved_at AS "resolvedAt", resolved_by AS "resolvedBy", resolve_comment AS "resolveComment",
  last_success_event_id AS "lastSuccessEventId", replay_count AS "replayCount", last_replayed_at AS "lastReplayedAt", last_replayed_by AS "lastReplayedBy"`;

type Row = Record<string, unknown> & { id: string; tenantId: string; status: string };

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) && !Buffer.isBuffer(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** JSON-safe view of a decoded record (bytes as base64). */
function jsonView(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer' && Array.isArray((x as { data?: unknown }).data)
        ? Buffer.from((x as { data: number[] }).data).toString('base64')
        : typeof x === 'bigint'
          ? String(x)
          : x,
    ),
  );
}

/** The exceptions queue: list, show, replay (one, a selection, all matching), resolve with a comment, correct and retry. */
@Injectable()
export class ExceptionsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(CODEC) private readonly codec: AvroCodec,
    @Inject(AUDIT_PROJECTOR_CONFIG) private readonly config: AuditProjectorConfig,
    private readonly actions: OperatorActionsPublisher,
    private readonly jobs: JobsRegistry,
  ) {}

  async list(f: ExceptionFilter): Promise<Row[]> {
    const { where, args } = this.where(f);
    const limit = Math.min(Math.max(f.limit ?? 100, 1), 10_000);
    const order = f.order === 'oldest' ? 'first_seen_at ASC, last_event_id ASC, id ASC' : 'last_seen_at DESC, id';
    const r = await this.pool.query(`SELECT ${LIST_COLUMNS} FROM audit_exceptions ${where} ORDER BY ${order} LIMIT ${limit}`, args);
    return r.rows as Row[];
  }

  /** How many exceptions match the filter (a list answers with at most `limit` of them). */
  async count(f: ExceptionFilter): Promise<number> {
    const { where, args } = this.where(f);
    const r = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_exceptions ${where}`, args);
    return r.rows[0]?.n ?? 0;
  }

  /** Open exceptions counted per code, most first (the console's Overview: one small answer instead of the whole list). */
  async openByCode(tenants?: string[]): Promise<{ open: number; byCode: Array<{ code: string; count: number }> }> {
    const { where, args } = this.where({ tenants, status: 'open' });
    const r = await this.pool.query<{ code: string; count: number }>(
      `SELECT code, count(*)::int AS count FROM audit_exceptions ${where} GROUP BY code ORDER BY count DESC, code`,
      args,
    );
    return { open: r.rows.reduce((s, x) => s + x.count, 0), byCode: r.rows };
  }

  private where(f: ExceptionFilter): { where: string; args: unknown[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (col: string, v: unknown, op = '=') => {
      if (v === undefined || v === '') return;
      args.push(v);
      where.push(op === 'ANY' ? `${col} = ANY($${args.length})` : `${col} ${op} $${args.length}`);
    };
    if (f.tenants) add('tenant_id', f.tenants, 'ANY');
    if (f.status && f.status !== 'all') {
      if (!['open', 'resolved'].includes(f.status)) throw badRequest('status must be open, resolved or all');
      add('status', f.status);
    }
    add('category', f.category);
    add('code', f.code);
    add('entity_type', f.entityType);
    add('business_id', f.businessId);
    add('service', f.service);
    add('source_topic', f.sourceTopic);
    add('last_seen_at', isoTime(f.from, 'from'), '>=');
    add('last_seen_at', isoTime(f.to, 'to'), '<');
    return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
  }

  async get(id: string, who: OperatorIdentity): Promise<Row & { details: unknown; payload: unknown }> {
    const r = await this.pool.query(`SELECT ${LIST_COLUMNS}, details, payload FROM audit_exceptions WHERE id = $1`, [id]);
    const row = r.rows[0] as (Row & { details: unknown; payload: Buffer }) | undefined;
    if (!row) throw notFound(`no exception ${id}`);
    assertTenant(who, row.tenantId);
    let decoded: unknown = null;
    try {
      if ((row['sourceTopic'] as string) in TOPICS) decoded = jsonView(this.codec.decodeFor(row['sourceTopic'] as TopicName, row.payload).value);
    } catch (err) {
      decoded = { undecodable: (err as Error).message };
    }
    return { ...row, payload: { bytes: row.payload.length, base64: row.payload.toString('base64'), decoded } };
  }

  private async load(id: string, who: OperatorIdentity): Promise<Row & { payload: Buffer }> {
    const r = await this.pool.query(`SELECT ${LIST_COLUMNS}, payload FROM audit_exceptions WHERE id = $1`, [id]);
    const row = r.rows[0] as (Row & { payload: Buffer }) | undefined;
    if (!row) throw notFound(`no exception ${id}`);
    assertTenant(who, row.tenantId);
    return row;
  }

  /**
   * Republishes the parked record's original bytes, unchanged, to its source topic with its original key (so the
   * same business data and idempotency keys run again through the *current* mappings), marked in headers. The
   * consumer did not mark a parked event processed, so it handles it again.
   */
  async replay(id: string, who: OperatorIdentity, comment?: string): Promise<{ id: string; republishedTo: string; bytes: number; actionEventId: string }> {
    const row = await this.load(id, who);
    const topic = row['sourceTopic'] as string;
    if (!(topic in TOPICS)) throw badRequest(`exception ${id} came from ${topic}, which is not a registered topic`);
    const headers: Record<string, string> = { [REPLAY_HEADERS.of]: id, [REPLAY_HEADERS.by]: who.actor, [REPLAY_HEADERS.at]: new Date().toISOString() };
    try {
      const meta = (this.codec.decodeFor(topic as TopicName, row.payload).value as { meta: EventMeta }).meta;
      Object.assign(headers, metaHeaders(meta, TOPICS[topic as TopicName].record), headers);
    } catch {
      // Undecodable bytes are still republished as they are (the consumer dead-letters them again).
    }
    const full = topicName(topic, this.config.topicSuffix);
    await this.publisher.publishRaw(full, [{ key: (row['sourceKey'] as string | null) ?? null, value: row.payload, headers }]);
    const actionEventId = await this.actions.record(who, row.tenantId, 'replay', id, {
      comment,
      details: { sourceTopic: topic, sourceEventId: row['sourceEventId'], bytes: row.payload.length },
    });
    return { id, republishedTo: full, bytes: row.payload.length, actionEventId };
  }

  /**
   * Replays a selection (ids) or everything matching a filter, in the background with progress, oldest first (by
   * when each exception was first seen): records of one order then run again in the order they first ran, e.g. an
   * invoice before the refund that waited for it. A selection of ids is put in the same order.
   */
  replayMany(sel: { ids?: string[]; filter?: ExceptionFilter }, who: OperatorIdentity, tenantForJob: string, comment?: string): Job {
    return this.jobs.start('replay-exceptions', tenantForJob, async (job) => {
      const ids = sel.ids
        ? await this.oldestFirst(sel.ids)
        : (await this.list({ status: 'open', ...sel.filter, limit: sel.filter?.limit ?? 10_000, order: 'oldest' })).map((r) => r.id);
      job.total = ids.length;
      const failed: Array<{ id: string; error: string }> = [];
      for (const id of ids) {
        try {
          await this.replay(id, who, comment);
        } catch (err) {
          failed.push({ id, error: (err as Error).message });
        }
        job.done += 1;
      }
      return { replayed: ids.length - failed.length, failed };
    });
  }

  /** The given exception ids oldest first; unknown ids keep their place at the end (their replay reports them). */
  private async oldestFirst(ids: string[]): Promise<string[]> {
    const r = await this.pool.query('SELECT id FROM audit_exceptions WHERE id = ANY($1) ORDER BY first_seen_at ASC, last_event_id ASC, id ASC', [ids]);
    const known = (r.rows as { id: string }[]).map((row) => row.id);
    return [...known, ...ids.filter((id) => !known.includes(id))];
  }

  async resolve(id: string, who: OperatorIdentity, comment: string): Promise<Row> {
    if (!comment.trim()) throw badRequest('a comment is required to resolve an exception');
    const row = await this.load(id, who);
    const eventId = await this.actions.record(who, row.tenantId, 'resolve', id, { comment });
    return this.waitProjected(id, eventId);
  }

  /**
   * Corrects the record's data and retries it: a new event (new id, caused by the original, same correlation)
   * with the operator's changes merged in, published to the source topic. The audit shows both.
   */
  async correct(
    id: string,
    who: OperatorIdentity,
    patch: Record<string, unknown>,
    comment?: string,
  ): Promise<{ id: string; correctedEventId: string; topic: string }> {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('body.changes must be a JSON object of fields to change');
    if ('meta' in patch) throw badRequest('meta cannot be changed');
    const row = await this.load(id, who);
    const topic = row['sourceTopic'] as TopicName;
    if (!(topic in TOPICS)) throw badRequest(`exception ${id} came from ${topic}, which is not a registered topic`);
    const original = this.codec.decodeFor(topic, row.payload).value as unknown as Record<string, unknown> & { meta: EventMeta };
    const meta = newMeta({ tenantId: original.meta.tenantId, source: 'ops-api', causedBy: original.meta });
    const value = { ...deepMerge(original, patch), meta };
    try {
      await this.publisher.publish({
        topic,
        key: (row['sourceKey'] as string | null) ?? `${row.tenantId}:${String(row['businessId'])}`,
        value: value as never,
      });
    } catch (err) {
      throw badRequest(`the corrected record is not valid: ${(err as Error).message}`);
    }
    await this.actions.record(who, row.tenantId, 'correct', id, { comment, details: { correctedEventId: meta.eventId, fields: Object.keys(patch) } });
    return { id, correctedEventId: meta.eventId, topic };
  }

  /** Waits (briefly) until the projection has applied an operator action, so the answer shows its effect. */
  private async waitProjected(id: string, eventId: string): Promise<Row> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const seen = await this.pool.query('SELECT 1 FROM audit_entries WHERE event_id = $1', [eventId]);
      if (seen.rowCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await this.pool.query(`SELECT ${LIST_COLUMNS} FROM audit_exceptions WHERE id = $1`, [id]);
    return r.rows[0] as Row;
  }
}

export { ALL_TENANTS };
