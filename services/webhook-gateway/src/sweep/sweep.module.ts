import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ShipbobSweepScheduler } from './shipbob-sweep.scheduler';
import { ShipbobSweepService } from './shipbob-sweep.service';
import { ShopifySweepScheduler } from './shopify-sweep.scheduler';
import { ShopifySweepService } from './shopify-sweep.service';

/** The sweep feature: the Shopify and ShipBob reconciliation sweeps, feeding missed records into the webhook path. */
@Module({
  imports: [WebhooksModule],
  providers: [ShopifySweepService, ShopifySweepScheduler, ShipbobSweepService, ShipbobSweepScheduler],
  exports: [ShopifySweepService, ShipbobSweepService],
})
export class SweepModule {}
