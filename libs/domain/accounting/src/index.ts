export { currencyDecimals, toMinor, fromMinor, prorate, sum, addAmounts, MoneyFormatError } from './money';
export { toFusionAddress, countryCode, regionCode, normalisePostalCode, type ShopifyAddress, type FusionAddress } from './address';
export type * from './shopify.payloads';
export * from './documents';
export { customerDocument } from './map-customer';
export {
  orderInvoice,
  ledgerOfInvoice,
  orderAmendment,
  refundCreditMemo,
  billToFor,
  shopDate,
  type AccountingConfig,
  type OrderLedger,
  type LedgerLine,
  type AmendmentResult,
} from './map-order';
export { receivablesKeys } from './keys';
export { orderCancellation } from './map-cancel';
