import { Module } from '@nestjs/common';

/** The ops feature of audit-projector. */
@Module({})
export class OpsModule {}
