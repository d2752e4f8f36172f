import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `platform_leases`: who owns a piece of once-only work (a tenant's poll, a sweep, the alerts) until when, with the
 * fencing token that grows at every takeover.
 */
export class Leases1767600000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platform_leases (
        name text PRIMARY KEY,
        owner text NOT NULL,
        token bigint NOT NULL,
        acquired_at timestamptz NOT NULL DEFAULT now(),
        renewed_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE platform_leases`);
  }
}
