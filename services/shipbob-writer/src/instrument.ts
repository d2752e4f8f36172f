// Loaded first by main.ts: OpenTelemetry must patch kafkajs, http and pg before they are required.
import { startTelemetry } from '@mlc/platform-telemetry';

startTelemetry('shipbob-writer');
