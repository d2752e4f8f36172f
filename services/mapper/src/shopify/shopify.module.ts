import { Module } from '@nestjs/common';
import { LOGGER, poolProvider } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { ShopifyReceivablesService } from './shopify-receivables.service';
import { ShopifyStateRepository } from './shopify-state.repository';
import { ShopifyWebhooksController } from './shopify-webhooks.controller';

/** The shopify feature of mapper: Shopify orders, refunds and customers → Fusion receivables commands. */
@Module({
  controllers: [ShopifyWebhooksController],
  providers: [
    poolProvider(ShopifyStateRepository),
    {
      provide: ShopifyReceivablesService,
      useFactory: (repo: ShopifyStateRepository, directory: TenantDirectory, log: Logger) =>
        new ShopifyReceivablesService(repo, { snapshot: (t) => directory.get(t) }, log),
      inject: [ShopifyStateRepository, TenantDirectory, LOGGER],
    },
  ],
})
export class ShopifyModule {}
