import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { keyFingerprint, mayAccess, OPERATOR_KEY_INVALID, OPERATOR_KEY_MISSING, OperatorKeyRing, parseOperatorKeys } from '@mlc/tenants';
import { ORACLE_POLLER_CONFIG, type OraclePollerConfig } from '../config/oracle-poller.config';

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
  private readonly ring: OperatorKeyRing;

  constructor(@Inject(ORACLE_POLLER_CONFIG) config: OraclePollerConfig) {
    this.ring = new OperatorKeyRing(parseOperatorKeys(config.operatorApiKeys));
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    const match = this.ring.match(req.headers);
    if (match === 'missing') throw new UnauthorizedException(OPERATOR_KEY_MISSING);
    if (match === 'invalid') throw new UnauthorizedException(OPERATOR_KEY_INVALID);
    const tenantId = req.params?.['tenantId'];
    if (tenantId !== undefined && !mayAccess(match, tenantId)) throw new ForbiddenException('this API key may not access that tenant');
    req.operator = { keyId: keyFingerprint(match.key), tenant: match.tenant };
    return true;
  }
}
