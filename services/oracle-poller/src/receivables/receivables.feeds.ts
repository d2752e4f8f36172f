import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { FusionArTransaction, FusionClient, FusionCustomerAccountActivity } from '@mlc/partners-fusion-client';
import { newMeta } from '@mlc/platform-kafka';
import type { TenantSnapshot } from '@mlc/tenants';
import type { Feed } from '../polling/feed';
import { FeedRegistry } from '../polling/feed.registry';
import { SOURCE } from '../polling/feed-runner';
import { customerAccountChanged, transactionChanged } from './receivables.mapper';

/**
 * Receivables feeds poll on the tenant's `receiptsMs` interval: the Fusion-side AR schedule (shopifyOrdersMs paces the
 * Shopify sweep, a different system).
 */
const interval = (s: TenantSnapshot): number => s.settings.pollingIntervalsMs.receiptsMs;

/** An invoice or credit memo feed: the same identity and event, read through its own list and get operations. */
function transactionFeed(
  name: string,
  entity: 'invoice' | 'credit_memo',
  read: Pick<Feed<FusionArTransaction>, 'pages' | 'fetchOne'>,
): Feed<FusionArTransaction> {
  return {
    name,
    entityType: 'fusion-receivables-transaction',
    intervalMs: interval,
    pages: read.pages,
    fetchOne: read.fetchOne,
    identify: (t) => ({ id: String(t.CustomerTransactionId), lastUpdateDate: String(t.LastUpdateDate ?? '') }),
    toRecord: async (ctx, t) => ({
      topic: 'erp.receivables.changed.v1',
      key: `${ctx.tenantId}:${t.CustomerTransactionId}`,
      value: transactionChanged(entity, t, newMeta({ tenantId: ctx.tenantId, source: SOURCE })),
    }),
  };
}

export const invoicesFeed = transactionFeed('receivables-invoices', 'invoice', {
  pages: (client, since, pageSize) => client.listInvoicesChangedSince(since, { pageSize }),
  fetchOne: (client, id) => client.getInvoice(id),
});

export const creditMemosFeed = transactionFeed('credit-memos', 'credit_memo', {
  pages: (client, since, pageSize) => client.listCreditMemosChangedSince(since, { pageSize }),
  fetchOne: (client, id) => client.getCreditMemo(id),
});

export const customerAccountsFeed: Feed<FusionCustomerAccountActivity> = {
  name: 'customer-accounts',
  entityType: 'fusion-customer-account',
  intervalMs: interval,
  pages: (client, since, pageSize) => client.listCustomerAccountsChangedSince(since, { pageSize }),
  fetchOne: (client, id) => client.getCustomerAccount(id),
  identify: (a) => ({ id: String(a.AccountId), lastUpdateDate: a.LastUpdateDate }),
  toRecord: async (ctx, a) => ({
    topic: 'erp.receivables.changed.v1',
    key: `${ctx.tenantId}:${a.AccountId}`,
    value: customerAccountChanged(a, newMeta({ tenantId: ctx.tenantId, source: SOURCE })),
  }),
};

/** Registers the receivables feeds with the poller at start: customer accounts, invoices, credit memos. */
@Injectable()
export class ReceivablesFeeds implements OnModuleInit {
  constructor(private readonly registry: FeedRegistry) {}

  onModuleInit(): void {
    for (const feed of [customerAccountsFeed, invoicesFeed, creditMemosFeed] as Feed[]) this.registry.register(feed);
  }
}
