import { Module } from '@nestjs/common';

/** The sweep feature of webhook-gateway. */
@Module({})
export class SweepModule {}
