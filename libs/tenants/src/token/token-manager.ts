import { createHash } from 'node:crypto';
import { AppError } from '@mlc/platform-errors';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box';
import { advisoryLockKey } from '../data-source';
import { PartnerTokenEntity } from '../entities/partner-token.entity';
import { tokenAad } from '../tenant-config.service';
import { TenantCryptoError } from '../tenants.errors';

/** What a token endpoint gave back. */
export interface TokenGrant {
  accessToken: string;
  /** Lifetime from now (e.g. expires_in * 1000); or give `expiresAt`. Default 1 h. */
  expiresInMs?: number;
  expiresAt?: number;
  /** A rotated refresh token (ShipBob, Shopify expiring tokens): replaces the stored one atomically. */
  refreshToken?: string;
}

/** One credential's token supply, e.g. the ShipBob OAuth app of tenant acme. */
export interface TokenSource {
  /** Stable across replicas, e.g. `acme:shipbob`. */
  key: string;
  /** Calls the token endpoint; gets the current refresh token (the stored rotated one, else `initialRefreshToken`). */
  fetch(ctx: { refreshToken: string | undefined }): Promise<TokenGrant>;
  /** The refresh token from the tenant's connection; when an operator replaces it, the stored chain restarts from it. */
  initialRefreshToken?: string;
}

export interface TokenManagerOptions {
  dataSource: DataSource;
  secretBox: SecretBox;
  /** Refresh this long before expiry (capped at half the token's lifetime). Default 60 000. */
  refreshMarginMs?: number;
  /** How long a replica waits for another one's refresh. Default 30 000. */
  lockTimeoutMs?: number;
  now?: () => number;
  /** Whether an error thrown by the caller's request means "token rejected". Default: HTTP 401 in any usual place. */
  isUnauthorized?: (err: unknown) => boolean;
}

interface StoredToken {
  accessToken: string;
  refreshToken?: string;
  issuedAt: number;
  expiresAt: number;
  /** sha256 of the initialRefreshToken this chain started from. */
  seed?: string;
}

const DEFAULT_MARGIN_MS = 60_000;
const DEFAULT_LIFETIME_MS = 3_600_000;

/**
 * Access tokens shared by every replica: cached in memory and in `partner_tokens` (sealed), refreshed before expiry
 * under a Postgres advisory lock per source, so two replicas never spend the same (rotating) refresh token: the
 * second waits for the lock, then finds the first one's fresh token in the table.
 */
export class TokenManager {
  private readonly ds: DataSource;
  private readonly box: SecretBox;
  private readonly marginMs: number;
  private readonly lockTimeoutMs: number;
  private readonly now: () => number;
  private readonly isUnauthorized: (err: unknown) => boolean;
  private readonly memory = new Map<string, StoredToken>();
  private readonly inflight = new Map<string, Promise<StoredToken>>();

  constructor(opts: TokenManagerOptions) {
    this.ds = opts.dataSource;
    this.box = opts.secretBox;
    this.marginMs = opts.refreshMarginMs ?? DEFAULT_MARGIN_MS;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.isUnauthorized = opts.isUnauthorized ?? isHttp401;
  }

  /** A valid access token; `rejected` = a token the partner just refused (forces a fresh one unless already replaced). */
  async getToken(source: TokenSource, opts: { rejected?: string } = {}): Promise<string> {
    const seed = seedOf(source.initialRefreshToken);
    const mem = this.memory.get(source.key);
    if (mem && this.usable(mem, seed, opts.rejected)) return mem.accessToken;
    const running = this.inflight.get(source.key);
    if (running) {
      const t = await running.catch(() => undefined);
      if (t && this.usable(t, seed, opts.rejected)) return t.accessToken;
    }
    const p = this.obtain(source, seed, opts.rejected);
    this.inflight.set(source.key, p);
    try {
      const t = await p;
      this.memory.set(source.key, t);
      return t.accessToken;
    } finally {
      if (this.inflight.get(source.key) === p) this.inflight.delete(source.key);
    }
  }

  /** Runs `fn` with a token; if it fails with 401, gets a fresh token and tries exactly once more. */
  async withToken<T>(source: TokenSource, fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.getToken(source);
    try {
      return await fn(token);
    } catch (err) {
      if (!this.isUnauthorized(err)) throw err;
      const fresh = await this.getToken(source, { rejected: token });
      return fn(fresh);
    }
  }

