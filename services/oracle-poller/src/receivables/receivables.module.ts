import { Module } from '@nestjs/common';

/** The receivables feature of oracle-poller. */
@Module({})
export class ReceivablesModule {}
