import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { parseOperatorKeys, type OperatorKey } from '@mlc/tenants';
import { ORACLE_POLLER_CONFIG, type OraclePollerConfig } from '../config/oracle-poller.config';

const sha = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  operator?: { keyId: string; tenant: string };
}

/**
 * Operator API keys as the admin API takes them (`x-api-key` or `Authorization: Bearer`, MLC_OPERATOR_API_KEYS =
 * `key:*` or `key:<tenant>`), compared in constant time; a scoped key reaches only its tenant (`:tenantId`).
 */
@Injectable()
export class OperatorKeyGuard implements CanActivate {
  private readonly keys: Array<{ digest: Buffer; entry: OperatorKey }>;

  constructor(@Inject(ORACLE_POLLER_CONFIG) config: OraclePollerConfig) {
    this.keys = parseOperatorKeys(config.operatorApiKeys).map((entry) => ({ digest: sha(entry.key), entry }));
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    const x = req.headers['x-api-key'];
    const auth = req.headers['authorization'];
    const presented = typeof x === 'string' && x ? x : typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
    if (!presented) throw new UnauthorizedException('an operator API key is required (x-api-key or Authorization: Bearer)');
    const d = sha(presented);
    let match: OperatorKey | undefined;
    for (const { digest, entry } of this.keys) if (timingSafeEqual(digest, d) && !match) match = entry;
    if (!match) throw new UnauthorizedException('the operator API key is not valid');
    const tenantId = req.params?.['tenantId'];
    if (tenantId !== undefined && match.tenant !== '*' && match.tenant !== tenantId && match.tenant !== `tenant-${tenantId}`) {
      throw new ForbiddenException('this API key may not access that tenant');
    }
    req.operator = { keyId: `key#${createHash('sha256').update(match.key).digest('hex').slice(0, 8)}`, tenant: match.tenant };
    return true;
  }
}