  /** The same, bound to one source, for a partner client to hold. */
  forSource(source: TokenSource): { getToken(): Promise<string>; withToken<T>(fn: (token: string) => Promise<T>): Promise<T> } {
    return { getToken: () => this.getToken(source), withToken: (fn) => this.withToken(source, fn) };
  }

  /** Forgets the memory copy (the table copy stays for other replicas). */
  forget(key: string): void {
    this.memory.delete(key);
  }

  private usable(t: StoredToken, seed: string | undefined, rejected: string | undefined): boolean {
    if (rejected !== undefined && t.accessToken === rejected) return false;
    if (seed !== undefined && t.seed !== seed) return false;
    const margin = Math.min(this.marginMs, (t.expiresAt - t.issuedAt) / 2);
    return this.now() < t.expiresAt - margin;
  }

  private async obtain(source: TokenSource, seed: string | undefined, rejected: string | undefined): Promise<StoredToken> {
    // Fast path: another replica may already hold a fresh one.
    const row = await this.ds.getRepository(PartnerTokenEntity).findOne({ where: { cacheKey: source.key } });
    const stored = row ? this.openRow(row) : undefined;
    if (stored && this.usable(stored, seed, rejected)) return stored;

    return this.ds.transaction(async (m) => {
      await m.query(`SELECT set_config('lock_timeout', $1, true)`, [`${this.lockTimeoutMs}ms`]);
      await m.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey(`mlc:partner-token:${source.key}`)]);
      const locked = await m.findOne(PartnerTokenEntity, { where: { cacheKey: source.key } });
      const current = locked ? this.openRow(locked) : undefined;
      if (current && this.usable(current, seed, rejected)) return current;
      // Continue the stored rotation chain unless an operator put a different refresh token in the connection.
      const refreshToken =
        current && (seed === undefined || current.seed === seed) ? (current.refreshToken ?? source.initialRefreshToken) : source.initialRefreshToken;
      const grant = await source.fetch({ refreshToken });
      if (!grant || typeof grant.accessToken !== 'string' || !grant.accessToken) {
        throw new AppError('TENANTS.TOKEN_INVALID', 'token endpoint returned no access token', { details: { source: source.key } });
      }
      const issuedAt = this.now();
      const expiresAt = grant.expiresAt ?? issuedAt + (grant.expiresInMs ?? DEFAULT_LIFETIME_MS);
      const next: StoredToken = { accessToken: grant.accessToken, issuedAt, expiresAt, ...(seed ? { seed } : {}) };
      const nextRefresh = grant.refreshToken ?? refreshToken;
      if (nextRefresh !== undefined) next.refreshToken = nextRefresh;
      const sealed = this.box.seal(JSON.stringify(next), tokenAad(source.key));
      await m.query(
        `INSERT INTO partner_tokens (cache_key, key_id, ciphertext, expires_at, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (cache_key) DO UPDATE SET key_id = EXCLUDED.key_id, ciphertext = EXCLUDED.ciphertext, expires_at = EXCLUDED.expires_at, updated_at = now()`,
        [source.key, sealed.keyId, sealed.ciphertext, new Date(expiresAt)],
      );
      return next;
    });
  }

  /**
   * A stored token sealed under a key this process does not have (the key was lost or rotated away) is as good as
   * none: a new one is obtained and overwrites it. A rotated refresh token in such a row is gone with it; the
   * connection's own refresh token is used, and if the partner refuses that, the 401 says re-authorisation is needed.
   */
  private openRow(row: PartnerTokenEntity): StoredToken | undefined {
    try {
      return JSON.parse(this.box.open({ keyId: row.keyId, ciphertext: row.ciphertext }, tokenAad(row.cacheKey))) as StoredToken;
    } catch (err) {
      if (err instanceof TenantCryptoError) return undefined;
      throw err;
    }
  }
}

function seedOf(refreshToken: string | undefined): string | undefined {
  return refreshToken === undefined ? undefined : createHash('sha256').update(refreshToken).digest('base64url');
}

/** 401 as partner clients usually report it: `status`, `statusCode`, `details.status`, or an `*.UNAUTHORIZED` code. */
export function isHttp401(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { status?: unknown; statusCode?: unknown; code?: unknown; details?: { status?: unknown; httpStatus?: unknown } };
  if (e.status === 401 || e.statusCode === 401 || e.details?.status === 401 || e.details?.httpStatus === 401) return true;
  return typeof e.code === 'string' && /(^|\.)(UNAUTHORIZED|UNAUTHENTICATED|AUTH)$/.test(e.code);
}
