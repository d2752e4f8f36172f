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

export class PgPoOrderStateStore implements PoOrderStateStore {
  constructor(private readonly pool: Pool) {}

  /** One round trip: the PO's order groups (as JSON) and its newest event date. */
  async load(tenantId: string, poHeaderId: string): Promise<{ orders: OrderState[]; lastUpdateDate: string | undefined }> {
    const { rows } = await this.pool.query<{ orders: Row[]; last_update_date: string | null }>(
      `SELECT (SELECT last_update_date FROM mapper_po_headers WHERE tenant_id = $1 AND po_header_id = $2) AS last_update_date,
              COALESCE((SELECT json_agg(o ORDER BY o.group_key) FROM (
                SELECT group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, source_hash
                  FROM mapper_po_orders WHERE tenant_id = $1 AND po_header_id = $2) o), '[]'::json) AS orders`,
      [tenantId, poHeaderId],
    );
    const row = rows[0]!;
    return {
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

  /**
   * One statement (atomic on its own): every order group of the PO upserted from parallel arrays, then the header.
   * Replaces a transaction of one INSERT per group (a round trip each) on mapper's hot path.
   */
  async save(tenantId: string, poHeaderId: string, rows: OrderState[], lastUpdateDate: string, eventId: string): Promise<void> {
    await this.pool.query(
      `WITH orders AS (
         INSERT INTO mapper_po_orders (tenant_id, po_header_id, group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, last_event_id, source_hash)
         SELECT $1, $2, r.group_key, r.reference_id, r.revision, r.content_hash, r.state, ARRAY(SELECT jsonb_array_elements_text(r.line_ids)), r.fulfillment_center_id, $3, r.source_hash
           FROM unnest($5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::jsonb[], $11::bigint[], $12::text[])
                AS r(group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, source_hash)
         ON CONFLICT (tenant_id, po_header_id, group_key) DO UPDATE SET
           reference_id = EXCLUDED.reference_id, revision = EXCLUDED.revision, content_hash = EXCLUDED.content_hash,
           state = EXCLUDED.state, line_ids = EXCLUDED.line_ids, fulfillment_center_id = EXCLUDED.fulfillment_center_id,
           last_event_id = EXCLUDED.last_event_id, source_hash = EXCLUDED.source_hash, updated_at = now()
         RETURNING 1)
       INSERT INTO mapper_po_headers (tenant_id, po_header_id, last_update_date, last_event_id) VALUES ($1, $2, $4, $3)
       ON CONFLICT (tenant_id, po_header_id) DO UPDATE SET last_update_date = EXCLUDED.last_update_date, last_event_id = EXCLUDED.last_event_id, updated_at = now()`,
      [
        tenantId,
        poHeaderId,
        eventId,
        lastUpdateDate,
        rows.map((r) => r.groupKey),
        rows.map((r) => r.referenceId),
        rows.map((r) => r.revision),
        rows.map((r) => r.contentHash),
        rows.map((r) => r.state),
        rows.map((r) => JSON.stringify(r.lineIds)),
        rows.map((r) => r.fulfillmentCenterId),
        rows.map((r) => r.sourceHash ?? null),
      ],
    );
  }
}
