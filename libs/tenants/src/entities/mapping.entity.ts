import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MappingKind } from '../tenants.types';

@Entity({ name: 'tenant_mappings' })
export class MappingEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text' })
  kind!: MappingKind;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'jsonb' })
  value!: Record<string, unknown>;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
