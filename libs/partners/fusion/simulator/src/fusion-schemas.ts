import { FusionFault } from './fusion-fault';

/**
 * The sandbox's allow-lists: per REST resource and operation, the attributes Oracle's published op page documents,
 * each with the page it comes from. Nothing is added because a client sends it; an attribute the connector needs but
 * the page does not show is a client bug (see the README table). Where only the beginning of a page could be read,
 * the list also takes the names the reference (/work/shared/reference/oracle-fusion.md) cites from Oracle's examples;
 * queryability Oracle does not state is a named switch (UNCONFIRMED_QUERYABLE) instead of a silent default.
 */

const FASRP = 'https://docs.oracle.com/en/cloud/saas/supply-chain-and-manufacturing';
const FAPRA = 'https://docs.oracle.com/en/cloud/saas/procurement/25d/fapra';
const FARFA = 'https://docs.oracle.com/en/cloud/saas/financials';
const FAAPS = 'https://docs.oracle.com/en/cloud/saas/sales/faaps';

/** A request body: its attributes and, for child collections sent nested, the child's own schema. */
export interface BodySchema {
  /** The resource (or child accessor) named in the error: `The attribute X is not defined in resource <resource>.` */
  resource: string;
  source: string;
  attrs: readonly string[];
  children?: Record<string, BodySchema>;
}

const words = (s: string): readonly string[] => s.trim().split(/\s+/);

/**
 * Refuses the first attribute of `body` (or of a nested child row) that `schema` does not define, with Fusion's text
 * `The attribute <X> is not defined in resource <Y>.` (400; rendered per framework version by the route).
 */
export function checkBody(body: Record<string, unknown>, schema: BodySchema): void {
  for (const [k, v] of Object.entries(body)) {
    const child = schema.children?.[k];
    if (child) {
      if (v === null || v === undefined) continue;
      if (!Array.isArray(v) || v.some((r) => !r || typeof r !== 'object' || Array.isArray(r))) {
        throw new FusionFault(400, `The child ${k} of resource ${schema.resource} must be an array of objects.`);
      }
      for (const row of v as Record<string, unknown>[]) checkBody(row, child);
      continue;
    }
    if (!schema.attrs.includes(k)) throw new FusionFault(400, `The attribute ${k} is not defined in resource ${schema.resource}.`);
  }
}

// ---- receiving ------------------------------------------------------------------------------------------------------

/** receivingReceiptRequests lines (receipt and ASN lines), nested in the header POST or posted to child/lines. */
export const RECEIPT_LINE_POST: BodySchema = {
  resource: 'lines',
  source: `${FASRP}/25c/fasrp/op-receivingreceiptrequests-headerinterfaceid-child-lines-post.html`,
  attrs: words(`
    Amount AutoTransactCode BusinessUnit BusinessUnitId DestinationTypeCode DocumentDistributionNumber DocumentLineNumber
    DocumentNumber DocumentScheduleNumber DocumentShipmentLineNumber EmployeeId ExpectedReceiptDate InterfaceSourceCode
    InterfaceSourceLineId ItemDescription ItemId ItemNumber ItemRevision Locator LocatorId OrganizationCode OrganizationId
    POHeaderId POLineId POLineLocationId PODistributionId Quantity ReceiptSourceCode ShipToLocationCode ShipToLocationId
    SoldtoLegalEntity SourceDocumentCode Subinventory TransactionDate TransactionType UnitOfMeasure UOMCode VendorId
    VendorName VendorNumber VendorSiteCode VendorSiteId`),
};

/**
 * receivingReceiptRequests POST: the header of a receipt (ASNType STD) or an ASN/ASBN, with its lines. Carrier and
 * tracking of a shipment have no name-typed header attribute on the page (the carrier is FreightCarrierId, an id):
 * the connector carries the tracking number in BillOfLading (max 25) and the carrier's name in Comments.
 */
