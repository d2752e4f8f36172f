import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { mayAccess, OperatorAuthGuard } from '@mlc/tenants';
import { OperatorActionsPublisher } from '../ops/operator-actions.publisher';
import type { OpsRequest } from '../ops/ops-scope';
import { WebhookSubscriptionsService, type WebhookChange } from './webhook-subscriptions.service';
import { webhooksBadRequest, webhooksForbidden, WebhooksExceptionFilter } from './webhooks.errors';

type B = Record<string, unknown> | undefined;

const optString = (b: B, name: string): string | undefined => {
  const v = b?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !v) throw webhooksBadRequest(`${name} must be a non-empty string`);
  return v;
};

function checkBody(b: B, allowed: string[]): void {
  if (b !== undefined && (typeof b !== 'object' || Array.isArray(b))) throw webhooksBadRequest('the body must be a JSON object');
  const unknown = Object.keys(b ?? {}).filter((k) => !allowed.includes(k));
  if (unknown.length) throw webhooksBadRequest(`unknown field(s): ${unknown.join(', ')} (allowed: ${allowed.join(', ') || 'none'})`);
}

/**
 * Webhook subscriptions of a tenant at ShipBob and Shopify (admin API, same operator keys):
 * GET  /admin/tenants/:tenantId/webhooks/:partner[?gatewayUrl=]   what exists, what is missing
 * POST /admin/tenants/:tenantId/webhooks/:partner/subscribe {gatewayUrl?}   creates only what is missing
 * POST /admin/tenants/:tenantId/webhooks/:partner/rotate {gatewayUrl?, newSecret? (Shopify), finish?}
 * Subscribe and rotate are recorded as operator actions (ops.operator-action.recorded.v1). Secrets never leave.
 */
@Controller('admin/tenants/:tenantId/webhooks')
@UseGuards(OperatorAuthGuard)
@UseFilters(WebhooksExceptionFilter)
export class WebhooksController {
  constructor(
    private readonly service: WebhookSubscriptionsService,
    private readonly actions: OperatorActionsPublisher,
  ) {}

  @Get(':partner')
  list(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Query('gatewayUrl') gatewayUrl?: string) {
    this.access(req, tenantId);
    return this.service.status(tenantId, partner, gatewayUrl || undefined);
  }

  @Get(':partner/findings')
  findings(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Query('gatewayUrl') gatewayUrl?: string) {
    this.access(req, tenantId);
    return this.service.findings(tenantId, partner, gatewayUrl || undefined).then((findings) => ({ findings }));
  }

  @Post(':partner/subscribe')
  @HttpCode(200)
  async subscribe(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Body() body: B): Promise<WebhookChange> {
    this.access(req, tenantId);
    checkBody(body, ['gatewayUrl']);
    const r = await this.service.subscribe(tenantId, partner, req.operator.actor, optString(body, 'gatewayUrl'));
    await this.record(req, tenantId, 'webhooks-subscribe', r);
    return r;
  }

  @Post(':partner/rotate')
  @HttpCode(200)
  async rotate(@Req() req: OpsRequest, @Param('tenantId') tenantId: string, @Param('partner') partner: string, @Body() body: B): Promise<WebhookChange> {
    this.access(req, tenantId);
    checkBody(body, ['gatewayUrl', 'newSecret', 'finish']);
    const finish = body?.['finish'];
    if (finish !== undefined && typeof finish !== 'boolean') throw webhooksBadRequest('finish must be true or false');
    const r = await this.service.rotate(tenantId, partner, req.operator.actor, {
      gatewayUrl: optString(body, 'gatewayUrl'),
      newSecret: optString(body, 'newSecret'),
      finish: finish === true,
    });
    await this.record(req, tenantId, finish === true ? 'webhooks-rotate-finish' : 'webhooks-rotate', r);
    return r;
  }

  private access(req: OpsRequest, tenantId: string): void {
    if (!mayAccess(req.operator, tenantId)) throw webhooksForbidden('this API key may not access that tenant');
  }

  private record(req: OpsRequest, tenantId: string, action: string, r: WebhookChange): Promise<string> {
    return this.actions.record(req.operator, tenantId, action, `${tenantId}:${r.partner}`, {
      details: { url: r.expectedUrl, created: r.created, deleted: r.deleted, missingTopics: r.missingTopics, secretsStored: r.secretsStored },
    });
  }
}
