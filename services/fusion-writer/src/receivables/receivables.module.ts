import { Module } from '@nestjs/common';
import { ReceivablesConsumer } from './receivables.consumer';

/** The receivables feature of fusion-writer: Shopify-derived customers, invoices and credit memos into Fusion. */
@Module({ providers: [ReceivablesConsumer] })
export class ReceivablesModule {}
