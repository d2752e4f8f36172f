import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the cost of a rebuild: audit_entries_causation served no query (the trail is searched by tenant and
 * time, entity, correlation id and refs) and cost one more b-tree insert per event; the exceptions queue gets one on
 * (tenant, category, code), which a raised exception reads to tell a new kind of problem (a scan of the tenant's
 * exceptions per raise before).
 */
export class AuditProjectionIndexes1767700000000 implements MigrationInterface {
  name = 'AuditProjectionIndexes1767700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS audit_entries_causation`);
    await q.query(`CREATE INDEX audit_exceptions_kind ON audit_exceptions (tenant_id, category, code)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS audit_exceptions_kind`);
    await q.query(`CREATE INDEX audit_entries_causation ON audit_entries (causation_id)`);
  }
}
