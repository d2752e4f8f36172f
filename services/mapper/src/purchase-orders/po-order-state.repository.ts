import type { Pool } from 'pg';
import type { OrderState } from '@mlc/domain-fulfilment';

/** What mapper last requested for each order group of a PO (mapper_po_orders) and the PO's newest event date. */
export interface PoOrderStateStore {
  load(tenantId: string, poHeaderId: string): Promise<{ orders: OrderState[]; lastUpdateDate: string | undefined }>;
  /** Stores the rows and the PO's event date atomically. Called only after the commands are on Kafka. */
  save(tenantId: string, poHeaderId: string, rows: OrderState[], lastUpdateDate: string, eventId: string): Promise<void>;
}

interface Row {
  group_key: string;
  reference_id: string;
  revision: number;
  content_hash: string;
  state: 'active' | 'cancelled';
  line_ids: string[];
  fulfillment_center_id: string | null;
  source_hash: string | null;
}

interface PoKey {
  tenantId: string;
  poHeaderId: string;
}
type Loaded = { orders: OrderState[]; lastUpdateDate: string | undefined };
interface Save extends PoKey {
  rows: OrderState[];
  lastUpdateDate: string;
  eventId: string;
}

/** POs per batched statement at most (a burst's calls beyond it go in the next one). */
const MAX_BATCH = 200;

/**
 * mapper_po_orders / mapper_po_headers in PostgreSQL. POs handled side by side (the consumer maps several POs of a
 * partition at once) share statements: loads asked for while a load is in flight are made together as the next one
 * (one round trip for all), and so are saves: one statement, atomic for all of its POs, instead of one per PO. A
 * lone call goes out at once, as before. A batched save that fails is made again PO by PO, so one PO's failure is
 * its own and not its neighbours'.
 */
export class PgPoOrderStateStore implements PoOrderStateStore {
  private readonly loads: CallBatcher<PoKey, Loaded>;
  private readonly saves: CallBatcher<Save, void>;

  constructor(private readonly pool: Pool) {
    this.loads = new CallBatcher((keys) => this.loadMany(keys));
    this.saves = new CallBatcher(
      (items) => this.saveMany(items).catch(async (err: unknown) => (items.length === 1 ? Promise.reject(err) : settleEach(items, (s) => this.saveMany([s])))),
      (a, b) => a.tenantId === b.tenantId && a.poHeaderId === b.poHeaderId,
    );
  }

  load(tenantId: string, poHeaderId: string): Promise<Loaded> {
    return this.loads.call({ tenantId, poHeaderId });
  }

  save(tenantId: string, poHeaderId: string, rows: OrderState[], lastUpdateDate: string, eventId: string): Promise<void> {
    return this.saves.call({ tenantId, poHeaderId, rows, lastUpdateDate, eventId });
  }

