import { Controller, Get, Inject, Param, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@mlc/platform-service';
import { OperatorAuthGuard } from '@mlc/tenants';
import { badRequest, OpsExceptionFilter } from './ops.errors';
import { assertTenant, type OpsRequest } from './ops-scope';

export const DRY_RUN_TOPIC = 'ops.dry-run-write.recorded.v1';
const FLOWS = ['purchase-orders', 'receivables'];

/** A recorded body as JSON when it is JSON (REST), else the text (SOAP envelope). */
function bodyOf(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The would-be partner writes of a tenant's flows in dry run (settings.dryRun), from the audit trail
 * (ops.dry-run-write.recorded.v1, result `dry-run`): newest first, with the exact request each writer held back.
 */
@Controller('ops')
@UseGuards(OperatorAuthGuard)
@UseFilters(OpsExceptionFilter)
export class DryRunController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get('tenants/:tenantId/dry-run')
  async list(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Query() q: Record<string, string | undefined>) {
    assertTenant(req.operator, tenantId);
    if (q['flow'] !== undefined && !FLOWS.includes(q['flow'])) throw badRequest(`flow must be one of ${FLOWS.join(', ')}`);
    if (q['limit'] !== undefined && !/^\d+$/.test(q['limit'])) throw badRequest('limit must be a whole number');
    const limit = Math.min(Math.max(Number(q['limit'] ?? 100), 1), 1000);
    const args: unknown[] = [tenantId, DRY_RUN_TOPIC];
    if (q['flow']) args.push(q['flow']);
    // The same would-be write recorded again (the command delivered by a webhook, an update and a sweep, each run in
    // dry run since none is marked done) is one row with how many times and when last.
    const r = await this.pool.query<{
      event_id: string;
      occurred_at: Date;
      first_at: Date;
      times: number;
      entity_type: string;
      business_id: string;
      correlation_id: string;
      attrs: Record<string, string>;
    }>(
      `SELECT * FROM (SELECT DISTINCT ON (g.key) g.event_id, g.occurred_at, g.first_at, g.times, g.entity_type, g.business_id, g.correlation_id, g.attrs FROM (
         SELECT event_id, occurred_at, entity_type, business_id, correlation_id, attrs,
                md5(concat_ws('|', entity_type, business_id, attrs->>'operation', attrs->>'method', attrs->>'path', attrs->>'body')) AS key,
                (count(*) OVER w)::int AS times, min(occurred_at) OVER w AS first_at
           FROM audit_entries
          WHERE tenant_id = $1 AND topic = $2${q['flow'] ? ` AND attrs->>'flow' = $3` : ''}
         WINDOW w AS (PARTITION BY md5(concat_ws('|', entity_type, business_id, attrs->>'operation', attrs->>'method', attrs->>'path', attrs->>'body')))
       ) g ORDER BY g.key, g.occurred_at DESC, g.event_id DESC) d ORDER BY d.occurred_at DESC, d.event_id DESC LIMIT ${limit}`,
      args,
    );
    const writes = r.rows.map((x) => ({
      eventId: x.event_id,
      occurredAt: x.occurred_at.toISOString(),
      firstAt: x.first_at.toISOString(),
      times: x.times,
      flow: x.attrs['flow'] ?? null,
      partner: x.attrs['partner'] ?? null,
      operation: x.attrs['operation'] ?? null,
      entityType: x.entity_type,
      businessId: x.business_id,
      correlationId: x.correlation_id,
      poHeaderId: x.attrs['poHeaderId'] ?? null,
      shopifyOrderId: x.attrs['shopifyOrderId'] ?? null,
      method: x.attrs['method'] ?? null,
      path: x.attrs['path'] ?? null,
      body: bodyOf(x.attrs['body']),
      note: x.attrs['note'] ?? null,
    }));
    return { tenantId, flow: q['flow'] ?? null, writes };
  }
}
