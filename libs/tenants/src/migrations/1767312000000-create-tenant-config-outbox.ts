import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ID_COLUMN, CREATED_AT_COLUMN } from '@mlc/platform-service';

/**
 * Transactional outbox for configuration changes: a change and its outbox row commit together, and a relay publishes
 * the rows to Kafka (tenant.config.changed.v1) and deletes them only once the broker has acknowledged, so a broker
 * outage delays change events but never loses one.
 */
export class CreateTenantConfigOutbox1767312000000 implements MigrationInterface {
  name = 'CreateTenantConfigOutbox1767312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenant_config_outbox (
        id bigserial PRIMARY KEY,
        ${TENANT_ID_COLUMN},
        version integer NOT NULL,
        change jsonb NOT NULL,
        ${CREATED_AT_COLUMN},
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tenant_config_outbox`);
  }
}
