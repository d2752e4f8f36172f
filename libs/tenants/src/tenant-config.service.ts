import { isDeepStrictEqual } from 'node:util';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { SecretBox } from './crypto/secret-box';
import { ConfigHistoryEntity } from './entities/config-history.entity';
import { ConnectionEntity } from './entities/connection.entity';
import { MappingEntity } from './entities/mapping.entity';
import { PartnerTokenEntity } from './entities/partner-token.entity';
import { TenantEntity } from './entities/tenant.entity';
import { csvToMappings, mappingsToCsv } from './mapping-csv';
import { enqueueChanges, TenantChangeOutboxRelay, type OutboxRelayOptions } from './outbox/tenant-change.outbox';
import {
  applySettingsPatch,
  joinSecrets,
  maskConnection,
  mergeConnectionPatch,
  normalizeConnection,
  secretPaths,
  splitSecrets,
  validateMapping,
  validateMappingKind,
  validateMode,
  validateTenantId,
  validateTenantName,
} from './tenant-config.validation';
import { TenantConflictError, TenantCryptoError, TenantNotFoundError, TenantValidationError } from './tenants.errors';
import {
  DEFAULT_SETTINGS,
  MAPPING_KINDS,
  PARTNERS,
  type ChangeAction,
  type ChangeEntity,
  type Connection,
  type ConnectionInput,
  type ConnectionSummary,
  type HistoryEntry,
  type MappingEntry,
  type MappingKind,
  type MappingValueByKind,
  type Partner,
  type TenantChangePublisher,
  type TenantConfigChange,
  type TenantDetails,
  type TenantInput,
  type TenantMode,
  type TenantSettingsPatch,
  type TenantSnapshot,
  type TenantSummary,
} from './tenants.types';

export interface TenantsLogger {
  warn(message: string, context?: Record<string, unknown>): void;
}

export interface TenantConfigServiceOptions {
  dataSource: DataSource;
  secretBox: SecretBox;
  /** Where the outbox relay publishes changes (Kafka in services; InMemoryTenantChangePublisher in tests). */
  publisher: TenantChangePublisher;
  /**
   * How long a mutating call waits for its change to be relayed after commit (default 5000). Past that, or when
   * publishing fails, the call still succeeds: the change is committed and waits in the outbox for the relay.
   */
  relayWaitMs?: number;
  relay?: OutboxRelayOptions;
  /** How long a snapshot is served from memory; 0 disables the cache. Default 2000. */
  snapshotCacheTtlMs?: number;
  now?: () => number;
  logger?: TenantsLogger;
}

interface PendingChange {
  entity: ChangeEntity;
  key: string;
  action: ChangeAction;
  oldValue: unknown;
  newValue: unknown;
}

export interface ImportResult {
  kind: MappingKind;
  rows: number;
  replaced: boolean;
  configVersion: number;
}

const DEFAULT_CACHE_TTL_MS = 2000;

export function connectionAad(tenantId: string, partner: Partner): string {
  return `tenant-connection:${tenantId}:${partner}`;
}

export interface ReencryptResult {
  activeKeyId: string;
  /** Rows moved to the active key. */
  connections: number;
  tokens: number;
  /** Rows sealed under a key that is not configured: left as they are. */
  unreadable: Array<{ kind: 'connection'; tenantId: string; partner: string; keyId: string } | { kind: 'token'; tokenKey: string; keyId: string }>;
}

export interface KeyUsage {
  activeKeyId: string;
  keys: Array<{ keyId: string; configured: boolean; active: boolean; connections: number; tokens: number }>;
}

/**
 * Tenants, their partner connections (secrets sealed with AES-256-GCM) and mapping tables. Every change bumps the
 * tenant's config version, is written to the history (secrets masked) and published as a TenantConfigChange.
 */
export class TenantConfigService {
  private readonly ds: DataSource;
  private readonly box: SecretBox;
  private readonly relay: TenantChangeOutboxRelay;
  private readonly relayWaitMs: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly logger: TenantsLogger;
  private readonly cache = new Map<string, { expiresAt: number; snapshot: Promise<TenantSnapshot> }>();

