import type { FusionAddress } from './address';

/**
 * The Fusion documents the mapper sends to fusion-writer as `document` JSON in
 * accounting.fusion-receivables.requested.v1. Money is decimal strings in the document's currency (exact; the writer
 * turns them into Fusion's JSON numbers only at the client). Version 1 of each shape; add optional fields only.
 */
export type CustomerMatchingRule = 'email-then-external-id' | 'external-id-then-email';

/** Source system recorded on parties we create (and searched for by external id). */
export const SHOPIFY_SOURCE_SYSTEM = 'SHOPIFY';

export interface CustomerDocument {
  type: 'customer';
  shopifyCustomerId: string;
  /** Lowercased; null when Shopify has none (then only the external id can match). */
  email: string | null;
  phone: string | null;
  /** Party name: the company of the default address, else "First Last", else the email. */
  name: string;
  address: FusionAddress | null;
  sourceSystem: string;
  matching: CustomerMatchingRule;
  /** Shopify's updated_at: a later one wins. */
  updatedAt: string | null;
  /**
   * What the Fusion party is: `person` (hubPersons) for an individual customer, `organization` (hubOrganizations)
   * for a customer with a company. Absent in documents written before the distinction: organization.
   */
  partyType?: CustomerPartyType;
  /** A person's names (PersonFirstName / PersonLastName); lastName is never empty for a person. */
  firstName?: string | null;
  lastName?: string | null;
}

export type CustomerPartyType = 'person' | 'organization';

/** Who is billed: a Shopify customer (matched or created by the writer) or the tenant's guest account. */
export type BillTo = { kind: 'customer'; customer: CustomerDocument } | { kind: 'guest'; accountNumber: string };

export type InvoiceLineKind = 'item' | 'shipping' | 'discount' | 'tax' | 'rounding';

export interface InvoiceLineDocument {
  lineNumber: number;
  kind: InvoiceLineKind;
  /** Stable key of what the line stands for: `item:<line item id>`, `shipping`, `discount`, `tax:<title>`, `rounding`. */
  key: string;
  description: string;
  quantity: string;
  /** Decimal string; negative for discounts (and for credit lines). */
  unitSellingPrice: string;
  /** quantity × unitSellingPrice, exact. */
  amount: string;
  itemNumber?: string;
}

export interface InvoiceSettings {
  businessUnit: string;
  transactionSource: string;
  transactionType: string;
  paymentTerms: string;
  revenueAccountCombination: string;
}

export interface InvoiceDocument extends InvoiceSettings {
  type: 'invoice';
  /** Fusion CrossReference: the Shopify order id (exact digits), `-A<n>` for a supplementary amendment invoice. */
  crossReference: string;
  shopifyOrderId: string;
  shopifyOrderName: string | null;
  transactionDate: string;
  currency: string;
  billTo: BillTo;
  purchaseOrder: string | null;
  comments: string;
  lines: InvoiceLineDocument[];
  /** Equals Shopify's total_price (or the amendment's increase) to the cent. */
  total: string;
}

/** A credit memo line: what it stands for as on an invoice line, the amounts credited. */
export interface CreditLineDocument extends Pick<InvoiceLineDocument, 'lineNumber' | 'kind' | 'key' | 'description'> {
  /** Positive quantity credited. */
  quantity: string;
  /** Negative unit price (Fusion's credit memo convention). */
  unitSellingPrice: string;
  /** Negative amount credited. */
  amount: string;
  /** The line of the original invoice this credits (by our LineNumber); null: the credit goes to the invoice as a whole. */
  invoiceLineNumber: number | null;
}

export interface CreditMemoDocument extends InvoiceSettings {
  type: 'credit_memo';
  /** CrossReference of the invoice credited. */
  invoiceCrossReference: string;
  shopifyOrderId: string;
  shopifyOrderName: string | null;
  /** Why: a Shopify refund, or a decrease found by an order amendment. */
  reason: { kind: 'refund'; shopifyRefundId: string } | { kind: 'amendment'; revision: number };
  transactionDate: string;
  currency: string;
  billTo: BillTo;
  /** Unique per credit memo: found again with it, never created twice. */
  comments: string;
  lines: CreditLineDocument[];
  /** Negative total. */
  total: string;
}

/** An order edit: increases as a supplementary invoice, decreases as a credit memo against the original (ADR-001). */
export interface AmendmentDocument {
  type: 'amendment';
  revision: number;
  invoiceCrossReference: string;
  shopifyOrderId: string;
  debit: InvoiceDocument | null;
  credit: CreditMemoDocument | null;
}

export interface PaidDocument {
  type: 'paid';
  invoiceCrossReference: string;
  shopifyOrderId: string;
  financialStatus: string;
  currency: string;
  total: string;
  paidAt: string | null;
}

/**
 * A cancelled order (orders/cancelled, or cancelled_at on orders/updated), sent as an `invoice_amend` command: the
 * writer credits what is left open on each of the order's invoices (a credit memo for the balance, after the refunds
 * already credited) or, while an invoice is still Incomplete, deletes it (ADR-001).
 */
export interface CancellationDocument extends InvoiceSettings {
  type: 'cancellation';
  invoiceCrossReference: string;
  /** CrossReferences of the supplementary invoices amendments may have made (`<order id>-A<n>`), closed too. */
  supplementaryInvoices?: string[];
  shopifyOrderId: string;
  shopifyOrderName: string | null;
  /** Shopify's cancelled_at. */
  cancelledAt: string;
  /** Shopify's cancel_reason (customer, fraud, inventory, declined, other). */
  cancelReason: string | null;
  /** The credit memo's date: the day of the cancellation. */
  transactionDate: string;
  currency: string;
  /** Unique per order: `Shopify order <name> cancelled`. */
  comments: string;
}

export type ReceivablesDocument = CustomerDocument | InvoiceDocument | CreditMemoDocument | AmendmentDocument | CancellationDocument | PaidDocument;
