// The local trace viewer `npm start` runs: OTLP/HTTP on 127.0.0.1:4318 (what OTEL_EXPORTER_OTLP_ENDPOINT points the
// services at), pages on the same port. TRACE_VIEWER_PORT, TRACE_VIEWER_DIR (.local/traces), TRACE_VIEWER_MAX_TRACES
// (the ring of recent traces, 2,000), TRACE_VIEWER_MAX_SPANS_PER_TRACE (500; later spans of a trace are counted, not kept).
import { resolve } from 'node:path';
import { startTraceViewer } from './trace-viewer.server';
import { DEFAULT_MAX_SPANS_PER_TRACE, DEFAULT_MAX_TRACES } from './trace.store';

const root = resolve(__dirname, '..', '..', '..');

void (async () => {
  const viewer = await startTraceViewer({
    port: Number(process.env['TRACE_VIEWER_PORT'] ?? 4318),
    dir: process.env['TRACE_VIEWER_DIR'] ?? resolve(root, '.local/traces'),
    maxTraces: Number(process.env['TRACE_VIEWER_MAX_TRACES'] ?? DEFAULT_MAX_TRACES),
    maxSpansPerTrace: Number(process.env['TRACE_VIEWER_MAX_SPANS_PER_TRACE'] ?? DEFAULT_MAX_SPANS_PER_TRACE),
  });
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'trace-viewer', msg: 'trace viewer listening', url: viewer.url })}\n`,
  );
  const stop = () => void viewer.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
})();
