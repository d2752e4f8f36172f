import { Module } from '@nestjs/common';
import { PollingModule } from '../polling/polling.module';
import { ReceivablesFeeds } from './receivables.feeds';

/** The receivables feature of oracle-poller: customer accounts, invoices, credit memos by LastUpdateDate → erp.receivables.changed.v1. */
@Module({ imports: [PollingModule], providers: [ReceivablesFeeds] })
export class ReceivablesModule {}
