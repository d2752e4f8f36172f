export { startTelemetry, stopTelemetry } from './telemetry';
export { logger, type Logger } from './logger';
