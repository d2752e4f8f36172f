import { Module } from '@nestjs/common';

/** The webhooks feature of webhook-gateway. */
@Module({})
export class WebhooksModule {}
