// Imported first by integration specs: the test process traces too, so a span it opens is the root of the chain.
import { startTelemetry } from '@mlc/platform-telemetry';

startTelemetry('integration-test');