export const RECEIPT_REQUEST_POST: BodySchema = {
  resource: 'receivingReceiptRequests',
  source: `${FASRP}/26a/fasrp/op-receivingreceiptrequests-post.html`,
  attrs: words(`
    ASNType BillOfLading BusinessUnit BusinessUnitId Comments CustomerId CustomerName CustomerNumber CustomerSiteId
    EmployeeId EmployeeName ExpectedReceiptDate FreightCarrierId FromOrganizationCode FromOrganizationId GroupId
    HeaderInterfaceId OrganizationCode OrganizationId PackingSlip ReceiptHeaderId ReceiptNumber ReceiptSourceCode
    ShipFromLocationCode ShipFromLocationId ShipmentNumber ShippedDate TransactionDate VendorId VendorName VendorNumber
    VendorSiteCode VendorSiteId`),
  children: { lines: RECEIPT_LINE_POST },
};

/**
 * What a receipt request reports after the POST: the POST only stages interface records (RCV headers/transactions
 * interface); the receiving processor picks them up later. The header and each line carry ProcessingStatusCode
 * (lines also TransactionStatusCode), and each line's `processingErrors` child lists what the processor refused, with
 * Oracle's message text. The GET op pages' response schemas could not be read in full: the status attribute names
 * follow the interface tables' columns (PROCESSING_STATUS_CODE, TRANSACTION_STATUS_CODE) and the error attributes
 * RCV_INTERFACE_ERRORS (INTERFACE_ERROR_ID, ERROR_MESSAGE, ERROR_MESSAGE_NAME, TABLE_NAME, COLUMN_NAME) and the
 * SOAP ReceivingInterfaceError (ErrorMessage, ColumnName, TableName). The value a processed record shows (SUCCESS or
 * COMPLETED) is UNCONFIRMED: the sandbox's `receiptProcessedStatus` switch, and the client accepts both.
 */
export const RECEIPT_PROCESSING = {
  header: {
    source: `${FASRP}/23d/fasrp/op-receivingreceiptrequests-headerinterfaceid-get.html`,
    attrs: words('ProcessingStatusCode'),
  },
  line: {
    source: `${FASRP}/24c/fasrp/op-receivingreceiptrequests-headerinterfaceid-child-lines-interfacetransactionid-get.html`,
    attrs: words('ProcessingStatusCode TransactionStatusCode'),
  },
  errors: {
    source: `${FASRP}/24c/fasrp/api-inventory-management-receiving-receipt-requests-lines-processing-errors.html`,
    attrs: words('InterfaceErrorId ErrorMessage ErrorMessageName ColumnName TableName'),
    /** Column meanings: Oracle's table reference for RCV_INTERFACE_ERRORS. */
    columns: `${FASRP}/25c/oedsc/rcvinterfaceerrors-20575.html`,
    soap: `${FASRP}/24d/oessc/receivinginterfaceerrorversion2-d27936e137755.html`,
  },
} as const;

// ---- purchase orders ------------------------------------------------------------------------------------------------

/** PO actions (request bodies of `…/action/close|reopen|cancel`, on the header and on `child/lines/{POLineId}`). */
export const PO_CLOSE: BodySchema = {
  resource: 'purchaseOrders',
  source: `${FAPRA}/op-purchaseorders-purchaseordersuniqid-action-close-post.html`,
  attrs: words('closeAction closeReason'),
};
/** 25D reopen; the body names are UNCONFIRMED in the reference (they mirror close's). */
export const PO_REOPEN: BodySchema = {
  resource: 'purchaseOrders',
  source: `${FAPRA}/op-purchaseorders-purchaseordersuniqid-action-reopen-post.html`,
  attrs: words('reopenAction reopenReason'),
};
/** The REST body names of cancel are UNCONFIRMED in the reference; the SOAP equivalent takes a cancel reason. */
export const PO_CANCEL: BodySchema = {
  resource: 'purchaseOrders',
  source: `${FAPRA}/op-purchaseorders-purchaseordersuniqid-action-cancel-post.html`,
  attrs: words('cancelReason'),
};

/** draftPurchaseOrders PATCH on an open PO (25A+): only these header attributes (reference §4). */
export const DRAFT_PO_PATCH: BodySchema = {
  resource: 'draftPurchaseOrders',
  source: `${FAPRA}/op-draftpurchaseorders-draftpurchaseordersuniqid-patch.html`,
  attrs: words('Description NoteToReceiver NoteToSupplier'),
};

