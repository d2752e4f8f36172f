import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '@mlc/platform-service';
import { isOlderLastUpdate, type ActiveOrder, type RequestedLine, type ShipmentState } from '@mlc/domain-fulfilment';
import type { OutgoingRecord } from '@mlc/platform-kafka';

export interface StoredCharge {
  transactionId: string;
  chargeType: string;
  amount: string;
  currency: string;
  chargedAt: string | null;
}

/** SQL of the shipments feature; every write runs inside `tx` with the PO's lock held. */
export class ShipmentsRepository {
  constructor(private readonly pool: Pool) {}

  async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  /** Serialises everything about one PO (webhooks of its shipments arrive on any partition). Sorted: no deadlocks. */
  async lockPos(c: PoolClient, tenantId: string, poHeaderIds: Iterable<string>): Promise<void> {
    for (const po of [...new Set(poHeaderIds)].sort()) await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mapper.shipments:${tenantId}:${po}`]);
  }

  /** Records a webhook delivery; returns the event id that first brought it (this one when new). */
  async claimDelivery(c: PoolClient, tenantId: string, deliveryId: string, eventId: string, topic: string): Promise<string> {
    await c.query('INSERT INTO mapper_shipment_deliveries (tenant_id, delivery_id, event_id, topic) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      tenantId,
      deliveryId,
      eventId,
      topic,
    ]);
    const r = await c.query<{ event_id: string }>('SELECT event_id FROM mapper_shipment_deliveries WHERE tenant_id = $1 AND delivery_id = $2', [
      tenantId,
      deliveryId,
    ]);
    return r.rows[0]!.event_id;
  }

  async upsertRequested(
    c: PoolClient,
    tenantId: string,
    o: { referenceId: string; poHeaderId: string; poNumber: string; revision: number; supersedes: string | null; lines: RequestedLine[] },
  ): Promise<void> {
    await c.query(
      `INSERT INTO mapper_shipment_orders (tenant_id, reference_id, po_header_id, po_number, revision, action, supersedes_reference_id, lines)
       VALUES ($1, $2, $3, $4, $5, 'create', $6, $7)
       ON CONFLICT (tenant_id, reference_id) DO UPDATE SET po_number = EXCLUDED.po_number, revision = EXCLUDED.revision, action = 'create',
         supersedes_reference_id = EXCLUDED.supersedes_reference_id, lines = EXCLUDED.lines, updated_at = now()`,
      [tenantId, o.referenceId, o.poHeaderId, o.poNumber, o.revision, o.supersedes, JSON.stringify(o.lines)],
    );
  }

  /** Marks an order cancelled (creating a bare row when we never saw it requested). */
  async markCancelled(c: PoolClient, tenantId: string, referenceId: string, poHeaderId: string, poNumber: string): Promise<void> {
    await c.query(
      `INSERT INTO mapper_shipment_orders (tenant_id, reference_id, po_header_id, po_number, action, cancelled) VALUES ($1, $2, $3, $4, 'cancel', true)
       ON CONFLICT (tenant_id, reference_id) DO UPDATE SET cancelled = true, updated_at = now()`,
      [tenantId, referenceId, poHeaderId, poNumber],
    );
  }

  /** Learns the ShipBob order id (creating a bare row, without lines, when the request has not been seen yet). */
  async setShipbobOrderId(
    c: PoolClient,
    tenantId: string,
    referenceId: string,
    poHeaderId: string,
    poNumber: string,
    shipbobOrderId: string | null,
  ): Promise<void> {
    await c.query(
      `INSERT INTO mapper_shipment_orders (tenant_id, reference_id, po_header_id, po_number, action, shipbob_order_id) VALUES ($1, $2, $3, $4, 'create', $5)
       ON CONFLICT (tenant_id, reference_id) DO UPDATE SET shipbob_order_id = COALESCE(EXCLUDED.shipbob_order_id, mapper_shipment_orders.shipbob_order_id), updated_at = now()`,
      [tenantId, referenceId, poHeaderId, poNumber, shipbobOrderId],
    );
  }

  /** Remembers the PO's lines to fulfil unless a newer PO version already said otherwise (older records are ignored). */
  async saveLinesToFulfil(c: PoolClient, tenantId: string, poHeaderId: string, poLastUpdateDate: string, lineIds: string[]): Promise<void> {
    const r = await c.query<{ po_last_update_date: string }>(
      'SELECT po_last_update_date FROM mapper_shipment_po_lines WHERE tenant_id = $1 AND po_header_id = $2',
      [tenantId, poHeaderId],
    );
    const seen = r.rows[0]?.po_last_update_date;
    if (seen !== undefined && isOlderLastUpdate(poLastUpdateDate, seen)) return;
    await c.query(
      `INSERT INTO mapper_shipment_po_lines (tenant_id, po_header_id, po_last_update_date, line_ids) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, po_header_id) DO UPDATE SET po_last_update_date = EXCLUDED.po_last_update_date, line_ids = EXCLUDED.line_ids, updated_at = now()`,
      [tenantId, poHeaderId, poLastUpdateDate, lineIds],
    );
  }

  /** The PO's lines to fulfil, when a request named them (records from before the field existed did not). */
  async linesToFulfil(c: PoolClient, tenantId: string, poHeaderId: string): Promise<string[] | undefined> {
    const r = await c.query<{ line_ids: string[] }>('SELECT line_ids FROM mapper_shipment_po_lines WHERE tenant_id = $1 AND po_header_id = $2', [
      tenantId,
      poHeaderId,
    ]);
    return r.rows[0]?.line_ids;
  }

  /** The PO number and the orders that still count: requested to create, not cancelled, not superseded by a newer revision. */
  async activeOrders(c: PoolClient, tenantId: string, poHeaderId: string): Promise<{ poNumber: string | undefined; orders: ActiveOrder[] }> {
    const r = await c.query<{ reference_id: string; po_number: string; shipbob_order_id: string | null; lines: RequestedLine[]; active: boolean }>(
      `SELECT o.reference_id, o.po_number, o.shipbob_order_id, o.lines,
              (o.action = 'create' AND NOT o.cancelled AND NOT EXISTS (
                 SELECT 1 FROM mapper_shipment_orders n WHERE n.tenant_id = o.tenant_id AND n.supersedes_reference_id = o.reference_id)) AS active
         FROM mapper_shipment_orders o WHERE o.tenant_id = $1 AND o.po_header_id = $2 ORDER BY o.reference_id`,
      [tenantId, poHeaderId],
    );
    return {
      poNumber: r.rows[0]?.po_number,
      orders: r.rows.filter((x) => x.active).map((x) => ({ referenceId: x.reference_id, shipbobOrderId: x.shipbob_order_id, lines: x.lines })),
    };
  }

  async shipment(c: PoolClient, tenantId: string, shipmentId: string): Promise<{ state: ShipmentState; poHeaderId: string } | undefined> {
    const r = await c.query<{ state: ShipmentState; po_header_id: string }>(
      'SELECT state, po_header_id FROM mapper_shipment_shipments WHERE tenant_id = $1 AND shipment_id = $2',
      [tenantId, shipmentId],
    );
    return r.rows[0] && { state: r.rows[0].state, poHeaderId: r.rows[0].po_header_id };
  }

  async saveShipment(c: PoolClient, tenantId: string, poHeaderId: string, s: ShipmentState): Promise<void> {
    await c.query(
      `INSERT INTO mapper_shipment_shipments (tenant_id, shipment_id, reference_id, po_header_id, state) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, shipment_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
      [tenantId, s.shipmentId, s.referenceId, poHeaderId, JSON.stringify(s)],
    );
  }

  async shipmentsOfPo(c: PoolClient, tenantId: string, poHeaderId: string): Promise<ShipmentState[]> {
    const r = await c.query<{ state: ShipmentState }>(
      'SELECT state FROM mapper_shipment_shipments WHERE tenant_id = $1 AND po_header_id = $2 ORDER BY shipment_id',
      [tenantId, poHeaderId],
    );
    return r.rows.map((x) => x.state);
  }

  async saveCharge(c: PoolClient, tenantId: string, shipmentId: string | null, charge: StoredCharge): Promise<void> {
    await c.query('INSERT INTO mapper_shipment_charges (tenant_id, transaction_id, shipment_id, charge) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      tenantId,
      charge.transactionId,
      shipmentId,
      JSON.stringify(charge),
    ]);
  }

  /** Charges not yet emitted for these shipments; marked emitted in the same transaction. */
  async takePendingCharges(c: PoolClient, tenantId: string, shipmentIds: string[]): Promise<{ shipmentId: string; charge: StoredCharge }[]> {
    if (!shipmentIds.length) return [];
    const r = await c.query<{ shipment_id: string; charge: StoredCharge }>(
      `UPDATE mapper_shipment_charges SET emitted = true WHERE tenant_id = $1 AND shipment_id = ANY($2) AND NOT emitted RETURNING shipment_id, charge`,
      [tenantId, shipmentIds],
    );
    return r.rows.map((x) => ({ shipmentId: x.shipment_id, charge: x.charge })).sort((a, b) => a.charge.transactionId.localeCompare(b.charge.transactionId));
  }

  /** Stores a record under its deterministic key, caused by `eventId`; false when that key was emitted before. */
  async emit(c: PoolClient, tenantId: string, recordKey: string, poHeaderId: string | null, eventId: string, record: OutgoingRecord): Promise<boolean> {
    const r = await c.query(
      `INSERT INTO mapper_shipment_emitted (tenant_id, record_key, po_header_id, source_event_id, topic, message_key, value)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [tenantId, recordKey, poHeaderId, eventId, record.topic, record.key, JSON.stringify(record.value)],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Everything `eventId` caused, in order: what a redelivery of that event publishes again. */
  async emittedBy(c: PoolClient, tenantId: string, eventId: string): Promise<OutgoingRecord[]> {
    const r = await c.query<{ topic: OutgoingRecord['topic']; message_key: string; value: OutgoingRecord['value'] }>(
      'SELECT topic, message_key, value FROM mapper_shipment_emitted WHERE tenant_id = $1 AND source_event_id = $2 ORDER BY seq',
      [tenantId, eventId],
    );
    return r.rows.map(
      (x) => ({ topic: x.topic, key: x.message_key, value: x.topic === 'ops.exception.raised.v1' ? withBytes(x.value) : x.value }) as OutgoingRecord,
    );
  }

  /** Records a receipt Fusion confirmed; false if it was known already. */
  async confirmReceipt(c: PoolClient, tenantId: string, key: string, poHeaderId: string, documentId: string | null): Promise<boolean> {
    const r = await c.query(
      `INSERT INTO mapper_shipment_confirmed_receipts (tenant_id, idempotency_key, po_header_id, fusion_document_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [tenantId, key, poHeaderId, documentId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async confirmedReceipts(c: PoolClient, tenantId: string, poHeaderId: string): Promise<Set<string>> {
    const r = await c.query<{ idempotency_key: string }>(
      'SELECT idempotency_key FROM mapper_shipment_confirmed_receipts WHERE tenant_id = $1 AND po_header_id = $2',
      [tenantId, poHeaderId],
    );
    return new Set(r.rows.map((x) => x.idempotency_key));
  }
}

/** An exception record kept as JSON: its payload bytes come back as `{ type: 'Buffer', data }`. */
function withBytes(value: OutgoingRecord['value']): OutgoingRecord['value'] {
  const v = value as unknown as { payload?: unknown };
  const p = v.payload as { type?: string; data?: number[] } | undefined;
  return (p && p.type === 'Buffer' && Array.isArray(p.data) ? { ...v, payload: Buffer.from(p.data) } : v) as unknown as OutgoingRecord['value'];
}
