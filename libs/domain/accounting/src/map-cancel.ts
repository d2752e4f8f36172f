import type { CancellationDocument, InvoiceSettings } from './documents';
import { shopDate } from './map-order';
import type { ShopifyOrder } from './shopify.payloads';

/**
 * The cancellation of an invoiced order (ADR-001): none while the order is not cancelled. The invoices it concerns are
 * the order's original one (CrossReference = the order id) and those its amendments may have added; what it credits is decided by the writer from what Fusion
 * and its ledger hold (the open balance), not from the payload's amounts.
 */
export function orderCancellation(
  order: ShopifyOrder,
  invoiceCrossReference: string,
  settings: InvoiceSettings,
  supplementaryInvoices: string[] = [],
): CancellationDocument | undefined {
  if (!order.cancelled_at) return undefined;
  return {
    type: 'cancellation',
    businessUnit: settings.businessUnit,
    transactionSource: settings.transactionSource,
    transactionType: settings.transactionType,
    paymentTerms: settings.paymentTerms,
    revenueAccountCombination: settings.revenueAccountCombination,
    invoiceCrossReference,
    ...(supplementaryInvoices.length ? { supplementaryInvoices } : {}),
    shopifyOrderId: order.id,
    shopifyOrderName: order.name ?? null,
    cancelledAt: order.cancelled_at,
    cancelReason: order.cancel_reason ?? null,
    transactionDate: shopDate(order.cancelled_at),
    currency: order.currency,
    comments: `Shopify order ${order.name ?? order.id} cancelled`,
  };
}
