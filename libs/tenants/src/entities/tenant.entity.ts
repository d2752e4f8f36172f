import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TenantMode, TenantSettings } from '../tenants.types';

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  mode!: TenantMode;

  @Column({ type: 'jsonb' })
  settings!: TenantSettings;

  @Column({ name: 'config_version', type: 'integer' })
  configVersion!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
