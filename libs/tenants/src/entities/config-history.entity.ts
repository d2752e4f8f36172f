import 'reflect-metadata';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ChangeAction, ChangeEntity } from '../tenants.types';

/** Append-only: who changed what, when, old -> new (secrets masked). */
@Entity({ name: 'tenant_config_history' })
export class ConfigHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  entity!: ChangeEntity;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  action!: ChangeAction;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'old_value', type: 'jsonb', nullable: true })
  oldValue!: unknown;

  @Column({ name: 'new_value', type: 'jsonb', nullable: true })
  newValue!: unknown;
}