/**
 * draftPurchaseOrders DFF PATCH: the context and the segments the tenant defined. Segment names are per pod (the
 * flexfield's API names), so the sandbox takes them as an option (`poDffSegments`).
 */
export function draftPoDffPatch(segments: readonly string[]): BodySchema {
  return {
    resource: 'DFF',
    source: `${FAPRA}/op-draftpurchaseorders-draftpurchaseordersuniqid-child-dff-poheaderid-patch.html`,
    attrs: ['__FLEX_Context', '__FLEX_Context_DisplayValue', ...segments],
  };
}

// ---- receivables ----------------------------------------------------------------------------------------------------

const INVOICE_POST_SOURCE = `${FARFA}/25d/farfa/op-receivablesinvoices-post.html`;

export const INVOICE_LINE_POST: BodySchema = {
  resource: 'receivablesInvoiceLines',
  source: INVOICE_POST_SOURCE,
  attrs: words(`
    AccountingRuleDuration AccountingRule AllocatedFreightAmount AssessableValue Description FirstPartyTaxRegistration
    ItemNumber LineAmountIncludesTax LineNumber MemoLine ProductCategory ProductFiscalClassification ProductType Quantity
    RuleEndDate RuleStartDate SalesOrder SalesOrderDate SalesOrderLine TaxClassificationCode TaxExemptionCertificateNumber
    TaxExemptionHandling TaxExemptionReason TaxExemptionReasonCode TransactionBusinessCategory UnitOfMeasure
    UnitSellingPrice UserDefinedFiscalClassification Warehouse`),
};

export const INVOICE_DISTRIBUTION_POST: BodySchema = {
  resource: 'receivablesInvoiceDistributions',
  source: INVOICE_POST_SOURCE,
  attrs: words('AccountClass AccountCombination Amount Comments DetailedTaxLineNumber InvoiceLineNumber Percent'),
};

/** receivablesInvoices POST (header + receivablesInvoiceLines + receivablesInvoiceDistributions). */
export const INVOICE_POST: BodySchema = {
  resource: 'receivablesInvoices',
  source: INVOICE_POST_SOURCE,
  attrs: words(`
    AccountingDate AllowCompletion BankAccountNumber BillingDate BillToContact BillToCustomerName BillToCustomerNumber
    BillToSite BusinessUnit Carrier Comments ConversionDate ConversionRate ConversionRateType CrossReference
    DefaultTaxationCountry DeliveryMethod DocumentNumber DueDate Email FirstPartyRegistrationNumber FOBPoint FreightTerms
    InternalNotes InvoiceCurrencyCode InvoicingRule LegalEntityIdentifier PaymentTerms PayingCustomerAccount PayingCustomerSite
    PrintOption PurchaseOrder PurchaseOrderDate PurchaseOrderRevision ReceiptMethod RemitToAddress SalesPerson ShipDate
    ShippingReference ShipToCustomerName ShipToCustomerNumber ShipToSite SpecialInstructions StructuredPaymentReference
    ThirdPartyRegistrationNumber TransactionDate TransactionNumber TransactionSource TransactionType`),
  children: { receivablesInvoiceLines: INVOICE_LINE_POST, receivablesInvoiceDistributions: INVOICE_DISTRIBUTION_POST },
};

/** receivablesInvoices PATCH: "You can update only the InvoiceStatus, PaymentTerms, and TransactionDate attributes." */
export const INVOICE_PATCH: BodySchema = {
  resource: 'receivablesInvoices',
  source: `${FARFA}/24c/farfa/api-receivables-invoices.html`,
  attrs: words('InvoiceStatus PaymentTerms TransactionDate'),
};

const CM_POST_SOURCE = `${FARFA}/26a/farfa/op-receivablescreditmemos-post.html`;

