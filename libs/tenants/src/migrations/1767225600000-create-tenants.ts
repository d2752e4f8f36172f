import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_ID_COLUMN, CREATED_AT_COLUMN, UPDATED_AT_COLUMN } from '@mlc/platform-service';

export class CreateTenants1767225600000 implements MigrationInterface {
  name = 'CreateTenants1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('live', 'demo')),
        settings jsonb NOT NULL,
        config_version integer NOT NULL DEFAULT 1,
        ${CREATED_AT_COLUMN},
        ${UPDATED_AT_COLUMN}
      )`);
    await q.query(`
      CREATE TABLE tenant_connections (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        partner text NOT NULL CHECK (partner IN ('fusion', 'shipbob', 'shopify')),
        base_url text NOT NULL,
        auth_type text NOT NULL,
        public_config jsonb NOT NULL,
        secret_ciphertext text NOT NULL,
        secret_key_id text NOT NULL,
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, partner)
      )`);
    await q.query(`
      CREATE TABLE tenant_mappings (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        kind text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, kind, key)
      )`);
    await q.query(`
      CREATE TABLE tenant_config_history (
        id bigserial PRIMARY KEY,
        ${TENANT_ID_COLUMN},
        version integer NOT NULL,
        entity text NOT NULL,
        key text NOT NULL,
        action text NOT NULL,
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        old_value jsonb,
        new_value jsonb
      )`);
    await q.query(`CREATE INDEX tenant_config_history_tenant_version ON tenant_config_history (tenant_id, version)`);
    await q.query(`
      CREATE TABLE partner_tokens (
        cache_key text PRIMARY KEY,
        key_id text NOT NULL,
        ciphertext text NOT NULL,
        expires_at timestamptz NOT NULL,
        ${UPDATED_AT_COLUMN}
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE partner_tokens`);
    await q.query(`DROP TABLE tenant_config_history`);
    await q.query(`DROP TABLE tenant_mappings`);
    await q.query(`DROP TABLE tenant_connections`);
    await q.query(`DROP TABLE tenants`);
  }
}
