// Loaded first by main.ts: OpenTelemetry must patch kafkajs, http and pg before they are required. One SDK for the
// six services of the combined process (spans carry service.name `ml-connector` unless OTEL_SERVICE_NAME says otherwise).
import { startTelemetry } from '@mlc/platform-telemetry';

startTelemetry('ml-connector');
