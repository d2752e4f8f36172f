import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { FusionArTransaction, FusionClient, FusionCustomerAccountActivity } from '@mlc/partners-fusion-client';
import { newMeta, type OutgoingRecord } from '@mlc/platform-kafka';
import type { TenantSnapshot } from '@mlc/tenants';
import type { Feed, FeedContext, FeedItemIdentity } from '../polling/feed';
import { FeedRegistry } from '../polling/feed.registry';
import { SOURCE } from '../polling/feed-runner';
import { customerAccountChanged, transactionChanged } from './receivables.mapper';

/**
 * Receivables feeds poll on the tenant's `receiptsMs` interval: the Fusion-side AR schedule (shopifyOrdersMs paces the
 * Shopify sweep, a different system).
 */
const interval = (s: TenantSnapshot): number => s.settings.pollingIntervalsMs.receiptsMs;

abstract class TransactionFeed implements Feed<FusionArTransaction>, OnModuleInit {
  abstract readonly name: string;
  abstract readonly entity: 'invoice' | 'credit_memo';
  readonly entityType = 'fusion-receivables-transaction';

  constructor(private readonly registry: FeedRegistry) {}

  onModuleInit(): void {
    this.registry.register(this as Feed<FusionArTransaction> as Feed);
  }

  intervalMs(s: TenantSnapshot): number {
    return interval(s);
  }

  abstract pages(client: FusionClient, since: Date, pageSize: number): AsyncGenerator<{ items: FusionArTransaction[]; offset: number; hasMore: boolean }>;

  abstract fetchOne(client: FusionClient, id: string): Promise<FusionArTransaction>;

  identify(t: FusionArTransaction): FeedItemIdentity {
    return { id: String(t.CustomerTransactionId), lastUpdateDate: String(t.LastUpdateDate ?? '') };
  }

  async toRecord(ctx: FeedContext, t: FusionArTransaction): Promise<OutgoingRecord> {
    return {
      topic: 'erp.receivables.changed.v1',
      key: `${ctx.tenantId}:${t.CustomerTransactionId}`,
      value: transactionChanged(this.entity, t, newMeta({ tenantId: ctx.tenantId, source: SOURCE })),
    };
  }
}

@Injectable()
export class InvoicesFeed extends TransactionFeed {
  readonly name = 'receivables-invoices';
  readonly entity = 'invoice';

  constructor(registry: FeedRegistry) {
    super(registry);
  }

  pages(client: FusionClient, since: Date, pageSize: number) {
    return client.listInvoicesChangedSince(since, { pageSize });
  }

  fetchOne(client: FusionClient, id: string): Promise<FusionArTransaction> {
    return client.getInvoice(id);
  }
}

@Injectable()
export class CreditMemosFeed extends TransactionFeed {
  readonly name = 'credit-memos';
  readonly entity = 'credit_memo';

  constructor(registry: FeedRegistry) {
    super(registry);
  }

  pages(client: FusionClient, since: Date, pageSize: number) {
    return client.listCreditMemosChangedSince(since, { pageSize });
  }

  fetchOne(client: FusionClient, id: string): Promise<FusionArTransaction> {
    return client.getCreditMemo(id);
  }
}

@Injectable()
export class CustomerAccountsFeed implements Feed<FusionCustomerAccountActivity>, OnModuleInit {
  readonly name = 'customer-accounts';
  readonly entityType = 'fusion-customer-account';

  constructor(private readonly registry: FeedRegistry) {}

  onModuleInit(): void {
    this.registry.register(this as Feed<FusionCustomerAccountActivity> as Feed);
  }

  intervalMs(s: TenantSnapshot): number {
    return interval(s);
  }

  pages(client: FusionClient, since: Date, pageSize: number) {
    return client.listCustomerAccountsChangedSince(since, { pageSize });
  }

  fetchOne(client: FusionClient, id: string): Promise<FusionCustomerAccountActivity> {
    return client.getCustomerAccount(id);
  }

  identify(a: FusionCustomerAccountActivity): FeedItemIdentity {
    return { id: String(a.AccountId), lastUpdateDate: a.LastUpdateDate };
  }

  async toRecord(ctx: FeedContext, a: FusionCustomerAccountActivity): Promise<OutgoingRecord> {
    return {
      topic: 'erp.receivables.changed.v1',
      key: `${ctx.tenantId}:${a.AccountId}`,
      value: customerAccountChanged(a, newMeta({ tenantId: ctx.tenantId, source: SOURCE })),
    };
  }
}
