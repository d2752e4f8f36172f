import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpTraces, readOtlpJson } from '@mlc/platform-telemetry';
import { listPage, tracePage } from './trace.page';
import { TraceStore } from './trace.store';

export interface TraceViewer {
  url: string;
  store: TraceStore;
  close(): Promise<void>;
}

const MAX_BODY = 20 * 1024 * 1024;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => res(Buffer.concat(chunks)));
    req.on('error', rej);
  });
}

/**
 * A small local trace viewer: an OTLP/HTTP (JSON) receiver (POST /v1/traces; /v1/metrics and /v1/logs are accepted
 * and dropped: metrics are scraped from each service's /metrics) plus HTML pages listing recent traces and showing
 * one trace's span tree with timings and attributes.
 */
export async function startTraceViewer(
  opts: { host?: string; port?: number; dir?: string; maxTraces?: number; maxSpansPerTrace?: number } = {},
): Promise<TraceViewer> {
  const store = new TraceStore({ dir: opts.dir, maxTraces: opts.maxTraces, maxSpansPerTrace: opts.maxSpansPerTrace });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        if (req.method === 'POST') {
          const raw = await body(req);
          if (url.pathname === '/v1/traces') {
            store.add(
              decodeOtlpTraces(readOtlpJson(raw, { 'content-type': req.headers['content-type'], 'content-encoding': req.headers['content-encoding'] })),
            );
          } else if (url.pathname !== '/v1/metrics' && url.pathname !== '/v1/logs') {
            res.writeHead(404).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        const trace = /^\/traces\/([0-9a-f]{32})$/.exec(url.pathname);
        const apiTrace = /^\/api\/traces\/([0-9a-f]{32})$/.exec(url.pathname);
        if (url.pathname === '/') html(res, listPage(store.list(url.searchParams.get('q') ?? ''), url.searchParams.get('q') ?? ''));
        else if (trace) html(res, tracePage(trace[1]!, store.get(trace[1]!)));
        else if (url.pathname === '/api/traces') json(res, store.list(url.searchParams.get('q') ?? ''));
        else if (apiTrace) json(res, store.get(apiTrace[1]!));
        else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: (err as Error).message }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4318, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address}:${addr.port}`,
    store,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections(); // exporters keep connections alive
      }),
  };
}

const html = (res: import('node:http').ServerResponse, page: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
const json = (res: import('node:http').ServerResponse, v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
