import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Controller,
  ForbiddenException,
  Get,
  Inject,
  Injectable,
  Param,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { mayAccess, parseOperatorKeys } from '@mlc/tenants';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { ReceivablesWaitingStore } from './receivables.waiting';

const sha = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Operator API keys as the admin API takes them (`x-api-key` or `Authorization: Bearer`; MLC_OPERATOR_API_KEYS). */
@Injectable()
export class WaitingOperatorGuard implements CanActivate {
  private readonly keys: Array<{ digest: Buffer; tenant: string }>;

  constructor(@Inject(FUSION_WRITER_CONFIG) config: FusionWriterConfig) {
    this.keys = parseOperatorKeys(config.operatorApiKeys).map((k) => ({ digest: sha(k.key), tenant: k.tenant }));
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined>; params?: Record<string, string> }>();
    const x = req.headers['x-api-key'];
    const auth = req.headers['authorization'];
    const presented = typeof x === 'string' && x ? x : typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
    if (!presented) throw new UnauthorizedException('an operator API key is required (x-api-key or Authorization: Bearer)');
    const d = sha(presented);
    let tenant: string | undefined;
    for (const k of this.keys) if (timingSafeEqual(k.digest, d) && tenant === undefined) tenant = k.tenant;
    if (tenant === undefined) throw new UnauthorizedException('the operator API key is not valid');
    const tenantId = req.params?.['tenantId'];
    if (tenantId !== undefined && !mayAccess({ tenant }, tenantId)) throw new ForbiddenException('this API key may not access that tenant');
    return true;
  }
}

/** What waits for its invoice, per tenant: `GET /receivables/tenants/:tenantId/waiting` (operator key). */
@Controller('receivables/tenants/:tenantId')
@UseGuards(WaitingOperatorGuard)
export class ReceivablesWaitingController {
  constructor(private readonly store: ReceivablesWaitingStore) {}

  @Get('waiting')
  async waiting(@Param('tenantId') tenantId: string) {
    const rows = await this.store.list(tenantId);
    return {
      tenantId,
      waiting: rows.map((w) => ({
        idempotencyKey: w.idempotencyKey,
        kind: w.kind,
        shopifyOrderId: w.shopifyOrderId,
        shopifyOrderName: w.command.shopifyOrderName,
        waitsForInvoice: w.waitsFor,
        since: w.since.toISOString(),
        deadline: w.deadline.toISOString(),
        releasedAt: w.releasedAt?.toISOString() ?? null,
        releases: w.releases,
      })),
    };
  }
}
