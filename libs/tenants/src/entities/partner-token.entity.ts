import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Partner access/refresh tokens shared by every replica; the pair is sealed together. */
@Entity({ name: 'partner_tokens' })
export class PartnerTokenEntity {
  @PrimaryColumn({ name: 'cache_key', type: 'text' })
  cacheKey!: string;

  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  @Column({ type: 'text' })
  ciphertext!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