/** receivablesCreditMemos POST (on-account only): header + receivablesCreditMemoLines + receivablesCreditMemoDistributions. */
export const CREDIT_MEMO_POST: BodySchema = {
  resource: 'receivablesCreditMemos',
  source: CM_POST_SOURCE,
  attrs: words(`
    AccountingDate BillToCustomerName BillToCustomerNumber BillToSite BusinessUnit ConversionDate ConversionRate
    ConversionRateType CreditMemoComments CreditMemoCurrency CreditReason CrossReference DefaultTaxationCountry
    DocumentNumber FreightCreditAmount GenerateBill LegalEntityIdentifier PrimarySalesperson ShipToCustomerName
    ShipToCustomerNumber ShipToCustomerSite TransactionDate TransactionNumber TransactionSource TransactionType`),
  children: {
    receivablesCreditMemoLines: {
      resource: 'receivablesCreditMemoLines',
      source: CM_POST_SOURCE,
      attrs: words('ItemNumber LineCreditReason LineDescription LineNumber LineQuantityCredit MemoLine TaxClassificationCode UnitOfMeasure UnitSellingPrice'),
      children: {
        receivablesCreditMemoLineTaxLines: {
          resource: 'receivablesCreditMemoLineTaxLines',
          source: CM_POST_SOURCE,
          attrs: words('TaxAmount TaxJurisdictionCode TaxRate TaxRateCode TaxRegimeCode Tax TaxStatusCode TaxPointBasis'),
        },
      },
    },
    receivablesCreditMemoDistributions: {
      resource: 'receivablesCreditMemoDistributions',
      source: CM_POST_SOURCE,
      attrs: words('AccountClass AccountCombination Amount Comments CreditMemoLineNumber DetailedTaxLineNumber Percent'),
    },
  },
};

// ---- TCA parties ----------------------------------------------------------------------------------------------------

export const PARTY_ADDRESS: BodySchema = {
  resource: 'Address',
  source: `${FAAPS}/op-huborganizations-partynumber-child-address-post.html`,
  attrs: words(`
    AddressType Address1 Address2 Address3 Address4 AddressLinesPhonetic Building City Country County FloorNumber
    PostalCode PostalPlus4Code Province State AddressNumber Comments Description EndDateActive StartDateActive`),
};

export const SOURCE_SYSTEM_REFERENCE: BodySchema = {
  resource: 'SourceSystemReference',
  source: `${FAAPS}/op-huborganizations-partynumber-child-sourcesystemreference-post.html`,
  attrs: words('SourceSystem SourceSystemReferenceValue StartDate EndDate'),
};

/** hubOrganizations POST; PartyNumber only where the pod lets clients number parties (HZ_GENERATE_PARTY_NUMBER). */
export const ORGANIZATION_POST: BodySchema = {
  resource: 'hubOrganizations',
  source: `${FAAPS}/op-huborganizations-post.html`,
  attrs: words(`
    CEOName CEOTitle CorpCurrencyCode CurcyConvRateType CurrencyCode DUNSNumber EmailAddress FaxNumber JgzzFiscalCode
    OrganizationName OrganizationSize PartyNumber PartyUsageCode PhoneAreaCode PhoneCountryCode PhoneExtension PhoneNumber
    PreferredContactMethod RawPhoneNumber SourceSystem SourceSystemReferenceValue Type URL YearEstablished`),
  children: { Address: PARTY_ADDRESS, SourceSystemReference: SOURCE_SYSTEM_REFERENCE },
};

/** hubOrganizations PATCH: the same top-level attributes; children change through their own item paths. */
export const ORGANIZATION_PATCH: BodySchema = {
  resource: 'hubOrganizations',
  source: `${FAAPS}/op-huborganizations-partynumber-patch.html`,
  attrs: ORGANIZATION_POST.attrs,
};

export const ADDRESS_PATCH: BodySchema = { ...PARTY_ADDRESS, source: `${FAAPS}/op-huborganizations-partynumber-child-address-addressnumber-patch.html` };

