/**
 * What the Fusion SOAP services accept, element by element, as Oracle publishes them (service data object pages of
 * the SOAP Web Services guides). Each type lists the child elements it may contain, in the SDO's namespace, and
 * which of them are complex (another type here). The sandbox refuses any other element, or one in the wrong place,
 * with a SOAP fault naming the allowed ones. Only names read on Oracle's pages (or in Oracle's own request samples)
 * are listed: where a page could be read only in part, the list stops where the reading stopped, so a real but
 * unlisted attribute is refused too until someone adds it with its source.
 */
export interface SoapType {
  /** Readable name used in faults. */
  name: string;
  /** Namespace of the child elements. */
  ns: string;
  /** Allowed child elements: name -> the complex type it holds, or null for a simple value. */
  children: Record<string, string | null>;
  /** Children that must be present (the sandbox's business reading; Oracle's pages mark only primary keys). */
  required?: string[];
  /** Where each list was read. */
  source: string;
}

export const CREDIT_MEMO_NS = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/creditMemoService/';
export const CREDIT_MEMO_FLEX_NS = 'http://xmlns.oracle.com/apps/financials/receivables/transactions/creditMemos/model/flex/CreditMemoDff/';
export const CUSTOMER_ACCOUNT_NS = 'http://xmlns.oracle.com/apps/cdm/foundation/parties/customerAccountService/';

const simple = (names: string): Record<string, null> =>
  Object.fromEntries(
    names
      .split(/\s+/)
      .filter(Boolean)
      .map((n) => [n, null]),
  );

/**
 * CreditMemoService (`{…/creditMemoService/}CreditMemoService`, WSDL at /fscmService/CreditMemoService?WSDL):
 * `createCreditMemo` "creates header level regular credit memo" against an invoice; its only input is `creditMemo`
 * of type CreditMemo. The CreditMemo SDO has no lines: the credit is given per bucket (LineAmount / TaxAmount /
 * FreightAmount, or the matching percentages) of the invoice PreviousCustomerTransactionId. Its one child object is
 * the descriptive flexfield CreditMemoFLEXVA.
 */
export const CREDIT_MEMO_SOURCES = {
  service: 'https://docs.oracle.com/en/cloud/saas/financials/25c/oeswf/receivablescreditmemo-d16510e18293.html',
  creditMemo:
    'https://docs.oracle.com/en/cloud/saas/financials/24c/oeswf/creditmemo-d16504e61165.html (25d: https://docs.oracle.com/en/cloud/saas/financials/25d/oeswf/creditmemo-d16509e62093.html)',
  creditMemoTail:
    "Oracle page read up to ReasonCode; SplitTerminationMethod, TaxAmount, TaxPercent, TransactionDate, TransactionNumber from a JAXB class generated from the same WSDL (GitHub, mx.frisa.tic CreditMemoDTO), in the page's alphabetical order",
  flexfield: 'https://docs.oracle.com/en/cloud/saas/financials/24c/oeswf/receivablescreditmemoflexfield-d16504e62731.html',
};

/**
 * CustomerAccountService (`{…/customerAccountService/applicationModule/}CustomerAccountService`, WSDL at
 * /crmService/CustomerAccountService?WSDL): `createCustomerAccount(customerAccount: CustomerAccount)`. Oracle's own
 * request samples put CustomerAccountSite and CustomerAccountSiteUse, and their fields, in the same
 * customerAccountService namespace as the account.
 */
export const CUSTOMER_ACCOUNT_SOURCES = {
  service: 'https://docs.oracle.com/en/cloud/saas/sales/oesws/tradingcommunitycustomeraccount-d41e156865.html',
  account: 'https://docs.oracle.com/en/cloud/saas/sales/oesws/tradingcommunitycustomerbillingaccount-d41e463162.html (read up to CustomerCla…)',
  site: 'https://docs.oracle.com/en/cloud/saas/sales/oesws/tradingcommunitycustomeraccountsite-d41e460272.html and F77849-09 tradingcommunitycustomeraccountsite-d41e451041.html (read up to LastUpdateDate)',
  siteUse:
    'https://docs.oracle.com/en/cloud/saas/sales/oesws/tradingcommunitycustomeraccountsiteuse-d41e461630.html and F77849-09 tradingcommunitycustomeraccountsiteuse-d41e449407.html (read up to OrigSystemR…)',
  samples:
    'https://docs.oracle.com/cd/G11810_01/trans/F77849-09/Create-a-Basic-Customer-Account.html, https://docs.oracle.com/en/cloud/saas/sales/oesws/Add-a-new-SITE-USE-to-an-existing-Customer-Site.html (PartyId, PartySiteId, SetId, SiteUseCode, CreatedByModule)',
};