  /** One round trip for every PO asked: its order groups (as JSON) and its newest event date. */
  async loadMany(keys: PoKey[]): Promise<Loaded[]> {
    const { rows } = await this.pool.query<{ i: number; orders: Row[]; last_update_date: string | null }>(
      `SELECT k.i, h.last_update_date,
              COALESCE((SELECT json_agg(o ORDER BY o.group_key) FROM (
                SELECT group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, source_hash
                  FROM mapper_po_orders WHERE tenant_id = k.tenant_id AND po_header_id = k.po_header_id) o), '[]'::json) AS orders
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(tenant_id, po_header_id, i)
         LEFT JOIN mapper_po_headers h ON h.tenant_id = k.tenant_id AND h.po_header_id = k.po_header_id`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.poHeaderId)],
    );
    const out = new Array<Loaded>(keys.length);
    for (const row of rows) {
      out[Number(row.i) - 1] = {
        orders: row.orders.map((r) => ({
          groupKey: r.group_key,
          referenceId: r.reference_id,
          revision: r.revision,
          contentHash: r.content_hash,
          state: r.state,
          lineIds: r.line_ids,
          fulfillmentCenterId: r.fulfillment_center_id === null ? null : Number(r.fulfillment_center_id),
          sourceHash: r.source_hash,
        })),
        lastUpdateDate: row.last_update_date ?? undefined,
      };
    }
    return out;
  }

  /**
   * One statement (atomic on its own) for the given POs, each at most once: every order group upserted from parallel
   * arrays, then each PO's header.
   */
  async saveMany(items: Save[]): Promise<void[]> {
    const groups = items.flatMap((s) => s.rows.map((r) => ({ s, r })));
    await this.pool.query(
      `WITH orders AS (
         INSERT INTO mapper_po_orders (tenant_id, po_header_id, group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, last_event_id, source_hash)
         SELECT r.tenant_id, r.po_header_id, r.group_key, r.reference_id, r.revision, r.content_hash, r.state, ARRAY(SELECT jsonb_array_elements_text(r.line_ids)), r.fulfillment_center_id, r.event_id, r.source_hash
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::jsonb[], $9::bigint[], $10::text[], $11::text[])
                AS r(tenant_id, po_header_id, group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, event_id, source_hash)
         ON CONFLICT (tenant_id, po_header_id, group_key) DO UPDATE SET
           reference_id = EXCLUDED.reference_id, revision = EXCLUDED.revision, content_hash = EXCLUDED.content_hash,
           state = EXCLUDED.state, line_ids = EXCLUDED.line_ids, fulfillment_center_id = EXCLUDED.fulfillment_center_id,
           last_event_id = EXCLUDED.last_event_id, source_hash = EXCLUDED.source_hash, updated_at = now()
         RETURNING 1)
       INSERT INTO mapper_po_headers (tenant_id, po_header_id, last_update_date, last_event_id)
       SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::text[])
       ON CONFLICT (tenant_id, po_header_id) DO UPDATE SET last_update_date = EXCLUDED.last_update_date, last_event_id = EXCLUDED.last_event_id, updated_at = now()`,
      [
        groups.map((g) => g.s.tenantId),
        groups.map((g) => g.s.poHeaderId),
        groups.map((g) => g.r.groupKey),
        groups.map((g) => g.r.referenceId),
        groups.map((g) => g.r.revision),
        groups.map((g) => g.r.contentHash),
        groups.map((g) => g.r.state),
        groups.map((g) => JSON.stringify(g.r.lineIds)),
        groups.map((g) => g.r.fulfillmentCenterId),
        groups.map((g) => g.s.eventId),
        groups.map((g) => g.r.sourceHash ?? null),
        items.map((s) => s.tenantId),
        items.map((s) => s.poHeaderId),
        items.map((s) => s.lastUpdateDate),
        items.map((s) => s.eventId),
      ],
    );
    return items.map(() => undefined);
  }
}

/** Each item alone; resolves with every result, or a per-item failure where one failed. */
async function settleEach<I, O>(items: I[], run: (item: I) => Promise<O[]>): Promise<Array<O | Failed>> {
  return Promise.all(
    items.map((item) =>
      run(item).then(
        ([o]) => o as O,
        (err: unknown) => new Failed(err),
      ),
    ),
  );
}

/** One item's failure inside an otherwise finished batch (CallBatcher rejects only that caller with it). */
class Failed {
  constructor(readonly error: unknown) {}
}

/**
 * Calls made while one is in flight wait and go together as the next one (`run` gets their inputs in arrival order
 * and answers one output per input; a `Failed` output rejects that caller alone). A call arriving when nothing is in
 * flight goes at once. `conflicts`: two inputs that must not share a run (the later one waits for the next).
 */
export class CallBatcher<I, O> {
  private queue: Array<{ input: I; resolve(o: O): void; reject(e: unknown): void }> = [];
  private running = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<Array<O | Failed>>,
    private readonly conflicts?: (a: I, b: I) => boolean,
    private readonly max = MAX_BATCH,
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch: typeof this.queue = [];
        const rest: typeof this.queue = [];
        for (const q of this.queue) {
          // A call behind one it conflicts with (in this run or left for the next) stays behind it.
          const blocked = this.conflicts && [...batch, ...rest].some((b) => this.conflicts!(b.input, q.input));
          if (batch.length < this.max && !blocked) batch.push(q);
          else rest.push(q);
        }
        this.queue = rest;
        try {
          const outs = await this.run(batch.map((b) => b.input));
          batch.forEach((b, i) => {
            const o = outs[i];
            if (o instanceof Failed) b.reject(o.error);
            else b.resolve(o as O);
          });
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