/** hubPersons POST: an individual customer (a person party). */
export const PERSON_POST: BodySchema = {
  resource: 'hubPersons',
  source: `${FAAPS}/op-hubpersons-post.html`,
  attrs: words(`
    CorpCurrencyCode CurcyConvRateType CurrencyCode DateOfBirth EmailAddress FaxNumber Gender MaritalStatus PartyNumber
    PartyUsageCode PersonFirstName PersonLastName PersonMiddleName PersonNameSuffix PersonPreNameAdjunct PersonTitle
    PhoneAreaCode PhoneCountryCode PhoneExtension PhoneNumber PreferredContactMethod RawPhoneNumber SourceSystem
    SourceSystemReferenceValue URL`),
  children: {
    Address: { ...PARTY_ADDRESS, source: `${FAAPS}/op-hubpersons-partynumber-child-address-post.html` },
    SourceSystemReference: { ...SOURCE_SYSTEM_REFERENCE, source: `${FAAPS}/op-hubpersons-partynumber-child-sourcesystemreference-post.html` },
  },
};

export const PERSON_PATCH: BodySchema = { resource: 'hubPersons', source: `${FAAPS}/op-hubpersons-partynumber-patch.html`, attrs: PERSON_POST.attrs };

// ---- queryable attributes (q) ---------------------------------------------------------------------------------------

export interface QuerySchema {
  source: string;
  /** Attributes the published "Get all" page (or its finders / examples) shows as queryable. */
  attrs: readonly string[];
}

/** Per top-level resource: the attributes `q` may name. An unlisted attribute is a 400 naming these. */
export const QUERYABLE: Record<string, QuerySchema> = {
  purchaseOrders: {
    source: `${FAPRA}/op-purchaseorders-get.html`,
    attrs: words('POHeaderId OrderNumber Supplier SupplierId SupplierSite SupplierSiteId Status ProcurementBU BillToBU Buyer CurrencyCode CreationDate'),
  },
  receivingReceiptRequests: {
    source: `${FASRP}/23d/fasrp/op-receivingreceiptrequests-get.html`,
    attrs: words('HeaderInterfaceId ReceiptNumber ReceiptSourceCode ASNType VendorName OrganizationCode CreationDate'),
  },
  suppliers: { source: `${FAPRA}/op-suppliers-get.html`, attrs: words('SupplierId Supplier SupplierNumber') },
  b2bShipToLocationsLOV: { source: `${FASRP}/24d/fasrp/op-b2bshiptolocationslov-get.html`, attrs: words('LocationId LocationCode OrganizationCode') },
  receivablesInvoices: {
    source: `${FARFA}/25d/farfa/op-receivablesinvoices-get.html`,
    attrs: words(
      'CustomerTransactionId TransactionNumber TransactionSource TransactionType TransactionDate BillToCustomerNumber BusinessUnit CrossReference DocumentNumber InvoiceStatus PurchaseOrder CreationDate LastUpdateDate',
    ),
  },
  // Issue 15 / the reference name these as the queryable ones.
  receivablesCreditMemos: {
    source: `${FARFA}/26a/farfa/op-receivablescreditmemos-get.html`,
    attrs: words('CustomerTransactionId TransactionNumber BillToCustomerNumber CreditMemoStatus TransactionDate LastUpdateDate CreationDate'),
  },
  receivablesCustomerAccountActivities: {
    source: `${FARFA}/25d/farfa/op-receivablescustomeraccountactivities-get.html`,
    attrs: words('AccountId AccountNumber CustomerName'),
  },
  customerAccountSitesLOV: { source: `${FARFA}/25d/farfa/op-customeraccountsiteslov-get.html`, attrs: words('SiteUseId AccountNumber') },
  hubOrganizations: { source: `${FAAPS}/op-huborganizations-get.html`, attrs: words('PartyId PartyNumber OrganizationName') },
  hubPersons: { source: `${FAAPS}/op-hubpersons-get.html`, attrs: words('PartyId PartyNumber PersonFirstName PersonLastName') },
  // Setup lists of values (fusion-setup-lovs.ts): only each item's key, as its "Get one" page names it, is taken as
  // queryable; the name attributes the doctor matches on are UNCONFIRMED switches (default off: it lists and matches).
  finBusinessUnitsLOV: { source: `${FARFA}/24d/farfa/op-finbusinessunitslov-finbusinessunitslovuniqid-get.html`, attrs: words('BusinessUnitId') },
  transactionSourcesLOV: { source: `${FARFA}/24d/farfa/op-transactionsourceslov-transactionsourceid-get.html`, attrs: words('TransactionSourceId') },
  transactionTypesLOV: { source: `${FARFA}/23d/farfa/api-list-values-receivables-transaction-types-list-values.html`, attrs: words('TransactionTypeId') },
  accountCombinationsLOV: { source: `${FARFA}/24c/farfa/op-accountcombinationslov-_code_combination_id-get.html`, attrs: words('_CODE_COMBINATION_ID') },
};

