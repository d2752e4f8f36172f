import type { Pool } from 'pg';

export type PoWriteState = 'started' | 'failed' | 'done';

export interface PoWriteRow {
  state: PoWriteState;
  attempts: number;
  outcome: string | null;
  fusionDocumentId: string | null;
}

/** The ledger of PO write-backs (fusion_writer_po_writes): what was done, and what may have been. */
export class PoWritesLedger {
  constructor(private readonly pool: Pool) {}

  async get(tenantId: string, key: string): Promise<PoWriteRow | undefined> {
    const r = await this.pool.query<{ state: PoWriteState; attempts: number; outcome: string | null; fusion_document_id: string | null }>(
      'SELECT state, attempts, outcome, fusion_document_id FROM fusion_writer_po_writes WHERE tenant_id = $1 AND idempotency_key = $2',
      [tenantId, key],
    );
    const row = r.rows[0];
    return row && { state: row.state, attempts: row.attempts, outcome: row.outcome, fusionDocumentId: row.fusion_document_id };
  }

  /** Written (and committed) before the call to Fusion, so a crash or lost answer leaves a trace to check against. */
  async start(tenantId: string, key: string, cmd: { kind: string; poHeaderId: string; poNumber: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO fusion_writer_po_writes (tenant_id, idempotency_key, kind, po_header_id, po_number, state, attempts) VALUES ($1, $2, $3, $4, $5, 'started', 1)
       ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET state = 'started', attempts = fusion_writer_po_writes.attempts + 1, updated_at = now()
       WHERE fusion_writer_po_writes.state <> 'done'`,
      [tenantId, key, cmd.kind, cmd.poHeaderId, cmd.poNumber],
    );
  }

  async done(tenantId: string, key: string, outcome: string, fusionDocumentId: string | null): Promise<void> {
    await this.pool.query(
      `UPDATE fusion_writer_po_writes SET state = 'done', outcome = $3, fusion_document_id = $4, last_error = NULL, updated_at = now() WHERE tenant_id = $1 AND idempotency_key = $2`,
      [tenantId, key, outcome, fusionDocumentId],
    );
  }

  async failed(tenantId: string, key: string, state: 'started' | 'failed', error: string): Promise<void> {
    await this.pool.query(
      `UPDATE fusion_writer_po_writes SET state = $3, last_error = $4, updated_at = now() WHERE tenant_id = $1 AND idempotency_key = $2 AND state <> 'done'`,
      [tenantId, key, state, error.slice(0, 2000)],
    );
  }
}
