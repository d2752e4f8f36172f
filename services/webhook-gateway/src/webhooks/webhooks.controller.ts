import { Controller, HttpCode, Param, Post, Req, UseFilters } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { PublishOutcome } from './delivery.publisher';
import { WebhookExceptionFilter } from './webhook-exception.filter';
import { WebhookIntake } from './webhook-intake';

/**
 * Partner webhooks, one URL per tenant and partner (see WebhookIntake for what each request goes through). The raw
 * fast path (WebhookFastPath) answers these routes before Express sees them; this route serves what it leaves to Nest.
 */
@Controller('webhooks')
@UseFilters(WebhookExceptionFilter)
export class WebhooksController {
  constructor(private readonly intake: WebhookIntake) {}

  @Post('shipbob/:tenantId')
  @HttpCode(200)
  shipbob(@Param('tenantId') tenantId: string, @Req() req: IncomingMessage): Promise<PublishOutcome> {
    return this.intake.shipbob(tenantId, req);
  }

  /** Shopify topics, compliance topics (customers/data_request, customers/redact, shop/redact) included. */
  @Post('shopify/:tenantId')
  @HttpCode(200)
  shopify(@Param('tenantId') tenantId: string, @Req() req: IncomingMessage): Promise<PublishOutcome> {
    return this.intake.shopify(tenantId, req);
  }
}