/**
 * Queryability the published pages do not settle (key `<resource>.<Attribute>`), each a switch (`strict.queryable`).
 * Default false is the stricter reading; the four marked true are what the connector cannot work without (delta
 * polling, finding its own writes after a lost answer, matching customers): they stay on by default and are listed as
 * UNCONFIRMED in the README. CreditMemoComments stays off: the product must not depend on it.
 */
export const UNCONFIRMED_QUERYABLE: Record<string, boolean> = {
  'purchaseOrders.LastUpdateDate': true,
  'receivingReceiptRequests.ShipmentNumber': true,
  'receivingReceiptRequests.LastUpdateDate': false,
  'receivablesCreditMemos.CreditMemoComments': false,
  'receivablesCustomerAccountActivities.LastUpdateDate': true,
  'receivablesCustomerAccountActivities.PartyId': false,
  'customerAccountSitesLOV.PartyId': true,
  'customerAccountSitesLOV.SiteUseCode': true,
  'hubOrganizations.EmailAddress': true,
  'hubOrganizations.SourceSystem': true,
  'hubOrganizations.SourceSystemReferenceValue': true,
  'hubOrganizations.LastUpdateDate': false,
  'hubPersons.EmailAddress': true,
  'hubPersons.SourceSystem': true,
  'hubPersons.SourceSystemReferenceValue': true,
  // Setup look-ups of `mlc doctor` (fusion-setup-lovs.ts): it works without them (reads the list and matches itself).
  'finBusinessUnitsLOV.BusinessUnitName': false,
  'transactionSourcesLOV.Name': false,
  'transactionTypesLOV.Name': false,
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`accountCombinationsLOV.Segment${i + 1}`, false])),
};

/** The effective queryable attributes of a resource under the given switch overrides. */
export function queryableOf(resource: string, overrides: Record<string, boolean> = {}): Set<string> | undefined {
  const base = QUERYABLE[resource];
  if (!base) return undefined;
  const out = new Set(base.attrs);
  for (const [key, dflt] of Object.entries(UNCONFIRMED_QUERYABLE)) {
    const [res, attr] = key.split('.') as [string, string];
    if (res === resource && (overrides[key] ?? dflt)) out.add(attr);
  }
  return out;
}

// ---- response attributes (fields) -----------------------------------------------------------------------------------

/** Attributes a GET can select with `fields`, per resource (or `<parent>.<child>`), from the GET op pages. */
export const RESPONSE_FIELDS: Record<string, QuerySchema> = {
  purchaseOrders: {
    source: `${FAPRA}/op-purchaseorders-purchaseordersuniqid-get.html`,
    attrs: words(`
      POHeaderId OrderNumber Supplier SupplierId SupplierSite SupplierSiteId Status Ordered Total TotalTax Currency
      CurrencyCode ProcurementBU BillToBU Buyer ShipToLocationId ShipToLocationCode ShipToLocationAddress Description CreationDate
      LastUpdateDate`),
  },
  'purchaseOrders.lines': {
    source: `${FAPRA}/op-purchaseorders-purchaseordersuniqid-child-lines-polineid-get.html`,
    attrs: words('POLineId LineNumber Item ItemId Description Quantity UOM Price Total Currency Status'),
  },
  'purchaseOrders.lines.schedules': {
    source: `${FAPRA}/op-purchaseorders-purchaseordersuniqid-child-lines-polineid-child-schedules-schedulesuniqid-get.html`,
    attrs: words(
      'LineLocationId ScheduleNumber Quantity QuantityReceived QuantityShipped ShipToLocationId ShipToLocationCode ShipToOrganizationCode RequestedDeliveryDate Status',
    ),
  },
};
