import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Partner } from '../tenants.types';

/** One partner connection. Non-secret fields live in `publicConfig`; all secrets in one sealed JSON blob. */
@Entity({ name: 'tenant_connections' })
export class ConnectionEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text' })
  partner!: Partner;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl!: string;

  @Column({ name: 'auth_type', type: 'text' })
  authType!: string;

  @Column({ name: 'public_config', type: 'jsonb' })
  publicConfig!: Record<string, unknown>;

  @Column({ name: 'secret_ciphertext', type: 'text' })
  secretCiphertext!: string;

  @Column({ name: 'secret_key_id', type: 'text' })
  secretKeyId!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
