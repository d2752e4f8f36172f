export {
  FusionClient,
  receiptState,
  receiptErrors,
  parsePurchaseOrder,
  parseArTransaction,
  parseCollectionPage,
  BILL_OF_LADING_MAX,
  REST_FRAMEWORK_VERSION,
  MAX_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  requestFusionToken,
} from './fusion.client';
export * from './fusion.errors';
export * from './fusion.types';
export { DEFAULT_RATE_LIMIT_BACKOFF_MS, toFusionError, parseRetryAfter } from './parse-fusion-error';
export * from './fusion-polling.types';
export {
  createCustomerAccount,
  createInvoiceCreditMemo,
  parseSoapFault,
  CUSTOMER_ACCOUNT_SERVICE_PATH,
  CREDIT_MEMO_SERVICE_PATH,
  type CustomerAccountInput,
  type FusionCustomerAccountCreated,
  type InvoiceCreditMemoInput,
  type FusionCreditMemoCreated,
  type CreditMemoAmountSign,
  type SoapFaultInfo,
} from './fusion-soap';
export {
  findBillToSites,
  findInvoicesWithLines,
  findCreditMemosByComments,
  type FusionCustomerSite,
  type FusionInvoiceWithLines,
  type FusionCreditMemoRow,
  type CreditMemoLookupKeys,
} from './fusion-receivables';
export { findCreditMemosByTransactionNumber } from './fusion-credit-memo-lookup';
export { findSetupValues, probeFusionRead } from './fusion-setup-lookup';
export { parseFusionJson, stringifyFusionJson, isFusionIdAttribute, isFusionDecimalAttribute } from './fusion-json';
