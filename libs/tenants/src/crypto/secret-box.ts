import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TenantCryptoError } from '../tenants.errors';
import { as } from '@mlc/platform-config';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

export interface SealedValue {
  keyId: string;
  /** `v1.<iv>.<tag>.<ciphertext>`, each base64. */
  ciphertext: string;
}

/**
 * AES-256-GCM with a key ring. Keys come from `MLC_ENCRYPTION_KEYS` = `k2:<base64 32 bytes>,k1:<base64 32 bytes>`;
 * the first is active (used to encrypt), the rest only decrypt (kept until `reencryptAll()` has moved every row).
 * `aad` binds a ciphertext to its place (tenant/partner/column), so a value copied into another row fails to open.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly activeKeyId: string;

  constructor(keyRing: string | ReadonlyArray<{ id: string; key: Buffer }>) {
    const entries = typeof keyRing === 'string' ? parseKeyRing(keyRing) : keyRing;
    const first = entries[0];
    if (!first) throw new TenantCryptoError('MLC_ENCRYPTION_KEYS holds no key');
    for (const { id, key } of entries) {
      if (key.length !== 32) throw new TenantCryptoError(`encryption key "${id}" must be 32 bytes`, { keyId: id });
      if (this.keys.has(id)) throw new TenantCryptoError(`encryption key id "${id}" appears twice`, { keyId: id });
      this.keys.set(id, key);
    }
    this.activeKeyId = first.id;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
    const raw = env['MLC_ENCRYPTION_KEYS'];
    if (!raw) throw new TenantCryptoError('MLC_ENCRYPTION_KEYS is not set');
    return new SecretBox(raw);
  }

  /** A fresh random key in the env format, for tests and `mlc` operators. */
  static generateKey(id: string): string {
    return `${id}:${randomBytes(32).toString('base64')}`;
  }

  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(plaintext: string, aad: string): SealedValue {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return { keyId: this.activeKeyId, ciphertext: [FORMAT, iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join('.') };
  }

  open(sealed: SealedValue, aad: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new TenantCryptoError(`no decryption key with id "${sealed.keyId}" in MLC_ENCRYPTION_KEYS`, { keyId: sealed.keyId });
    const parts = sealed.ciphertext.split('.');
    if (parts.length !== 4 || parts[0] !== FORMAT) throw new TenantCryptoError('stored secret has an unknown format', { keyId: sealed.keyId });
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(parts[1]!, 'base64'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(parts[2]!, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // No cause attached: the crypto error says nothing secret, but keep the surface minimal.
      throw new TenantCryptoError(`stored secret could not be decrypted with key "${sealed.keyId}" (wrong key or tampered value)`, {
        keyId: sealed.keyId,
      });
    }
  }
}

function parseKeyRing(raw: string): Array<{ id: string; key: Buffer }> {
  return as.list(raw).map((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new TenantCryptoError(`MLC_ENCRYPTION_KEYS entry ${index + 1} must look like <id>:<base64 key>`);
    const id = entry.slice(0, colon);
    const b64 = entry.slice(colon + 1);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new TenantCryptoError(`encryption key "${id}" is not base64`, { keyId: id });
    return { id, key: Buffer.from(b64, 'base64') };
  });
}
