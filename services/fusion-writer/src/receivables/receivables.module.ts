import { Module } from '@nestjs/common';

/** The receivables feature of fusion-writer. */
@Module({})
export class ReceivablesModule {}
