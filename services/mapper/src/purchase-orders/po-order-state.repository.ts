import type { Pool } from 'pg';
import { inTransaction } from '@mlc/platform-service';
import type { OrderState } from '@mlc/domain-fulfilment';

/** What mapper last requested for each order group of a PO (mapper_po_orders) and the PO's newest event date. */
export interface PoOrderStateStore {
  load(tenantId: string, poHeaderId: string): Promise<{ orders: OrderState[]; lastUpdateDate: string | undefined }>;
  /** Stores the rows and the PO's event date in one transaction. Called only after the commands are on Kafka. */
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

  async load(tenantId: string, poHeaderId: string): Promise<{ orders: OrderState[]; lastUpdateDate: string | undefined }> {
    const [orders, header] = await Promise.all([
      this.pool.query<Row>(
        `SELECT group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, source_hash
           FROM mapper_po_orders WHERE tenant_id = $1 AND po_header_id = $2 ORDER BY group_key`,
        [tenantId, poHeaderId],
      ),
      this.pool.query<{ last_update_date: string }>('SELECT last_update_date FROM mapper_po_headers WHERE tenant_id = $1 AND po_header_id = $2', [
        tenantId,
        poHeaderId,
      ]),
    ]);
    return {
      orders: orders.rows.map((r) => ({
        groupKey: r.group_key,
        referenceId: r.reference_id,
        revision: r.revision,
        contentHash: r.content_hash,
        state: r.state,
        lineIds: r.line_ids,
        fulfillmentCenterId: r.fulfillment_center_id === null ? null : Number(r.fulfillment_center_id),
        sourceHash: r.source_hash,
      })),
      lastUpdateDate: header.rows[0]?.last_update_date,
    };
  }

  async save(tenantId: string, poHeaderId: string, rows: OrderState[], lastUpdateDate: string, eventId: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      for (const r of rows) {
        await client.query(
          `INSERT INTO mapper_po_orders (tenant_id, po_header_id, group_key, reference_id, revision, content_hash, state, line_ids, fulfillment_center_id, last_event_id, source_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (tenant_id, po_header_id, group_key) DO UPDATE SET
             reference_id = EXCLUDED.reference_id, revision = EXCLUDED.revision, content_hash = EXCLUDED.content_hash,
             state = EXCLUDED.state, line_ids = EXCLUDED.line_ids, fulfillment_center_id = EXCLUDED.fulfillment_center_id,
             last_event_id = EXCLUDED.last_event_id, source_hash = EXCLUDED.source_hash, updated_at = now()`,
          [
            tenantId,
            poHeaderId,
            r.groupKey,
            r.referenceId,
            r.revision,
            r.contentHash,
            r.state,
            r.lineIds,
            r.fulfillmentCenterId,
            eventId,
            r.sourceHash ?? null,
          ],
        );
      }
      await client.query(
        `INSERT INTO mapper_po_headers (tenant_id, po_header_id, last_update_date, last_event_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, po_header_id) DO UPDATE SET last_update_date = EXCLUDED.last_update_date, last_event_id = EXCLUDED.last_event_id, updated_at = now()`,
        [tenantId, poHeaderId, lastUpdateDate, eventId],
      );
    });
  }
}
