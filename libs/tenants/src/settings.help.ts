import type { AccountingSettings } from './tenants.types';

/**
 * What each accounting setting is in Fusion, one line each: shown by `mlc settings get`, reused by the onboarding
 * docs and by doctor. Every value must exist in the customer's Fusion pod exactly as written (names, not ids).
 */
export const ACCOUNTING_SETTING_HELP: Readonly<Record<keyof AccountingSettings, string>> = {
  businessUnit: 'Fusion business unit name the receivables invoices belong to (Setup: Manage Business Unit), e.g. "Vision Operations"',
  transactionSource: 'Receivables transaction source name the invoices and credit memos are created under (Manage Transaction Sources)',
  transactionType: 'Receivables transaction type name of the invoices (Manage Transaction Types), e.g. "Invoice"',
  paymentTerms: 'Receivables payment terms name put on each invoice (Manage Receivables Payment Terms), e.g. "30 Net"',
  revenueAccountCombination: 'revenue GL account combination for the invoice lines, segments joined by "-" or ".", e.g. 101-10-4000-000',
  guestCustomerAccountNumber: 'Fusion customer account number used for Shopify orders without a matchable customer (guest checkout)',
};

/** One line per tenant setting (dotted keys as `mlc settings get|set` take them), with the value used when absent. */
export const SETTING_HELP: Readonly<Record<string, { help: string; default?: unknown }>> = {
  ...Object.fromEntries(Object.entries(ACCOUNTING_SETTING_HELP).map(([k, help]) => [`accounting.${k}`, { help }])),
  customerMatching: { help: 'how a Shopify customer is matched to a Fusion customer', default: 'email-then-external-id' },
  orderGrouping: { help: 'how Fusion PO lines are grouped into ShipBob orders', default: 'per-po-line' },
  receivablePoStatuses: { help: 'Fusion PO statuses whose lines become ShipBob orders', default: ['Open'] },
  shipmentProblemsAsPoNote: { help: 'also write ShipBob shipment problems onto the Fusion PO as NoteToReceiver', default: false },
  shopifyWriteBack: { help: 'write the Fusion invoice number back onto the Shopify order (a metafield)', default: false },
  initialLookbackDays: { help: 'days back oracle-poller starts reading a feed that has no cursor yet (0..3650)', default: 30 },
  'pollingIntervalsMs.purchaseOrdersMs': { help: 'how often Fusion purchase orders are polled (ms)' },
  'pollingIntervalsMs.receiptsMs': { help: 'how often the Fusion receivables feeds (customer accounts, invoices, credit memos) are polled (ms)' },
  'pollingIntervalsMs.shipbobOrdersMs': { help: 'how often the ShipBob sweep runs (ms)' },
  'pollingIntervalsMs.shopifyOrdersMs': { help: 'how often the Shopify sweep runs (ms)' },
};

/** The initial look-back when the tenant does not set one. */
export const DEFAULT_INITIAL_LOOKBACK_DAYS = 30;
