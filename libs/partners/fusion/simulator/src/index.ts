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
export { fusionTimestamp, type SeedRequest, type PurchaseOrder, type PoLine, type PoSchedule, type PoStatus } from './fusion.store';
export { parseFusionDateLiteral } from './fusion-query';
