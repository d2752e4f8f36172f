import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { serviceOperatorGuard } from '@mlc/tenants';
import { FUSION_WRITER_CONFIG } from '../config/fusion-writer.config';
import { ReceivablesWaitingStore } from './receivables.waiting';

/** Operator API keys as the admin API takes them (`x-api-key` or `Authorization: Bearer`; MLC_OPERATOR_API_KEYS). */
export const WaitingOperatorGuard = serviceOperatorGuard(FUSION_WRITER_CONFIG);

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
