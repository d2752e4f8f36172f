import { Controller, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createTenantsDataSource, SecretBox, TenantConfigService, TokenManager } from '@mlc/tenants';
import type { TopicRecords } from '@mlc/contracts';
import { ulid, type EventPublisher } from '@mlc/platform-kafka';
import { KafkaHandler, LOGGER, PUBLISHER, SERVICE_OPTIONS, type ServiceOptions } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { KafkaTenantChangePublisher } from './kafka-tenant-change.publisher';
import { PartnerClients } from './partner.clients';
import { TenantDirectory } from './tenant.directory';

export const TENANTS_DATA_SOURCE = Symbol('TENANTS_DATA_SOURCE');

export interface TenancyConfig {
  databaseUrl: string;
  encryptionKeys: string;
  tenantCacheTtlMs: number;
}

/** Opens the tenants tables (created by the migrator, tools/migrate.ts) and listens for configuration changes. */
class TenancyLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TenancyConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.ds.isInitialized) await this.ds.initialize();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy().catch(() => undefined);
  }
}

/** Keeps the TenantDirectory's snapshots current: tenant.config.changed.v1 drops what changed. */
@Controller()
export class TenantChangesController {
  constructor(private readonly directory: TenantDirectory) {}

  // One group per running instance: every replica must hear every change (a broadcast, not a work queue). It starts
  // at the end of the topic: what happened before start is already in the database; the cache TTL covers the moment
  // between loading a snapshot and joining the group.
  @KafkaHandler('tenant.config.changed.v1', {
    consumer: 'tenancy',
    ephemeral: true,
    fromBeginning: false,
    settings: (get) => ({ groupId: `${get<ServiceOptions>(SERVICE_OPTIONS).name}.tenancy.${ulid()}` }),
  })
  async onChange(change: TopicRecords['tenant.config.changed.v1']): Promise<void> {
    this.directory.changed({ tenantId: change.meta.tenantId, version: change.version, entity: change.entity, key: change.key, action: change.action });
  }
}

/**
 * Tenant configuration for a service: `TenantDirectory` (snapshots, live-updated from tenant.config.changed.v1),
 * `PartnerClients` (configured Fusion/ShipBob/Shopify clients per tenant, tokens from the shared `TokenManager`) and
 * `TenantConfigService` (whose changes go through the outbox onto Kafka; the service hosting the admin API runs the
 * outbox relay loop, see `TenantConfigService.outbox`). Import once, among the modules the platform module shares:
 * `bootService({ shared: (config) => [TenancyModule.forRoot(config)] })`.
 */
@Module({})
export class TenancyModule {
  static forRoot(cfg: TenancyConfig): DynamicModule {
    const ds = createTenantsDataSource(cfg.databaseUrl);
    const secretBox = new SecretBox(cfg.encryptionKeys);
    const providers = [
      { provide: TENANTS_DATA_SOURCE, useValue: ds },
      {
        provide: TenantConfigService,
        useFactory: (publisher: EventPublisher, options: ServiceOptions, log: Logger) =>
          new TenantConfigService({
            dataSource: ds,
            secretBox,
            publisher: new KafkaTenantChangePublisher(publisher, options.name),
            snapshotCacheTtlMs: cfg.tenantCacheTtlMs,
            logger: { warn: (m, c) => log.warn(m, c) },
          }),
        inject: [PUBLISHER, SERVICE_OPTIONS, LOGGER],
      },
      { provide: TenantDirectory, useFactory: (c: TenantConfigService) => new TenantDirectory(c), inject: [TenantConfigService] },
      { provide: TokenManager, useValue: new TokenManager({ dataSource: ds, secretBox }) },
      { provide: PartnerClients, useFactory: (d: TenantDirectory, t: TokenManager) => new PartnerClients(d, t), inject: [TenantDirectory, TokenManager] },
      { provide: TenancyLifecycle, useFactory: () => new TenancyLifecycle(ds, cfg) },
    ];
    return {
      module: TenancyModule,
      controllers: [TenantChangesController],
      providers,
      exports: [TENANTS_DATA_SOURCE, TenantConfigService, TenantDirectory, PartnerClients, TokenManager],
    };
  }
}
