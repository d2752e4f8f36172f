import { Controller, Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SecretBox, TENANTS_ENTITIES, TENANTS_MIGRATION_SET, TenantConfigService, TokenManager } from '@mlc/tenants';
import type { TopicRecords } from '@mlc/contracts';
import { ulid, type EventPublisher } from '@mlc/platform-kafka';
import { KafkaHandler, LOGGER, PG_DATA_SOURCE, PostgresModule, PUBLISHER, SERVICE_OPTIONS, type ServiceOptions } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { KafkaTenantChangePublisher } from './kafka-tenant-change.publisher';
import { PartnerClients } from './partner.clients';
import { TenantDirectory } from './tenant.directory';

/** The process's one DataSource (the platform module's PG_DATA_SOURCE), under the name tenancy's users know. */
export const TENANTS_DATA_SOURCE = Symbol('TENANTS_DATA_SOURCE');

export interface TenancyConfig {
  /** Not opened here: the tenants tables are read through the platform module's pool (PG_DATA_SOURCE). */
  databaseUrl: string;
  encryptionKeys: string;
  tenantCacheTtlMs: number;
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
    const secretBox = new SecretBox(cfg.encryptionKeys);
    const providers = [
      { provide: TENANTS_DATA_SOURCE, useExisting: PG_DATA_SOURCE },
      {
        provide: TenantConfigService,
        useFactory: (ds: DataSource, publisher: EventPublisher, options: ServiceOptions, log: Logger) =>
          new TenantConfigService({
            dataSource: ds,
            secretBox,
            publisher: new KafkaTenantChangePublisher(publisher, options.name),
            snapshotCacheTtlMs: cfg.tenantCacheTtlMs,
            logger: { warn: (m, c) => log.warn(m, c) },
          }),
        inject: [PG_DATA_SOURCE, PUBLISHER, SERVICE_OPTIONS, LOGGER],
      },
      { provide: TenantDirectory, useFactory: (c: TenantConfigService) => new TenantDirectory(c), inject: [TenantConfigService] },
      { provide: TokenManager, useFactory: (ds: DataSource) => new TokenManager({ dataSource: ds, secretBox }), inject: [PG_DATA_SOURCE] },
      { provide: PartnerClients, useFactory: (d: TenantDirectory, t: TokenManager) => new PartnerClients(d, t), inject: [TenantDirectory, TokenManager] },
    ];
    return {
      module: TenancyModule,
      imports: [PostgresModule.forFeature({ entities: TENANTS_ENTITIES, migrations: TENANTS_MIGRATION_SET })],
      controllers: [TenantChangesController],
      providers,
      exports: [TENANTS_DATA_SOURCE, TenantConfigService, TenantDirectory, PartnerClients, TokenManager],
    };
  }
}
