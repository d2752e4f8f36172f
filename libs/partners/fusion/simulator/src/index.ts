export {
  FusionSandbox,
  FSCM_ROOT,
  CRM_ROOT,
  TOKEN_PATH,
  MEDIA,
  type FusionSandboxOptions,
  type FusionStrictSwitches,
  type FusionWritten,
} from './fusion.sandbox';
export { DEFAULT_FUSION_SETUP, FusionSetupStore, type FusionSetupSeed } from './fusion-setup-lovs';
export { fusionTimestamp, type SeedRequest, type PurchaseOrder, type PoLine, type PoSchedule, type PoStatus } from './fusion.store';
export { parseFusionDateLiteral } from './fusion-query';
export {
  SoapFault,
  CUSTOMER_ACCOUNT_SERVICE_PATH,
  CUSTOMER_ACCOUNT_TYPES_NS,
  CUSTOMER_ACCOUNT_NS,
  CREDIT_MEMO_SERVICE_PATH,
  CREDIT_MEMO_TYPES_NS,
  CREDIT_MEMO_NS,
  SOAP_ENV,
  SOAP_STRICT_DEFAULTS,
  soapSwitches,
  type SoapStrictSwitches,
} from './fusion-soap';
export { SOAP_TYPES, SOAP_OPERATIONS, CREDIT_MEMO_SOURCES, CUSTOMER_ACCOUNT_SOURCES, type SoapType, type SoapOperation } from './fusion-soap.schema';
export { type ArTransaction, type Party, type CustomerAccount } from './fusion-receivables';
