import { Module } from '@nestjs/common';

/** The shipments feature of mapper. */
@Module({})
export class ShipmentsModule {}
