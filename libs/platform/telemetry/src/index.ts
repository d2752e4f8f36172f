export { startTelemetry, stopTelemetry } from './telemetry';
export { logger, type Logger } from './logger';
export { annotateSpan, annotationAttributes, isSecretKey, MLC_ATTR, type SpanAnnotation } from './span-attributes';
export { mlcMeter, counter, gauge, histogram, renderPrometheus, PROMETHEUS_CONTENT_TYPE, DURATION_BUCKETS_S } from './metrics';
export {
  METRIC,
  recordPartnerCall,
  timePartnerCall,
  recordRateLimitWait,
  recordTokenRefresh,
  setPollCursorAge,
  setOpenExceptions,
  type Partner,
} from './flow-metrics';
export { instrumentFetch } from './fetch.instrumentation';
export { classifyPartnerRequest, withTenant, currentTenant, type PartnerRequest } from './partner-request';
export { inSpan, activeTraceId, type SpanOptions } from './record-span';
export { decodeOtlpTraces, decodeOtlpMetricNames, readOtlpJson, type ReceivedSpan } from './otlp-json';
