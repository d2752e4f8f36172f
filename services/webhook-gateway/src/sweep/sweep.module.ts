import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ShopifySweepScheduler } from './shopify-sweep.scheduler';
import { ShopifySweepService } from './shopify-sweep.service';

/** The sweep feature: the Shopify reconciliation sweep, feeding missed records into the webhook path. */
@Module({
  imports: [WebhooksModule],
  providers: [ShopifySweepService, ShopifySweepScheduler],
  exports: [ShopifySweepService],
})
export class SweepModule {}
