export {
  CircuitOpenError,
  isRateLimit,
  notSent,
  PartnerPolicy,
  sharedPartnerPolicy,
  type PartnerCall,
  type PartnerPolicyOptions,
  type RequestKind,
} from './partner-policy';
export { parseRetryAfter, retryAfterMsFromHeaders } from './retry-after';
export { memoryAccessToken, type AccessTokenGrant } from './memory-access-token';
export { fetchText } from './fetch-text';
