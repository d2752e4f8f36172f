import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { partnerPingers } from '@mlc/tenancy';
import { ConnectionPingService, TenantConfigService, TenantsAdminModule, TokenManager } from '@mlc/tenants';
import { LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';

/**
 * Relays tenant configuration changes from the outbox (written in the same transaction as each change) onto
 * tenant.config.changed.v1, retrying until Kafka acknowledges. One relay runs at a time across replicas.
 */
@Injectable()
export class TenantOutboxRelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly config: TenantConfigService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.config.outbox.start();
    this.log.info('tenant config outbox relay started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.config.outbox.stop();
  }
}

/**
 * The admin feature of audit-projector: the tenants admin REST API (/admin/tenants…, OpenAPI at /admin/openapi.json;
 * operator keys from MLC_OPERATOR_API_KEYS) with pings over the real partner clients, and the relay of configuration
 * change events.
 */
@Module({
  imports: [
    TenantsAdminModule.forRootAsync({
      inject: [TenantConfigService, TokenManager, AUDIT_PROJECTOR_CONFIG, LOGGER],
      useFactory: (config: TenantConfigService, tokens: TokenManager, cfg: AuditProjectorConfig, log: Logger) => {
        if (!cfg.opsOperatorApiKeys) log.warn('MLC_OPERATOR_API_KEYS is empty: the admin API refuses every request');
        return {
          config,
          operatorApiKeys: cfg.opsOperatorApiKeys,
          ping: new ConnectionPingService(config, partnerPingers({ tokens })),
        };
      },
    }),
  ],
  providers: [TenantOutboxRelayHost],
})
export class AdminModule {}
