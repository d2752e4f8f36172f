import { Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { LOGGER, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { DeliveryPublisher } from './delivery.publisher';
import { WebhooksController } from './webhooks.controller';
import { WebhookFastPath } from './webhook-fast-path';
import { WebhookIntake } from './webhook-intake';

const PRUNE_EVERY_MS = 3_600_000;

/** Forgets old delivery ids hourly (the tables come from the migrator, tools/migrate.ts). */
@Injectable()
export class GatewayStore implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly deliveries: DeliveryPublisher,
    @Inject(WEBHOOK_GATEWAY_CONFIG) private readonly config: WebhookGatewayConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async prune(): Promise<void> {
    try {
      const n = await this.deliveries.ledger.prune(this.config.webhookDeliveryRetentionDays);
      if (n) this.log.info('forgot old webhook deliveries', { count: n });
    } catch (err) {
      this.log.warn('pruning webhook deliveries failed', { error: (err as Error).message });
    }
  }
}

/** The webhooks feature: per-tenant ShipBob and Shopify webhook URLs, verified and published on Kafka. */
@Module({
  controllers: [WebhooksController],
  providers: [DeliveryPublisher, GatewayStore, WebhookIntake, WebhookFastPath],
  exports: [DeliveryPublisher],
})
export class WebhooksModule {}
