import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenException, Inject, Injectable, mixin, UnauthorizedException, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';
import { TENANTS_ADMIN_OPTIONS } from './tenants-admin.tokens';
import type { ResolvedAdminOptions } from './tenants-admin.options';
import { as } from '@mlc/platform-config';

/** One operator API key and what it may touch: '*' or a single tenant. */
export interface OperatorKey {
  key: string;
  tenant: string;
}

/** What the guard attaches to the request. */
export interface OperatorIdentity {
  /** Short, log-safe fingerprint of the key (never the key). */
  keyId: string;
  tenant: string;
  actor: string;
}

/** `MLC_OPERATOR_API_KEYS` = `opskey1:*,acmekey:tenant-acme` (key -> '*' or a tenant). */
export function parseOperatorKeys(raw: string | undefined): OperatorKey[] {
  if (!raw) return [];
  return as.list(raw).map((entry, i) => {
    const colon = entry.lastIndexOf(':');
    if (colon <= 0 || colon === entry.length - 1)
      throw new AppError('TENANTS.CONFIG', `MLC_OPERATOR_API_KEYS entry ${i + 1} must look like <key>:<tenant or *>`);
    const key = entry.slice(0, colon);
    if (key.length < 6) throw new AppError('TENANTS.CONFIG', `MLC_OPERATOR_API_KEYS entry ${i + 1}: key is shorter than 6 characters`);
    return { key, tenant: entry.slice(colon + 1) };
  });
}

export function keyFingerprint(key: string): string {
  return `key#${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/**
 * Whether an identity may act on a tenant. A scoped value matches the tenant id itself, and also `tenant-<id>`
 * (so `acmekey:tenant-acme` reaches tenant `acme`).
 */
export function mayAccess(who: Pick<OperatorIdentity, 'tenant'>, tenantId: string): boolean {
  return who.tenant === '*' || who.tenant === tenantId || who.tenant === `tenant-${tenantId}`;
}

export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x) return x;
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return undefined;
}

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  operator?: OperatorIdentity;
}

/** Why a request's operator key was not accepted, in the words every operator endpoint answers with. */
export const OPERATOR_KEY_MISSING = 'an operator API key is required (x-api-key or Authorization: Bearer)';
export const OPERATOR_KEY_INVALID = 'the operator API key is not valid';

/**
 * The configured operator keys (MLC_OPERATOR_API_KEYS), matched against the key a request presents (`x-api-key` or
 * `Authorization: Bearer`) by SHA-256 digest in constant time per key. The admin API's guard and the services' own
 * operator endpoints (oracle-poller, fusion-writer) all check keys through it.
 */
export class OperatorKeyRing {
  private readonly digests: Array<{ digest: Buffer; entry: OperatorKey }>;

  constructor(keys: readonly OperatorKey[]) {
    this.digests = keys.map((entry) => ({ digest: sha(entry.key), entry }));
  }

  /** The configured key the headers present; `missing` when they present none, `invalid` when it is not configured. */
  match(headers: Record<string, string | string[] | undefined>): OperatorKey | 'missing' | 'invalid' {
    const key = presentedKey(headers);
    if (!key) return 'missing';
    const d = sha(key);
    // Compare against every key in constant time per key, so timing says nothing about which one is close.
    let match: OperatorKey | undefined;
    for (const { digest, entry } of this.digests) if (timingSafeEqual(digest, d) && !match) match = entry;
    return match ?? 'invalid';
  }
}

@Injectable()
export class OperatorAuthGuard implements CanActivate {
  private readonly ring: OperatorKeyRing;

  constructor(@Inject(TENANTS_ADMIN_OPTIONS) opts: ResolvedAdminOptions) {
    this.ring = new OperatorKeyRing(opts.operatorKeys);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    const match = this.ring.match(req.headers);
    if (match === 'missing') throw new AppError('TENANTS.UNAUTHENTICATED', OPERATOR_KEY_MISSING);
    if (match === 'invalid') throw new AppError('TENANTS.UNAUTHENTICATED', OPERATOR_KEY_INVALID);
    const actorHeader = req.headers['x-mlc-actor'];
    const name = typeof actorHeader === 'string' && /^[\w.@ -]{1,100}$/.test(actorHeader) ? actorHeader : 'operator';
    const who: OperatorIdentity = { keyId: keyFingerprint(match.key), tenant: match.tenant, actor: `${name} (${keyFingerprint(match.key)})` };
    req.operator = who;
    const tenantId = req.params?.['tenantId'];
    if (tenantId !== undefined && !mayAccess(who, tenantId))
      throw new AppError('TENANTS.FORBIDDEN', 'this API key may not access that tenant', { details: { tenantId } });
    return true;
  }
}

/**
 * The guard of a service's own operator endpoints (oracle-poller's sync and backfill, fusion-writer's waiting list):
 * keys from the service's `operatorApiKeys` setting (MLC_OPERATOR_API_KEYS, read from the configuration behind
 * `configToken`), answered with Nest's HTTP errors: 401 when the key is missing or not valid, 403 when a scoped key
 * asks for another tenant's `:tenantId`. `req.operator` names the key that passed.
 */
export function serviceOperatorGuard(configToken: symbol): Type<CanActivate> {
  @Injectable()
  class ServiceOperatorGuard implements CanActivate {
    private readonly ring: OperatorKeyRing;

    constructor(@Inject(configToken) config: { operatorApiKeys?: string }) {
      this.ring = new OperatorKeyRing(parseOperatorKeys(config.operatorApiKeys));
    }

    canActivate(ctx: ExecutionContext): boolean {
      const req = ctx.switchToHttp().getRequest<Omit<GuardedRequest, 'operator'> & { operator?: Pick<OperatorIdentity, 'keyId' | 'tenant'> }>();
      const match = this.ring.match(req.headers);
      if (match === 'missing') throw new UnauthorizedException(OPERATOR_KEY_MISSING);
      if (match === 'invalid') throw new UnauthorizedException(OPERATOR_KEY_INVALID);
      const tenantId = req.params?.['tenantId'];
      if (tenantId !== undefined && !mayAccess(match, tenantId)) throw new ForbiddenException('this API key may not access that tenant');
      req.operator = { keyId: keyFingerprint(match.key), tenant: match.tenant };
      return true;
    }
  }
  return mixin(ServiceOperatorGuard);
}

function sha(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
