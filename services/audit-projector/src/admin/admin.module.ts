import { Module } from '@nestjs/common';

/** The admin feature of audit-projector. */
@Module({})
export class AdminModule {}
