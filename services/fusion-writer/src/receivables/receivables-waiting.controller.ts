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
import { mayAccess, OPERATOR_KEY_INVALID, OPERATOR_KEY_MISSING, OperatorKeyRing, parseOperatorKeys } from '@mlc/tenants';
import { FUSION_WRITER_CONFIG, type FusionWriterConfig } from '../config/fusion-writer.config';
import { ReceivablesWaitingStore } from './receivables.waiting';

/** Operator API keys as the admin API takes them (`x-api-key` or `Authorization: Bearer`; MLC_OPERATOR_API_KEYS). */
@Injectable()
export class WaitingOperatorGuard implements CanActivate {
  private readonly ring: OperatorKeyRing;

  constructor(@Inject(FUSION_WRITER_CONFIG) config: FusionWriterConfig) {
    this.ring = new OperatorKeyRing(parseOperatorKeys(config.operatorApiKeys));
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined>; params?: Record<string, string> }>();
    const match = this.ring.match(req.headers);
    if (match === 'missing') throw new UnauthorizedException(OPERATOR_KEY_MISSING);
    if (match === 'invalid') throw new UnauthorizedException(OPERATOR_KEY_INVALID);
    const tenantId = req.params?.['tenantId'];
    if (tenantId !== undefined && !mayAccess(match, tenantId)) throw new ForbiddenException('this API key may not access that tenant');
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
