import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpMetricNames, decodeOtlpTraces, readOtlpJson, type ReceivedSpan } from '@mlc/platform-telemetry';
import { waitFor } from './wait-for';

export interface OtlpReceiver {
  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT (`http://127.0.0.1:<port>`). */
  url: string;
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  /** The spans of one trace, oldest first. */
  trace(traceId: string): ReceivedSpan[];
  /** Waits until the spans received so far satisfy `check` (returns its truthy result). */
  waitFor<T>(check: (spans: ReceivedSpan[]) => T, opts?: { timeoutMs?: number; what?: string }): Promise<NonNullable<T>>;
  /** Metric names received over OTLP, per service. */
  metricNames(service?: string): string[];
  /** Requests that could not be read (wrong content type, bad JSON): a test can assert there were none. */
  rejected(): string[];
  close(): Promise<void>;
}

const body = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res(Buffer.concat(chunks)));
    req.on('error', rej);
  });

/**
 * An in-process OTLP/HTTP receiver (the http/json protocol our exporters speak) on 127.0.0.1, port 0: POST
 * /v1/traces and /v1/metrics. Start services with OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url and assert on spans.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: { service: string; name: string }[] = [];
  const rejected: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await body(req);
      try {
        if (req.method !== 'POST') throw new Error(`${req.method} not allowed`);
        const json = readOtlpJson(raw, { 'content-type': req.headers['content-type'], 'content-encoding': req.headers['content-encoding'] });
        if (req.url === '/v1/traces') spans.push(...decodeOtlpTraces(json));
        else if (req.url === '/v1/metrics') metrics.push(...decodeOtlpMetricNames(json));
        else if (req.url !== '/v1/logs') throw new Error(`unknown path ${req.url}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (err) {
        rejected.push(`${req.url}: ${(err as Error).message}`);
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: (err as Error).message }));
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    spans: () => [...spans],
    trace: (traceId) => spans.filter((s) => s.traceId === traceId).sort((a, b) => a.startMs - b.startMs),
    waitFor: (check, opts = {}) => waitFor(() => check([...spans]), { timeoutMs: opts.timeoutMs ?? 20_000, what: opts.what ?? 'spans' }),
    metricNames: (service) => [...new Set(metrics.filter((m) => !service || m.service === service).map((m) => m.name))],
    rejected: () => [...rejected],
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
