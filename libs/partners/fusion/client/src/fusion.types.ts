import type { PartnerPolicy } from '@mlc/platform-partner-policy';
/** How the client authenticates: a Fusion user with Basic, or an IDCS confidential app (client credentials). */
export type FusionAuthConfig =
  { kind: 'basic'; user: string; password: string } | { kind: 'oauth'; tokenUrl: string; clientId: string; clientSecret: string; scope: string };

export interface FusionClientConfig {
  /** The pod, e.g. `https://<pod>.fa.<dc>.oraclecloud.com` (or the simulator's URL). */
  baseUrl: string;
  auth: FusionAuthConfig;
  /** Basic credentials for the SOAP services (`postSoap`) when they differ from `auth` (e.g. OAuth for REST). */
  soapAuth?: { kind: 'basic'; user: string; password: string };
  /**
   * The access-token source: services pass the shared TokenManager's (libs/tenancy `managedAccessToken`).
   * `forceRefresh` is true after a 401. When absent (one-off use) an in-memory source is used (oauth only).
   */
  getAccessToken?: (forceRefresh: boolean) => Promise<string>;
  /** Timeout of one attempt; default 30 s. */
  timeoutMs?: number;
  /**
   * The retry / timeout / circuit-breaker policy (@mlc/platform-partner-policy); PartnerClients passes the one shared
   * Fusion policy with `policyKey` `<tenant>:fusion`. Default: a policy of this client's own.
   */
  policy?: PartnerPolicy;
  /** The circuit of this client within `policy` (default: the base URL). */
  policyKey?: string;
}

/** One page of a Fusion collection. */
export interface FusionPage<T> {
  items: T[];
  offset: number;
  hasMore: boolean;
  totalResults?: number;
}

export type FusionPoStatus =
  | 'Incomplete'
  | 'Pending Approval'
  | 'Rejected'
  | 'Withdrawn'
  | 'Open'
  | 'On Hold'
  | 'Pending Change Approval'
  | 'Pending Acknowledgment'
  | 'Pending Signature'
  | 'Sent for Signature'
  | 'Closed for Receiving'
  | 'Closed for Invoicing'
  | 'Closed'
  | 'Finally Closed'
  | 'Canceled'
  | (string & {});

export interface FusionPoSchedule {
  LineLocationId: string;
  ScheduleNumber?: number;
  Quantity?: string;
  QuantityReceived?: string;
  QuantityShipped?: string;
  ShipToLocationId?: string;
  ShipToLocationCode?: string;
  ShipToOrganizationCode?: string;
  RequestedDeliveryDate?: string;
  Status?: FusionPoStatus;
  /** The opaque item key from the `self` link (never built by hand). */
  key?: string;
}

export interface FusionPoLine {
  POLineId: string;
  LineNumber: number;
  Item?: string;
  ItemId?: string;
  Description?: string;
  Quantity?: string;
  UOM?: string;
  Price?: string;
  Total?: string;
  Status?: FusionPoStatus;
  schedules: FusionPoSchedule[];
}

export interface FusionPurchaseOrder {
  POHeaderId: string;
  OrderNumber: string;
  Supplier?: string;
  SupplierId?: string;
  SupplierSite?: string;
  SupplierSiteId?: string;
  Status: FusionPoStatus;
  CurrencyCode?: string;
  ProcurementBU?: string;
  ShipToLocationId?: string;
  ShipToLocationCode?: string;
  /** Oracle's one-line ship-to address: lines, city, `STATE ZIP`, county, country name. */
  ShipToLocationAddress?: string;
  Description?: string;
  CreationDate?: string;
  LastUpdateDate: string;
  lines: FusionPoLine[];
  /** The opaque item key from the `self` link. */
  key?: string;
}

export type FusionCloseAction = 'closeForReceiving' | 'closeForInvoicing' | 'close' | 'finallyClose';
export type FusionReopenAction = 'reopenForReceiving' | 'reopenForInvoicing' | 'reopen' | 'reopenFinallyClosed';

/** One line of a receipt or ASN against a PO schedule. */
export interface FusionReceiptLineInput {
  /** RECEIVE = a receipt, SHIP = an advance shipment notice line. */
  transactionType: 'RECEIVE' | 'SHIP';
  orderNumber: string;
  lineNumber: number;
  scheduleNumber?: number;
  quantity: number;
  unitOfMeasure?: string;
  organizationCode?: string;
  itemDescription?: string;
}

export interface FusionReceiptRequestInput {
  organizationCode?: string;
  vendorName?: string;
  vendorNumber?: string;
  businessUnit?: string;
  employeeId?: number;
  /** Carrier's shipment number (ASN). */
  shipmentNumber?: string;
  expectedReceiptDate?: string;
  /** Header ASNType: `ASN` (or `ASBN`) for a ship notice; receipts leave it out (Fusion's default STD). SHIP lines default to ASN. */
  asnType?: 'ASN' | 'ASBN';
  shippedDate?: string;
  /**
   * BillOfLading (header, max 25 characters on the published POST schema): the carrier's tracking number of the
   * shipment. receivingReceiptRequests has no carrier-name or waybill attribute (FreightCarrierName and
   * WaybillAirbillNumber are refused: `The attribute … is not defined`), so the carrier's name goes into comments.
   */
  billOfLading?: string;
  packingSlip?: string;
  comments?: string;
  lines: FusionReceiptLineInput[];
}