  constructor(opts: TenantConfigServiceOptions) {
    this.ds = opts.dataSource;
    this.box = opts.secretBox;
    this.ttlMs = opts.snapshotCacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? { warn: (m, c) => console.warn(JSON.stringify({ level: 'warn', msg: m, ...c })) };
    this.relay = new TenantChangeOutboxRelay(this.ds, opts.publisher, this.logger, opts.relay);
    this.relayWaitMs = opts.relayWaitMs ?? 5000;
  }

  get secretBox(): SecretBox {
    return this.box;
  }

  /**
   * The transactional outbox of change events: `start()` it in the one service that hosts the admin API (it retries
   * until every change is published), `relayPending()` to flush now, `pending()` to count what waits.
   */
  get outbox(): TenantChangeOutboxRelay {
    return this.relay;
  }

  // ---------- tenants ----------

  async listTenants(): Promise<TenantSummary[]> {
    const rows = await this.ds.getRepository(TenantEntity).find({ order: { id: 'ASC' } });
    return rows.map(toSummary);
  }

  async createTenant(input: TenantInput, actor: string): Promise<TenantDetails> {
    const id = validateTenantId(input?.id);
    const name = validateTenantName(input.name);
    const mode = validateMode(input.mode ?? 'live');
    const settings = applySettingsPatch(DEFAULT_SETTINGS, input.settings ?? {});
    const who = checkActor(actor);
    const change = await this.ds.transaction(async (m) => {
      const at = new Date(this.now());
      const inserted = (await m.query(
        `INSERT INTO tenants (id, name, mode, settings, config_version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, name, mode, JSON.stringify(settings), at],
      )) as unknown[];
      if (inserted.length === 0) throw new TenantConflictError(`tenant "${id}" already exists`, { tenantId: id });
      const c: TenantConfigChange = {
        tenantId: id,
        version: 1,
        entity: 'tenant',
        key: id,
        action: 'created',
        actor: who,
        at: at.toISOString(),
        oldValue: null,
        newValue: { name, mode, settings },
      };
      await m.insert(ConfigHistoryEntity, historyRow(c));
      await enqueueChanges(m, [c]);
      return c;
    });
    await this.emit([change]);
    return this.getTenant(id);
  }

  async getTenant(tenantId: string): Promise<TenantDetails> {
    const t = await this.requireTenant(this.ds.manager, tenantId);
    const connections = await this.listConnections(tenantId);
    const counts = (await this.ds.query(`SELECT kind, count(*)::int AS n FROM tenant_mappings WHERE tenant_id = $1 GROUP BY kind`, [tenantId])) as Array<{
      kind: MappingKind;
      n: number;
    }>;
    const mappingCounts = Object.fromEntries(MAPPING_KINDS.map((k) => [k, counts.find((c) => c.kind === k)?.n ?? 0])) as Record<MappingKind, number>;
    return { ...toSummary(t), settings: t.settings, connections, mappingCounts };
  }

  /** Renames, switches mode or patches settings. `expectedVersion`, when given, must match (optimistic locking). */
  async updateTenant(
    tenantId: string,
    patch: { name?: string; mode?: TenantMode; settings?: TenantSettingsPatch },
    actor: string,
    expectedVersion?: number,
  ): Promise<TenantDetails> {
    await this.mutate(tenantId, actor, expectedVersion, async (_m, t) => {
      const changes: PendingChange[] = [];
      const before = { name: t.name, mode: t.mode };
      if (patch.name !== undefined) t.name = validateTenantName(patch.name);
      if (patch.mode !== undefined) t.mode = validateMode(patch.mode);
      if (!isDeepStrictEqual(before, { name: t.name, mode: t.mode }))
        changes.push({ entity: 'tenant', key: tenantId, action: 'updated', oldValue: before, newValue: { name: t.name, mode: t.mode } });
      if (patch.settings !== undefined) {
        const next = applySettingsPatch(t.settings, patch.settings);
        if (!isDeepStrictEqual(next, t.settings)) changes.push({ entity: 'settings', key: tenantId, action: 'updated', oldValue: t.settings, newValue: next });
        t.settings = next;
      }
      return changes;
    });
    return this.getTenant(tenantId);
  }

  async deleteTenant(tenantId: string, actor: string): Promise<void> {
    await this.mutate(
      tenantId,
      actor,
      undefined,
      async (m, t) => {
        await m.delete(TenantEntity, { id: tenantId });
        return [{ entity: 'tenant', key: tenantId, action: 'deleted', oldValue: { name: t.name, mode: t.mode }, newValue: null }];
      },
      { deleted: true },
    );
  }

  // ---------- connections ----------

  async listConnections(tenantId: string): Promise<ConnectionSummary[]> {
    await this.requireTenant(this.ds.manager, tenantId);
    const rows = await this.ds.getRepository(ConnectionEntity).find({ where: { tenantId }, order: { partner: 'ASC' } });
    return rows.map((r) => this.summarize(r));
  }

  /** Creates or replaces a partner connection; omitted secrets are kept when the auth type is unchanged. */
  async setConnection(tenantId: string, input: ConnectionInput, actor: string, expectedVersion?: number): Promise<ConnectionSummary> {
    return this.saveConnection(tenantId, input?.partner, actor, expectedVersion, () => input);
  }

  /**
   * Partial update: `patch` is merged onto the stored connection (JSON merge patch: objects merge, `null` removes a
   * field; secrets are kept unless given; a changed `auth.type` needs that type's fields and secrets), then the result
   * is validated as a whole. Without a stored connection the patch must be a complete connection (as for PUT).
   */
  async patchConnection(
    tenantId: string,
    partner: Partner,
    patch: Record<string, unknown>,
    actor: string,
    expectedVersion?: number,
  ): Promise<ConnectionSummary> {
    return this.saveConnection(tenantId, partner, actor, expectedVersion, (existing, row) => {
      const stored = existing ? (existing as unknown as Record<string, unknown>) : row ? row.publicConfig : {};
      return { ...mergeConnectionPatch(stored, patch), partner } as ConnectionInput;
    });
  }

  private async saveConnection(
    tenantId: string,
    partner: Partner,
    actor: string,
    expectedVersion: number | undefined,
    build: (existing: Connection | undefined, row: ConnectionEntity | null) => ConnectionInput,
  ): Promise<ConnectionSummary> {
    let saved: ConnectionEntity | undefined;
    await this.mutate(tenantId, actor, expectedVersion, async (m, t) => {
      const row = PARTNERS.includes(partner) ? await m.findOne(ConnectionEntity, { where: { tenantId, partner }, lock: { mode: 'pessimistic_write' } }) : null;
      const { existing, unreadable } = row ? this.tryDecryptRow(row) : { existing: undefined, unreadable: undefined };
      const input = build(existing, row);
      let conn: Connection;
      try {
        conn = normalizeConnection(input, existing, t.mode);
      } catch (err) {
        // Stored secrets sealed under a key this process no longer has (lost or rotated away) cannot be kept: say so,
        // and take a connection that brings all of its credentials as the replacement.
        if (unreadable && err instanceof TenantValidationError) {
          const reason = `cannot be decrypted with MLC_ENCRYPTION_KEYS (${unreadable.message}); send the connection with all of its credentials to replace them`;
          throw new TenantValidationError([{ field: `stored ${String(partner)} credentials`, reason }, ...err.problems], 'connection');
        }
        throw err;
      }
      if (existing && isDeepStrictEqual(existing, conn)) {
        saved = row!;
        return [];
      }
      const { publicConfig, secrets } = splitSecrets(conn);
      const sealed = this.box.seal(JSON.stringify(secrets), connectionAad(tenantId, conn.partner));
      const entity = m.create(ConnectionEntity, {
        tenantId,
        partner: conn.partner,
        baseUrl: conn.baseUrl,
        authType: conn.auth.type,
        publicConfig,
        secretCiphertext: sealed.ciphertext,
        secretKeyId: sealed.keyId,
        updatedAt: new Date(this.now()),
      });
      saved = await m.save(entity);
      const oldValue = existing ? maskConnection(existing) : unreadable ? { undecryptable: true, keyId: row!.secretKeyId } : null;
      return [{ entity: 'connection', key: conn.partner, action: row ? 'updated' : 'created', oldValue, newValue: maskConnection(conn, existing) }];
    });
    return this.summarize(saved!);
  }

  async deleteConnection(tenantId: string, partner: Partner, actor: string): Promise<void> {
    await this.mutate(tenantId, actor, undefined, async (m) => {
      const row = await m.findOne(ConnectionEntity, { where: { tenantId, partner }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new TenantNotFoundError('connection', { tenantId, partner });
      await m.delete(ConnectionEntity, { tenantId, partner });
      return [{ entity: 'connection', key: partner, action: 'deleted', oldValue: maskConnection(this.decryptRow(row)), newValue: null }];
    });
  }

  /** The decrypted connection (for pingers and clients). Never log it. */
  async getConnection(tenantId: string, partner: Partner): Promise<Connection> {
    const row = await this.ds.getRepository(ConnectionEntity).findOne({ where: { tenantId, partner } });
    if (!row) {
      await this.requireTenant(this.ds.manager, tenantId);
      throw new TenantNotFoundError('connection', { tenantId, partner });
    }
    return this.decryptRow(row);
  }

  // ---------- mappings ----------

  async listMappings<K extends MappingKind>(tenantId: string, kind: K): Promise<Array<MappingEntry<K>>> {
    validateMappingKind(kind);
    await this.requireTenant(this.ds.manager, tenantId);
    const rows = await this.ds.getRepository(MappingEntity).find({ where: { tenantId, kind }, order: { key: 'ASC' } });
    return rows.map((r) => ({ kind, key: r.key, value: r.value as unknown as MappingValueByKind[K] }));
  }

  async setMapping<K extends MappingKind>(
    tenantId: string,
    kind: K,
    key: string,
    value: MappingValueByKind[K] | unknown,
    actor: string,
    expectedVersion?: number,
  ): Promise<MappingEntry<K>> {
    validateMappingKind(kind);
    const clean = validateMapping(kind, key, value);
    await this.mutate(tenantId, actor, expectedVersion, async (m) => {
      const row = await m.findOne(MappingEntity, { where: { tenantId, kind, key }, lock: { mode: 'pessimistic_write' } });
      if (row && isDeepStrictEqual(row.value, clean)) return [];
      await m.save(m.create(MappingEntity, { tenantId, kind, key, value: clean as unknown as Record<string, unknown>, updatedAt: new Date(this.now()) }));
      return [{ entity: 'mapping', key: `${kind}:${key}`, action: row ? 'updated' : 'created', oldValue: row?.value ?? null, newValue: clean }];
    });
    return { kind, key, value: clean };
  }

  async deleteMapping(tenantId: string, kind: MappingKind, key: string, actor: string): Promise<void> {
    validateMappingKind(kind);
    await this.mutate(tenantId, actor, undefined, async (m) => {
      const row = await m.findOne(MappingEntity, { where: { tenantId, kind, key }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new TenantNotFoundError('mapping', { tenantId, kind, key });
      await m.delete(MappingEntity, { tenantId, kind, key });
      return [{ entity: 'mapping', key: `${kind}:${key}`, action: 'deleted', oldValue: row.value, newValue: null }];
    });
  }

  /**
   * Applies a CSV file to one mapping table in a single transaction and config version: either every row is valid
   * and applied, or TenantValidationError lists each bad row by line number and nothing changes. With `replace`,
   * keys absent from the file are deleted.
   */
  async importMappingsCsv(tenantId: string, kind: MappingKind, csv: string, actor: string, opts: { replace?: boolean } = {}): Promise<ImportResult> {
    validateMappingKind(kind);
    const entries = csvToMappings(kind, csv);
    const version = await this.mutate(tenantId, actor, undefined, async (m) => {
      const existing = await m.find(MappingEntity, { where: { tenantId, kind }, lock: { mode: 'pessimistic_write' } });
      const byKey = new Map(existing.map((r) => [r.key, r]));
      const at = new Date(this.now());
      let upserts = 0;
      const changed = entries.filter((e) => !isDeepStrictEqual(byKey.get(e.key)?.value, e.value));
      if (changed.length) {
        await m.save(
          changed.map((e) => m.create(MappingEntity, { tenantId, kind, key: e.key, value: e.value as unknown as Record<string, unknown>, updatedAt: at })),
          { chunk: 500 },
        );
        upserts = changed.length;
      }
      let deleted: string[] = [];
      if (opts.replace) {
        const keep = new Set(entries.map((e) => e.key));
        deleted = existing.filter((r) => !keep.has(r.key)).map((r) => r.key);
        if (deleted.length)
          await m
            .createQueryBuilder()
            .delete()
            .from(MappingEntity)
            .where('tenant_id = :tenantId AND kind = :kind AND key IN (:...keys)', { tenantId, kind, keys: deleted })
            .execute();
      }
      if (!upserts && !deleted.length) return [];
      return [
        {
          entity: 'mapping',
          key: kind,
          action: 'imported',
          oldValue: { rows: existing.length },
          newValue: { rows: entries.length, upserted: changed.map((e) => e.key).slice(0, 100), deleted: deleted.slice(0, 100), replace: !!opts.replace },
        },
      ];
    });
    return { kind, rows: entries.length, replaced: !!opts.replace, configVersion: version };
  }

  async exportMappingsCsv(tenantId: string, kind: MappingKind): Promise<string> {
    return mappingsToCsv(kind, await this.listMappings(tenantId, kind));
  }

  // ---------- history ----------

  async history(tenantId: string, opts: { limit?: number } = {}): Promise<HistoryEntry[]> {
    const rows = await this.ds
      .getRepository(ConfigHistoryEntity)
      .find({ where: { tenantId }, order: { id: 'DESC' }, take: Math.min(Math.max(opts.limit ?? 100, 1), 1000) });
    return rows.map((r) => ({
      id: Number(r.id),
      tenantId: r.tenantId,
      version: r.version,
      entity: r.entity,
      key: r.key,
      action: r.action,
      actor: r.actor,
      at: r.at.toISOString(),
      oldValue: r.oldValue,
      newValue: r.newValue,
    }));
  }

  // ---------- snapshot + cache ----------

  /** Everything a service needs for one tenant, decrypted, served from a short cache (see `invalidate`). */
  async getTenantSnapshot(tenantId: string): Promise<TenantSnapshot> {
    const now = this.now();
    const hit = this.cache.get(tenantId);
    if (hit && hit.expiresAt > now) return hit.snapshot;
    const snapshot = this.loadSnapshot(tenantId);
    if (this.ttlMs > 0) {
      this.cache.set(tenantId, { expiresAt: now + this.ttlMs, snapshot });
      snapshot.catch(() => {
        if (this.cache.get(tenantId)?.snapshot === snapshot) this.cache.delete(tenantId);
      });
    }
    return snapshot;
  }

  /** Drops the cached snapshot (call it on a TenantConfigChange event to see changes at once). */
  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.cache.clear();
    else this.cache.delete(tenantId);
  }

  private async loadSnapshot(tenantId: string): Promise<TenantSnapshot> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const t = await this.requireTenant(m, tenantId);
      const [conns, maps] = await Promise.all([m.find(ConnectionEntity, { where: { tenantId } }), m.find(MappingEntity, { where: { tenantId } })]);
      const connections: TenantSnapshot['connections'] = {};
      for (const r of conns) Object.assign(connections, { [r.partner]: this.decryptRow(r) });
      const mappings = Object.fromEntries(MAPPING_KINDS.map((k) => [k, {}])) as TenantSnapshot['mappings'];
      for (const r of maps) if (r.kind in mappings) (mappings[r.kind] as Record<string, unknown>)[r.key] = r.value;
      return { tenantId, name: t.name, mode: t.mode, configVersion: t.configVersion, settings: t.settings, connections, mappings, loadedAt: this.now() };
    });
  }

  // ---------- key rotation ----------

  /**
   * Re-seals every connection secret and stored token that is not under the active key. Idempotent. A value sealed
   * under a key that is not configured (lost) cannot be moved: it is left as it is and reported in `unreadable`, and
   * the rest still move (set such a connection again with all of its credentials).
   */
  async reencryptAll(): Promise<ReencryptResult> {
    const active = this.box.activeKeyId;
    const unreadable: ReencryptResult['unreadable'] = [];
    const connections = await this.ds.transaction(async (m) => {
      const rows = await m.createQueryBuilder(ConnectionEntity, 'c').where('c.secret_key_id <> :active', { active }).setLock('pessimistic_write').getMany();
      let moved = 0;
      for (const r of rows) {
        if (!this.box.hasKey(r.secretKeyId)) {
          unreadable.push({ kind: 'connection', tenantId: r.tenantId, partner: r.partner, keyId: r.secretKeyId });
          continue;
        }
        const aad = connectionAad(r.tenantId, r.partner);
        const sealed = this.box.seal(this.box.open({ keyId: r.secretKeyId, ciphertext: r.secretCiphertext }, aad), aad);
        await m.update(ConnectionEntity, { tenantId: r.tenantId, partner: r.partner }, { secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId });
        moved += 1;
      }
      return moved;
    });
    const tokens = await this.ds.transaction(async (m) => {
      const rows = await m.createQueryBuilder(PartnerTokenEntity, 't').where('t.key_id <> :active', { active }).setLock('pessimistic_write').getMany();
      let moved = 0;
      for (const r of rows) {
        if (!this.box.hasKey(r.keyId)) {
          // A cached token is disposable: a new one is fetched when needed (TokenManager treats it as absent).
          unreadable.push({ kind: 'token', tokenKey: r.cacheKey, keyId: r.keyId });
          continue;
        }
        const aad = tokenAad(r.cacheKey);
        const sealed = this.box.seal(this.box.open({ keyId: r.keyId, ciphertext: r.ciphertext }, aad), aad);
        await m.update(PartnerTokenEntity, { cacheKey: r.cacheKey }, { ciphertext: sealed.ciphertext, keyId: sealed.keyId });
        moved += 1;
      }
      return moved;
    });
    this.invalidate();
    return { connections, tokens, activeKeyId: active, unreadable };
  }

  /** Which key ids the stored values are sealed under (and whether each is configured): check before dropping a key. */
  async keyUsage(): Promise<KeyUsage> {
    const count = async (sql: string) => (await this.ds.query(sql)) as Array<{ key_id: string; n: string }>;
    const conns = await count(`SELECT secret_key_id AS key_id, count(*) AS n FROM tenant_connections GROUP BY 1 ORDER BY 1`);
    const toks = await count(`SELECT key_id, count(*) AS n FROM partner_tokens GROUP BY 1 ORDER BY 1`);
    const ids = [...new Set([...conns, ...toks].map((r) => r.key_id))].sort();
    return {
      activeKeyId: this.box.activeKeyId,
      keys: ids.map((keyId) => ({
        keyId,
        configured: this.box.hasKey(keyId),
        active: keyId === this.box.activeKeyId,
        connections: Number(conns.find((r) => r.key_id === keyId)?.n ?? 0),
        tokens: Number(toks.find((r) => r.key_id === keyId)?.n ?? 0),
      })),
    };
  }

  // ---------- internals ----------

  /** The stored connection, or why its secrets cannot be opened (only crypto failures; anything else throws). */
  private tryDecryptRow(r: ConnectionEntity): { existing: Connection; unreadable?: undefined } | { existing: undefined; unreadable: TenantCryptoError } {
    try {
      return { existing: this.decryptRow(r) };
    } catch (err) {
      if (err instanceof TenantCryptoError) return { existing: undefined, unreadable: err };
      throw err;
    }
  }

  private decryptRow(r: ConnectionEntity): Connection {
    const secrets = JSON.parse(this.box.open({ keyId: r.secretKeyId, ciphertext: r.secretCiphertext }, connectionAad(r.tenantId, r.partner))) as Record<
      string,
      unknown
    >;
    return joinSecrets(r.publicConfig, secrets);
  }

  private summarize(r: ConnectionEntity): ConnectionSummary {
    const { partner: _p, baseUrl: _b, auth, ...settings } = r.publicConfig;
    const { type: _t, ...authSettings } = (auth ?? {}) as Record<string, unknown>;
    return {
      partner: r.partner,
      baseUrl: r.baseUrl,
      authType: r.authType,
      settings: { ...settings, ...(Object.keys(authSettings).length ? { auth: authSettings } : {}) },
      ...this.secretsOf(r),
      updatedAt: r.updatedAt.toISOString(),
    };
  }

  /** Which secrets are set; a row whose secrets cannot be opened says so instead of failing the whole listing. */
  private secretsOf(r: ConnectionEntity): Pick<ConnectionSummary, 'secretsSet' | 'secretsUnreadable'> {
    const { existing, unreadable } = this.tryDecryptRow(r);
    return existing
      ? { secretsSet: secretPaths(existing) }
      : { secretsSet: [], secretsUnreadable: `${unreadable.message}; set the connection again with all of its credentials` };
  }

  private async requireTenant(m: EntityManager, tenantId: string, lock = false): Promise<TenantEntity> {
    if (typeof tenantId !== 'string' || !tenantId) throw new TenantValidationError([{ field: 'tenantId', reason: 'is required' }], 'request');
    const t = await m.findOne(TenantEntity, { where: { id: tenantId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!t) throw new TenantNotFoundError('tenant', { tenantId });
    return t;
  }

  /** Locks the tenant row, runs `fn`, and when it reports changes bumps the version and writes history. */
  private async mutate(
    tenantId: string,
    actor: string,
    expectedVersion: number | undefined,
    fn: (m: EntityManager, tenant: TenantEntity) => Promise<PendingChange[]>,
    opts: { deleted?: boolean } = {},
  ): Promise<number> {
    const who = checkActor(actor);
    const { version, changes } = await this.ds.transaction(async (m) => {
      const t = await this.requireTenant(m, tenantId, true);
      if (expectedVersion !== undefined && expectedVersion !== t.configVersion) {
        throw new TenantConflictError(`tenant "${tenantId}" is at config version ${t.configVersion}, not ${expectedVersion}`, {
          tenantId,
          configVersion: t.configVersion,
          expectedVersion,
        });
      }
      const pending = await fn(m, t);
      if (!pending.length) return { version: t.configVersion, changes: [] as TenantConfigChange[] };
      const next = t.configVersion + 1;
      const at = new Date(this.now());
      if (!opts.deleted)
        await m.update(TenantEntity, { id: tenantId }, { name: t.name, mode: t.mode, settings: t.settings, configVersion: next, updatedAt: at });
      const full = pending.map((c): TenantConfigChange => ({ tenantId, version: next, actor: who, at: at.toISOString(), ...c }));
      await m.insert(ConfigHistoryEntity, full.map(historyRow));
      await enqueueChanges(m, full);
      return { version: next, changes: full };
    });
    if (changes.length) {
      this.invalidate(tenantId);
      await this.emit(changes);
    }
    return version;
  }

  /**
   * The changes are already in the outbox (same transaction). Relay them now, waiting at most `relayWaitMs`: a slow or
   * failed publish is logged and left to the relay loop, which retries until the broker acknowledges.
   */
  private async emit(changes: TenantConfigChange[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const relayed = this.relay.relayPending().then(
      () => true,
      (err: unknown) => {
        const c = changes[0]!;
        this.logger.warn('tenant config change committed but not yet published; it waits in the outbox and is retried', {
          tenantId: c.tenantId,
          version: c.version,
          error: (err as { code?: string }).code ?? (err as Error).name,
        });
        return true;
      },
    );
    const waited = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.relayWaitMs)));
    await Promise.race([relayed, waited]);
    clearTimeout(timer);
  }
}

export function tokenAad(cacheKey: string): string {
  return `partner-token:${cacheKey}`;
}

function toSummary(t: TenantEntity): TenantSummary {
  return { id: t.id, name: t.name, mode: t.mode, configVersion: t.configVersion, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString() };
}

function historyRow(c: TenantConfigChange): QueryDeepPartialEntity<ConfigHistoryEntity> {
  return <QueryDeepPartialEntity<ConfigHistoryEntity>>{
    tenantId: c.tenantId,
    version: c.version,
    entity: c.entity,
    key: c.key,
    action: c.action,
    actor: c.actor,
    at: new Date(c.at),
    oldValue: c.oldValue ?? null,
    newValue: c.newValue ?? null,
  };
}

function checkActor(actor: string): string {
  if (typeof actor !== 'string' || !actor.trim() || actor.length > 200)
    throw new TenantValidationError([{ field: 'actor', reason: 'is required (who makes the change), at most 200 characters' }], 'request');
  return actor.trim();
}
