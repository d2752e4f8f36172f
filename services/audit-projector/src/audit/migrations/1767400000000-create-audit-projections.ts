import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ID_COLUMN } from '@mlc/platform-service';

/**
 * The audit projections. Every column is derived from the Kafka log alone (no now(), no consumer-side ids), so a
 * rebuild from offset 0 into an empty schema gives identical rows.
 */
export class CreateAuditProjections1767400000000 implements MigrationInterface {
  name = 'CreateAuditProjections1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_entries (
        event_id text PRIMARY KEY,
        ${TENANT_ID_COLUMN},
        topic text NOT NULL,
        record text NOT NULL,
        source text NOT NULL,
        source_system text NOT NULL,
        target_system text NOT NULL,
        direction text NOT NULL,
        entity_type text NOT NULL,
        business_id text NOT NULL,
        correlation_id text NOT NULL,
        causation_id text,
        occurred_at timestamptz NOT NULL,
        result text NOT NULL,
        error_code text,
        error_message text,
        mapping_version integer,
        trace_id text,
        refs text[] NOT NULL DEFAULT '{}',
        attrs jsonb NOT NULL DEFAULT '{}',
        kafka_partition integer NOT NULL,
        kafka_offset bigint NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_entries_tenant_time ON audit_entries (tenant_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_entries_entity ON audit_entries (tenant_id, entity_type, business_id)`);
    await q.query(`CREATE INDEX audit_entries_correlation ON audit_entries (correlation_id)`);
    await q.query(`CREATE INDEX audit_entries_causation ON audit_entries (causation_id)`);
    await q.query(`CREATE INDEX audit_entries_refs ON audit_entries USING gin (refs)`);
    await q.query(`
      CREATE TABLE audit_xrefs (
        ${TENANT_ID_COLUMN},
        a_ref text NOT NULL,
        b_ref text NOT NULL,
        relation text NOT NULL,
        first_event_id text NOT NULL,
        PRIMARY KEY (tenant_id, a_ref, b_ref)
      )`);
    await q.query(`CREATE INDEX audit_xrefs_b ON audit_xrefs (tenant_id, b_ref)`);
    await q.query(`
      CREATE TABLE audit_exceptions (
        id text PRIMARY KEY,
        ${TENANT_ID_COLUMN},
        entity_type text NOT NULL,
        business_id text NOT NULL,
        status text NOT NULL,
        category text NOT NULL,
        code text NOT NULL,
        reason text NOT NULL,
        service text NOT NULL,
        attempts integer NOT NULL,
        occurrences integer NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        last_event_id text NOT NULL,
        correlation_id text NOT NULL,
        source_topic text NOT NULL,
        source_partition integer NOT NULL,
        source_offset text NOT NULL,
        source_key text,
        source_event_id text,
        details jsonb NOT NULL,
        payload bytea NOT NULL,
        last_success_at timestamptz,
        last_success_event_id text,
        manual_resolved_at timestamptz,
        resolved_by text,
        resolve_comment text,
        resolution text,
        resolved_at timestamptz,
        replay_count integer NOT NULL DEFAULT 0,
        last_replayed_at timestamptz,
        last_replayed_by text,
        UNIQUE (tenant_id, entity_type, business_id)
      )`);
    await q.query(`CREATE INDEX audit_exceptions_status ON audit_exceptions (tenant_id, status, last_seen_at)`);
    await q.query(`
      CREATE TABLE audit_billing_records (
        ${TENANT_ID_COLUMN},
        transaction_id text NOT NULL,
        charge_type text NOT NULL,
        amount numeric NOT NULL,
        currency text NOT NULL,
        charged_at text,
        shipbob_order_id text,
        shipment_id text,
        reference_id text,
        po_header_id text,
        po_number text,
        event_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, transaction_id)
      )`);
    await q.query(`CREATE INDEX audit_billing_po ON audit_billing_records (tenant_id, po_header_id)`);
    await q.query(`
      CREATE TABLE audit_flow_states (
        ${TENANT_ID_COLUMN},
        partner text NOT NULL,
        state text NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        changed_at timestamptz NOT NULL,
        event_id text NOT NULL,
        PRIMARY KEY (tenant_id, partner)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['audit_flow_states', 'audit_billing_records', 'audit_exceptions', 'audit_xrefs', 'audit_entries'])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
