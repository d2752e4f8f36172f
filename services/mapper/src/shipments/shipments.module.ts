import { Module } from '@nestjs/common';
import { LOGGER, poolProvider } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import { MAPPER_CONFIG, type MapperConfig } from '../config/mapper.config';
import { ShipmentEventsController } from './shipment-events.controller';
import { ShipmentWriteBackService } from './shipment-write-back.service';
import { ShipmentsRepository } from './shipments.repository';

/** The shipments feature of mapper: ShipBob shipment webhooks → Fusion PO write-back commands and charge records. */
@Module({
  controllers: [ShipmentEventsController],
  providers: [
    poolProvider(ShipmentsRepository),
    {
      provide: ShipmentWriteBackService,
      useFactory: (repo: ShipmentsRepository, directory: TenantDirectory, config: MapperConfig, log: Logger) =>
        new ShipmentWriteBackService(
          repo,
          {
            rules: async (tenantId) => (await directory.get(tenantId)).mappings['shipbob-event-rule'],
            writeToFlexfield: () => config.shipmentExceptionsToFlexfield,
            problemsAsPoNote: async (tenantId) => (await directory.get(tenantId)).settings.shipmentProblemsAsPoNote ?? false,
          },
          log,
        ),
      inject: [ShipmentsRepository, TenantDirectory, MAPPER_CONFIG, LOGGER],
    },
  ],
})
export class ShipmentsModule {}
