import { Module } from '@nestjs/common';
import { ReceivablesConsumer } from './receivables.consumer';
import { ShopifyWriteBackConsumer } from './shopify-write-back.consumer';
import { ReceivablesWaitingController, WaitingOperatorGuard } from './receivables-waiting.controller';

/**
 * The receivables feature of fusion-writer: Shopify-derived customers, invoices and credit memos into Fusion, and
 * (tenant switch settings.shopifyWriteBack) the Fusion invoice number written back onto the Shopify order.
 */
@Module({ controllers: [ReceivablesWaitingController], providers: [ReceivablesConsumer, ShopifyWriteBackConsumer, WaitingOperatorGuard] })
export class ReceivablesModule {}