/** One row of a receipt request line's `processingErrors` child: what the receiving processor refused. */
export interface FusionReceiptProcessingErrorRow {
  InterfaceErrorId?: string;
  ErrorMessage?: string;
  ErrorMessageName?: string;
  ColumnName?: string | null;
  TableName?: string;
  [field: string]: unknown;
}

export interface FusionReceiptRequest {
  HeaderInterfaceId: string;
  /** PENDING / RUNNING until the receiving processor ran, then SUCCESS (or COMPLETED: UNCONFIRMED which) or ERROR. */
  ProcessingStatusCode?: string;
  lines: {
    InterfaceTransactionId: string;
    ProcessingStatusCode?: string;
    TransactionStatusCode?: string;
    processingErrors?: FusionReceiptProcessingErrorRow[];
    [field: string]: unknown;
  }[];
  [field: string]: unknown;
}

/** Where a staged receipt/ASN request stands: `processed` only when the header and every line say so. */
export type FusionReceiptState = 'pending' | 'processed' | 'error';

/** How long to read a staged receipt request back before giving up for now (FusionReceiptPendingError). */
export interface FusionReceiptConfirmOptions {
  /** Reads after the first (default 4). */
  attempts?: number;
  /** Wait before the first re-read, doubled each time up to maxDelayMs (default 250). */
  delayMs?: number;
  maxDelayMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface FusionPingResult {
  ok: boolean;
  /** Where it failed: getting a token, or the one read. */
  failedAt?: 'token' | 'read';
  error?: { code: string; message: string; retryable: boolean };
  latencyMs: number;
}

/** receivablesInvoices create payload (Fusion's own names; reference §6). */
export interface FusionInvoiceInput {
  BusinessUnit: string;
  TransactionSource: string;
  TransactionType: string;
  TransactionDate: string;
  BillToCustomerNumber: string;
  BillToSite?: string;
  PaymentTerms?: string;
  InvoiceCurrencyCode?: string;
  /** Our idempotency handle: the shop order id; look it up before POST and after a timeout. */
  CrossReference?: string;
  TransactionNumber?: string;
  PurchaseOrder?: string;
  Comments?: string;
  receivablesInvoiceLines: {
    LineNumber?: number;
    Description: string;
    Quantity: number;
    UnitSellingPrice: number;
    ItemNumber?: string;
    TaxClassificationCode?: string;
  }[];
  receivablesInvoiceDistributions?: {
    InvoiceLineNumber: number;
    AccountClass: 'Revenue' | 'Receivable' | 'Freight' | 'Tax';
    AccountCombination: string;
    Amount?: number;
    Percent?: number;
  }[];
}

export interface FusionArTransaction {
  CustomerTransactionId: string;
  TransactionNumber: string;
  InvoiceStatus?: string;
  CrossReference?: string;
  BillToSite?: string;
  LastUpdateDate?: string;
  [field: string]: unknown;
}

/** receivablesCreditMemos create payload: on-account only, UnitSellingPrice negative (reference §7). */
export interface FusionCreditMemoInput {
  BusinessUnit: string;
  TransactionSource: string;
  TransactionType: string;
  TransactionDate: string;
  BillToCustomerNumber: string;
  CreditMemoCurrency?: string;
  /** Where the connector records the original invoice number. */
  CreditMemoComments?: string;
  CreditReason?: string;
  receivablesCreditMemoLines: {
    LineNumber?: number;
    LineDescription: string;
    LineQuantityCredit: number;
    UnitSellingPrice: number;
    LineCreditReason?: string;
  }[];
}

/** What a create payload of either TCA party hub (hubOrganizations, hubPersons) carries besides the party's names. */
export interface FusionPartyInput {
  EmailAddress?: string;
  RawPhoneNumber?: string;
  PartyUsageCode?: string;
  SourceSystem?: string;
  SourceSystemReferenceValue?: string;
  Address?: { AddressType?: string; Address1?: string; City?: string; Country?: string; PostalCode?: string; State?: string }[];
}

/** A party as either TCA hub answers it, with its addresses. */
export interface FusionParty {
  PartyId: string;
  PartyNumber: string;
  EmailAddress?: string;
  Address: { AddressId: string; PartySiteId: string; [field: string]: unknown }[];
  [field: string]: unknown;
}

/** Attributes a PATCH of either hub may change besides the names (PartyNumber and the source system reference are fixed). */
export interface FusionPartyPatch {
  EmailAddress?: string;
  RawPhoneNumber?: string;
}

export interface FusionOrganizationInput extends FusionPartyInput {
  OrganizationName: string;
}

export interface FusionOrganization extends FusionParty {
  OrganizationName?: string;
}

export interface FusionOrganizationPatch extends FusionPartyPatch {
  OrganizationName?: string;
}

/** An Address child PATCH (reference §8 Address fields). */
export interface FusionAddressPatch {
  AddressType?: string;
  Address1?: string;
  Address2?: string;
  City?: string;
  Country?: string;
  County?: string;
  PostalCode?: string;
  State?: string;
}

/** hubPersons create payload: an individual customer (Oracle's hubPersons POST attributes). */
export interface FusionPersonInput extends FusionPartyInput {
  PersonFirstName?: string;
  PersonLastName: string;
}

export interface FusionPerson extends FusionParty {
  PersonFirstName?: string;
  PersonLastName?: string;
}

export interface FusionPersonPatch extends FusionPartyPatch {
  PersonFirstName?: string;
  PersonLastName?: string;
}
