import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { OperatorAuthGuard } from '@mlc/tenants';
import { ProjectionEvents } from '../audit/projection.events';
import { AlertsService } from './alerts.service';
import { AuditQueryService } from './audit-query.service';
import { BackfillService } from './backfill.service';
import { ExceptionsService, type ExceptionFilter } from './exceptions.service';
import { FlowsService } from './flows.service';
import { JobsRegistry } from './jobs.registry';
import { KafkaOpsService, type ReplayRange } from './kafka-ops.service';
import { ALL_TENANTS } from './operator-actions.publisher';
import { badRequest, notFound, OpsExceptionFilter } from './ops.errors';
import { assertAllTenants, assertTenant, tenantScope, type OpsRequest } from './ops-scope';
import { ReportsService } from './reports.service';

type Q = Record<string, string | undefined>;
type B = Record<string, unknown> | undefined;

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${name} must be a whole number`);
  return Number(v);
};
const str = (b: B, name: string): string | undefined => {
  const v = b?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
  return v;
};
const exceptionFilter = (q: Q | Record<string, unknown>): ExceptionFilter => ({
  status: q['status'] as string | undefined,
  category: q['category'] as string | undefined,
  code: q['code'] as string | undefined,
  entityType: q['entityType'] as string | undefined,
  businessId: q['businessId'] as string | undefined,
  service: q['service'] as string | undefined,
  sourceTopic: q['sourceTopic'] as string | undefined,
  from: q['from'] as string | undefined,
  to: q['to'] as string | undefined,
  limit: typeof q['limit'] === 'number' ? q['limit'] : int(q['limit'] as string | undefined, 'limit'),
});

/** The caller's own operator key, passed on to the service that answers (oracle-poller, fusion-writer). */
const callerKey = (req: OpsRequest): string | undefined => {
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x ? x : /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers['authorization'] ?? ''))?.[1];
};

/** The body of a range replay (or its preview), checked, with the caller's right to the tenant (or to all). */
function rangeBody(req: OpsRequest, body: B): ReplayRange {
  const tenantId = str(body, 'tenantId');
  if (tenantId) assertTenant(req.operator, tenantId);
  else assertAllTenants(req.operator, 'a replay over all tenants');
  const topics = body?.['topics'];
  if (topics !== undefined && (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string'))) throw badRequest('topics must be a list of topic names');
  return {
    tenantId,
    flow: str(body, 'flow'),
    topics: topics as string[] | undefined,
    from: str(body, 'from') ?? '',
    to: str(body, 'to') ?? '',
    dryRun: body?.['dryRun'] === true,
  };
}

/**
 * The ops API (auth: operator API key in `x-api-key` or `Authorization: Bearer`, keys from MLC_OPERATOR_API_KEYS,
 * `<key>:*` for every tenant or `<key>:<tenant>`): audit search and timelines, the exceptions queue with replay /
 * resolve / correct, flow pause/resume, sync on demand, time-range replay, offset resets, reports and lag.
 */
@Controller('ops')
@UseGuards(OperatorAuthGuard)
@UseFilters(OpsExceptionFilter)
export class OpsController {
  constructor(
    private readonly audit: AuditQueryService,
    private readonly exceptions: ExceptionsService,
    private readonly flows: FlowsService,
    private readonly kafkaOps: KafkaOpsService,
    private readonly reports: ReportsService,
    private readonly jobs: JobsRegistry,
    private readonly alerts: AlertsService,
    private readonly projection: ProjectionEvents,
    private readonly backfills: BackfillService,
  ) {}

  @Get('audit')
  search(@Req() req: OpsRequest, @Query() q: Q) {
    return this.audit.search({
      tenants: tenantScope(req.operator, q['tenant']),
      entityType: q['entityType'],
      businessId: q['businessId'],
      from: q['from'],
      to: q['to'],
      direction: q['direction'],
      result: q['result'],
      topic: q['topic'],
      correlationId: q['correlationId'],
      limit: int(q['limit'], 'limit'),
      cursor: q['cursor'],
    });
  }

  @Get('timeline')
  timeline(@Req() req: OpsRequest, @Query() q: Q) {
    return this.audit.timeline({
      tenants: tenantScope(req.operator, q['tenant']),
      entityType: q['entityType'],
      businessId: q['businessId'],
      correlationId: q['correlationId'],
    });
  }

  /** The exceptions matching the filter (newest first, at most `limit`) and `total`: how many match in all. */
  @Get('exceptions')
  async listExceptions(@Req() req: OpsRequest, @Query() q: Q) {
    const f = { ...exceptionFilter(q), tenants: tenantScope(req.operator, q['tenant']) };
    const [exceptions, total] = await Promise.all([this.exceptions.list(f), this.exceptions.count(f)]);
    return { exceptions, total };
  }

  /** Open exceptions counted per code: `{ open, byCode: [{ code, count }] }`. */
  @Get('exceptions/summary')
  exceptionsSummary(@Req() req: OpsRequest, @Query() q: Q) {
    return this.exceptions.openByCode(tenantScope(req.operator, q['tenant']));
  }

  @Get('exceptions/:id')
  showException(@Req() req: OpsRequest, @Param('id') id: string) {
    return this.exceptions.get(id, req.operator);
  }

  @Post('exceptions/:id/replay')
  @HttpCode(200)
  replayOne(@Req() req: OpsRequest, @Param('id') id: string, @Body() body: B) {
    return this.exceptions.replay(id, req.operator, str(body, 'comment'));
  }

  /** Replays a selection (`ids`) or every exception matching `filter` (default: open ones); answers with a job. */
  @Post('exceptions/replay')
  @HttpCode(202)
  async replayMany(@Req() req: OpsRequest, @Body() body: B) {
    const ids = body?.['ids'];
    const filter = body?.['filter'];
    if (ids !== undefined && (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string'))) throw badRequest('ids must be a list of exception ids');
    if (ids === undefined && (typeof filter !== 'object' || filter === null))
      throw badRequest('give ids or filter (e.g. {"filter": {"code": "MAPPING.MISSING_PRODUCT"}})');
    const f = ids ? undefined : exceptionFilter(filter as Record<string, unknown>);
    const tenant = typeof (filter as Record<string, unknown> | undefined)?.['tenant'] === 'string' ? (filter as Record<string, string>)['tenant'] : undefined;
    const tenants = tenantScope(req.operator, tenant);
    if (ids) for (const id of ids as string[]) await this.exceptions.get(id, req.operator); // 404 / 403 before starting
    const job = this.exceptions.replayMany(
      { ids: ids as string[] | undefined, filter: f && { ...f, tenants } },
      req.operator,
      tenants?.length === 1 ? tenants[0]! : ALL_TENANTS,
      str(body, 'comment'),
    );
    return job;
  }

  @Post('exceptions/:id/resolve')
  @HttpCode(200)
  resolve(@Req() req: OpsRequest, @Param('id') id: string, @Body() body: B) {
    return this.exceptions.resolve(id, req.operator, str(body, 'comment') ?? '');
  }

  @Post('exceptions/:id/correct')
  @HttpCode(200)
  correct(@Req() req: OpsRequest, @Param('id') id: string, @Body() body: B) {
    return this.exceptions.correct(id, req.operator, body?.['changes'] as Record<string, unknown>, str(body, 'comment'));
  }

  @Get('flows')
  async listFlows(@Req() req: OpsRequest, @Query() q: Q) {
    return { flows: await this.flows.list(tenantScope(req.operator, q['tenant'])) };
  }

  @Post('tenants/:tenantId/flows/:partner/pause')
  @HttpCode(200)
  pause(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Body() body: B) {
    return this.flows.change(tenantId, partner, 'paused', req.operator, str(body, 'reason'));
  }

  @Post('tenants/:tenantId/flows/:partner/resume')
  @HttpCode(200)
  resume(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Body() body: B) {
    return this.flows.change(tenantId, partner, 'resumed', req.operator, str(body, 'reason'));
  }

  /** Receivables commands waiting for their invoice in fusion-writer (set aside, not holding their partition). */
  @Get('tenants/:tenantId/receivables/waiting')
  receivablesWaiting(@Req() req: OpsRequest, @Param('tenantId') tenantId: string) {
    assertTenant(req.operator, tenantId);
    return this.flows.receivablesWaiting(tenantId, callerKey(req));
  }

  @Post('tenants/:tenantId/purchase-orders/:poHeaderId/sync')
  @HttpCode(200)
  sync(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('poHeaderId') poHeaderId: string) {
    assertTenant(req.operator, tenantId);
    return this.flows.syncPurchaseOrder(tenantId, poHeaderId, req.operator, callerKey(req));
  }

  /** Backfill through oracle-poller: re-read Fusion feeds from `since` (body `{ feeds?, since }`); the first progress report. */
  @Post('tenants/:tenantId/backfill')
  @HttpCode(202)
  backfill(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Body() body: B) {
    assertTenant(req.operator, tenantId);
    return this.backfills.request(tenantId, body, req.operator, callerKey(req));
  }

  /** Progress of a backfill: per feed done or not, records read and emitted so far, duration, last error. */
  @Get('tenants/:tenantId/backfill/:requestId')
  backfillProgress(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('requestId') requestId: string) {
    assertTenant(req.operator, tenantId);
    return this.backfills.progress(tenantId, requestId, callerKey(req));
  }

  /** oracle-poller's feed cursors of a tenant: cursor (LastUpdateDate) and its age, last successful poll, last error. */
  @Get('tenants/:tenantId/feeds')
  feeds(@Req() req: OpsRequest, @Param('tenantId') tenantId: string) {
    assertTenant(req.operator, tenantId);
    return this.backfills.feeds(tenantId, callerKey(req));
  }

  @Post('replay-range')
  @HttpCode(202)
  replayRange(@Req() req: OpsRequest, @Body() body: B) {
    return this.kafkaOps.replayRange(rangeBody(req, body), req.operator);
  }

  /** The dry-run count of a range replay, at once: records in the range, and how many the replay would republish. */
  @Post('replay-range/preview')
  @HttpCode(200)
  previewRange(@Req() req: OpsRequest, @Body() body: B) {
    return this.kafkaOps.previewRange({ ...rangeBody(req, body), dryRun: true });
  }

  @Get('jobs/:id')
  job(@Req() req: OpsRequest, @Param('id') id: string) {
    const job = this.jobs.get(id);
    if (!job) throw notFound(`no job ${id} (jobs live in the memory of the instance that started them)`);
    if (job.tenantId === ALL_TENANTS) assertAllTenants(req.operator, 'this job');
    else assertTenant(req.operator, job.tenantId);
    return job;
  }

  @Get('consumer-groups/:groupId')
  describeGroup(@Req() req: OpsRequest, @Param('groupId') groupId: string) {
    assertAllTenants(req.operator, 'consumer groups');
    return this.kafkaOps.describeGroup(groupId);
  }

  @Post('consumer-groups/:groupId/reset-offsets')
  @HttpCode(200)
  resetOffsets(@Req() req: OpsRequest, @Param('groupId') groupId: string, @Body() body: B) {
    assertAllTenants(req.operator, 'an offset reset');
    const topics = body?.['topics'];
    if (topics !== undefined && (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')))
      throw badRequest('topics must be a list of topic names');
    const toOffset = body?.['toOffset'];
    const stopAndRestart = body?.['stopAndRestart'];
    if (stopAndRestart !== undefined && typeof stopAndRestart !== 'boolean') throw badRequest('stopAndRestart must be true or false');
    const stopTimeoutMs = body?.['stopTimeoutMs'];
    if (stopTimeoutMs !== undefined && typeof stopTimeoutMs !== 'number') throw badRequest('stopTimeoutMs must be a number');
    return this.kafkaOps.resetOffsets(
      {
        groupId,
        topics: topics as string[] | undefined,
        toTimestamp: str(body, 'toTimestamp'),
        toOffset: typeof toOffset === 'number' ? String(toOffset) : str(body, 'toOffset'),
        dryRun: body?.['dryRun'] === true,
        stopAndRestart: stopAndRestart === true,
        stopTimeoutMs,
      },
      req.operator,
    );
  }

  @Get('reports/reconciliation')
  reconciliation(@Req() req: OpsRequest, @Query() q: Q) {
    return this.reports.reconciliation({ tenants: tenantScope(req.operator, q['tenant']), from: q['from'], to: q['to'] });
  }

  @Get('reports/charges')
  async charges(@Req() req: OpsRequest, @Query() q: Q) {
    return {
      charges: await this.reports.charges({ tenants: tenantScope(req.operator, q['tenant']), poHeaderId: q['poHeaderId'], from: q['from'], to: q['to'] }),
    };
  }

  /** Projection lag (records behind, newest projected event) and the lag of the watched consumer groups. */
  @Get('lag')
  async lag() {
    const groups = await this.alerts.measureLag();
    const newest = this.projection.newestProjectedAt;
    return { groups, newestProjectedAt: newest ? new Date(newest).toISOString() : null, newestProjectedAgeMs: newest ? Date.now() - newest : null };
  }
}
