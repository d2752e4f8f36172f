import { Module } from '@nestjs/common';
import { ReceivablesConsumer } from './receivables.consumer';
import { ReceivablesWaitingController, WaitingOperatorGuard } from './receivables-waiting.controller';

/** The receivables feature of fusion-writer: Shopify-derived customers, invoices and credit memos into Fusion. */
@Module({ controllers: [ReceivablesWaitingController], providers: [ReceivablesConsumer, WaitingOperatorGuard] })
export class ReceivablesModule {}