export const SOAP_TYPES: Record<string, SoapType> = {
  CreditMemo: {
    name: 'CreditMemo',
    ns: CREDIT_MEMO_NS,
    children: {
      ...simple(`BatchSourceSequenceId Comments ComputeTax CurrencyCode CustomerReference CustomerReferenceDate CustomerTransactionId
        CustomerTransactionTypeSequenceId DocumentSequenceId DocumentSequenceValue FreightAmount FreightPercent GlDate InternalNotes
        LineAmount LinePercent MethodForRules PreviousCustomerTransactionId ReasonCode SplitTerminationMethod TaxAmount TaxPercent
        TransactionDate TransactionNumber`),
      CreditMemoFLEXVA: 'CreditMemoFLEX',
    },
    required: ['PreviousCustomerTransactionId'],
    source: `${CREDIT_MEMO_SOURCES.creditMemo}; ${CREDIT_MEMO_SOURCES.creditMemoTail}`,
  },
  CreditMemoFLEX: {
    name: 'CreditMemoFLEX',
    ns: CREDIT_MEMO_FLEX_NS,
    children: simple('CustomerTrxId _FLEX_NumOfSegments __FLEX_Context'),
    source: CREDIT_MEMO_SOURCES.flexfield,
  },
  CustomerAccount: {
    name: 'CustomerAccount',
    ns: CUSTOMER_ACCOUNT_NS,
    children: {
      ...simple(`AccountEstablishedDate AccountName AccountNumber AccountTerminationDate ArrivalsetsIncludeLinesFlag AutopayFlag Comments
        CoterminateDayMonth CreatedBy CreatedByModule CreationDate CustomerAccountId PartyId`),
      CustomerAccountSite: 'CustomerAccountSite',
    },
    required: ['PartyId', 'CreatedByModule'],
    source: `${CUSTOMER_ACCOUNT_SOURCES.account}; PartyId from ${CUSTOMER_ACCOUNT_SOURCES.samples}`,
  },
  CustomerAccountSite: {
    name: 'CustomerAccountSite',
    ns: CUSTOMER_ACCOUNT_NS,
    children: {
      ...simple(`BillToIndicator CreatedBy CreatedByModule CreationDate CustomerAccountId CustomerAccountSiteId CustomerCategoryCode
        EceTpLocationCode EndDate KeyAccountFlag Language LastUpdateDate PartySiteId SetId`),
      CustomerAccountSiteUse: 'CustomerAccountSiteUse',
    },
    required: ['PartySiteId', 'CreatedByModule'],
    source: `${CUSTOMER_ACCOUNT_SOURCES.site}; PartySiteId, SetId from ${CUSTOMER_ACCOUNT_SOURCES.samples}`,
  },
  CustomerAccountSiteUse: {
    name: 'CustomerAccountSiteUse',
    ns: CUSTOMER_ACCOUNT_NS,
    children: simple(`BillToSiteUseId CreatedBy CreatedByModule CreationDate CustomerAccountSiteId EndDate FinchrgReceivablesTrxId
      GSAIndicator LastAccrueChargeDate LastUnaccrueChargeDate LastUpdateDate LastUpdateLogin LastUpdatedBy Location SiteUseCode`),
    required: ['SiteUseCode', 'CreatedByModule'],
    source: `${CUSTOMER_ACCOUNT_SOURCES.siteUse}; SiteUseCode from ${CUSTOMER_ACCOUNT_SOURCES.samples}`,
  },
};

/** Each SOAP operation the sandbox serves: its request wrapper element and the SDO type inside it. */
export interface SoapOperation {
  service: string;
  operation: string;
  /** The single child of the operation element, and its type. */
  parameter: string;
  type: string;
  source: string;
}

export const SOAP_OPERATIONS: SoapOperation[] = [
  { service: 'CreditMemoService', operation: 'createCreditMemo', parameter: 'creditMemo', type: 'CreditMemo', source: CREDIT_MEMO_SOURCES.service },
  {
    service: 'CustomerAccountService',
    operation: 'createCustomerAccount',
    parameter: 'customerAccount',
    type: 'CustomerAccount',
    source: CUSTOMER_ACCOUNT_SOURCES.service,
  },
];
