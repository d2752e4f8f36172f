import type { TopicRecords } from '@mlc/contracts';
import type { Logger } from '@mlc/platform-telemetry';
import type { PartnerClients, TenantDirectory } from '@mlc/tenancy';

type Synced = TopicRecords['accounting.fusion-receivables.synced.v1'];

/**
 * Where the Fusion invoice number goes on the Shopify order: one order metafield (metafieldsSet, GraphQL Admin API).
 * A metafield rather than a tag: metafieldsSet upserts by owner + namespace + key, so a replay leaves exactly one
 * value, and a later value replaces the earlier one, where tagsAdd would pile up tags. Namespace and key keep to the
 * MetafieldsSetInput rules (3-255 / 2-64 letters, digits, `-`, `_`;
 * https://shopify.dev/docs/api/admin-graphql/latest/input-objects/MetafieldsSetInput).
 */
export const WRITE_BACK_NAMESPACE = 'ml_connector';
export const WRITE_BACK_INVOICE_KEY = 'fusion_invoice_number';
export const WRITE_BACK_TYPE = 'single_line_text_field';

export type WriteBackOutcome = 'written' | 'switched_off' | 'not_an_invoice';

/**
 * Write-back to Shopify (issue 15 item 8, tenant switch `settings.shopifyWriteBack`, off by default): once an
 * order's invoice is in Fusion (accounting.fusion-receivables.synced.v1 of an invoice_create, created or found), the
 * Fusion invoice number is set on the Shopify order as a metafield, so the shop's staff see it on the order.
 *
 * Paid status is NOT written back: Fusion gives the connector no documented signal that an invoice is paid (the
 * reference marks invoice balance/amount fields UNCONFIRMED and names no receipt or application read), so only the
 * number is written.
 */
export class ShopifyWriteBackService {
  constructor(
    private readonly clients: Pick<PartnerClients, 'shopify'>,
    private readonly directory: Pick<TenantDirectory, 'get'>,
    private readonly log: Logger,
  ) {}

  async handle(event: Synced): Promise<WriteBackOutcome> {
    if (event.kind !== 'invoice_create' || !event.shopifyOrderId || !event.fusionTransactionNumber) return 'not_an_invoice';
    const tenantId = event.meta.tenantId;
    const snapshot = await this.directory.get(tenantId);
    if (snapshot.settings.shopifyWriteBack !== true) return 'switched_off';
    const shopify = await this.clients.shopify(tenantId);
    await shopify.setOrderMetafields(event.shopifyOrderId, [
      { namespace: WRITE_BACK_NAMESPACE, key: WRITE_BACK_INVOICE_KEY, type: WRITE_BACK_TYPE, value: event.fusionTransactionNumber },
    ]);
    this.log.info('Fusion invoice number written back to the Shopify order', {
      tenantId,
      shopifyOrderId: event.shopifyOrderId,
      invoice: event.fusionTransactionNumber,
    });
    return 'written';
  }
}
