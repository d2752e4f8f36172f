import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a route handler sees: the parsed request with its exact raw body. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  rawBody: Buffer;
  /** The body parsed as JSON; throws a SandboxHttpError(400) when it is not JSON. */
  json<T = unknown>(): T;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  body?: unknown;
}

export type RouteHandler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

/** Thrown inside handlers to answer with a given status and body (the partner's own error shape). */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

export interface LoggedRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

/** Switches for a bad day, set through POST /__admin/faults. Each applies to partner routes only. */
export interface FaultSwitches {
  /** Added delay before every answer. */
  latencyMs?: number;
  /** Share of requests (0..1) answered with 500/502/503. */
  errorRate?: number;
  /** Until this epoch-ms, every request gets 429 (a storm). */
  rateLimitUntil?: number;
  /** Seconds announced in the 429's retry header during a storm. */
  rateLimitRetryAfterSec?: number;
  /** An outage window in epoch-ms: connections are answered 503 (or dropped when `drop` is set). */
  outageFrom?: number;
  outageUntil?: number;
  outageDrop?: boolean;
  /** Share of successful JSON answers (0..1) whose body is cut short. */
  malformedRate?: number;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const SENSITIVE_HEADERS = new Set(['authorization', 'x-shopify-access-token', 'cookie']);

/** mulberry32: a small deterministic PRNG so a sandbox given a seed behaves the same every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small HTTP server for partner sandboxes: routing with `:params`, an exact raw body, a request log,
 * fault switches, a movable clock and an admin surface under /__admin. Each partner sandbox builds on it.
 */
export class SandboxServer {
  private readonly routes: Route[] = [];
  private readonly log: LoggedRequest[] = [];
  private server: Server | undefined;
  private seq = 0;
  private clockOffsetMs = 0;
  faults: FaultSwitches = {};
  random: () => number;
  /** How a 429 during a storm looks for this partner (headers and body). */
  rateLimitResponse: (retryAfterSec: number) => SandboxResponse = (s) => ({
    status: 429,
    headers: { 'retry-after': String(s) },
    body: { error: 'rate limited' },
  });

  constructor(
    readonly name: string,
    readonly seed = 1,
  ) {
    this.random = seededRandom(seed);
    this.route('GET', '/__admin/requests', (req) => {
      const since = Number(req.query.get('since') ?? 0);
      return { status: 200, body: { items: this.log.filter((r) => r.seq > since) } };
    });
    this.route('DELETE', '/__admin/requests', () => {
      this.log.length = 0;
      return { status: 204 };
    });
    this.route('GET', '/__admin/faults', () => ({ status: 200, body: this.faults }));
    this.route('POST', '/__admin/faults', (req) => {
      this.faults = req.json<FaultSwitches>();
      return { status: 200, body: this.faults };
    });
    this.route('POST', '/__admin/clock', (req) => {
      const { advanceMs } = req.json<{ advanceMs?: number }>();
      this.clockOffsetMs += Number(advanceMs ?? 0);
      return { status: 200, body: { now: new Date(this.now()).toISOString() } };
    });
    this.route('GET', '/__admin/health', () => ({ status: 200, body: { sandbox: this.name, ok: true } }));
  }

  /** The sandbox's clock: real time plus whatever /__admin/clock advanced it by. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  route(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((part) => {
        if (part.startsWith(':')) {
          names.push(part.slice(1));
          return '([^/]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  requests(): readonly LoggedRequest[] {
    return this.log;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    return `http://${host}:${addr.port}`;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error(`${this.name} sandbox is not listening`);
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'text/plain' }).end('request body too large');
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const isAdmin = url.pathname.startsWith('/__admin');
    let response: SandboxResponse | 'drop';
    try {
      response = (!isAdmin && (await this.applyFaults())) || (await this.dispatch(method, url, req, rawBody));
    } catch (err) {
      response =
        err instanceof SandboxHttpError
          ? { status: err.status, headers: err.headers, body: err.body }
          : { status: 500, body: { error: 'sandbox internal error', detail: String(err) } };
    }
    if (!isAdmin) this.record(method, url, req, rawBody, response === 'drop' ? 0 : response.status);
    if (response === 'drop') {
      req.socket.destroy();
      return;
    }
    this.send(res, response, !isAdmin);
  }

  private async applyFaults(): Promise<SandboxResponse | 'drop' | undefined> {
    const f = this.faults;
    const now = this.now();
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.outageFrom !== undefined && f.outageUntil !== undefined && now >= f.outageFrom && now < f.outageUntil) {
      return f.outageDrop ? 'drop' : { status: 503, body: 'Service Unavailable' };
    }
    if (f.rateLimitUntil !== undefined && now < f.rateLimitUntil) {
      return this.rateLimitResponse(f.rateLimitRetryAfterSec ?? 1);
    }
    if (f.errorRate && this.random() < f.errorRate) {
      const status = [500, 502, 503][Math.floor(this.random() * 3)] ?? 500;
      return { status, body: { error: 'injected server error' } };
    }
    return undefined;
  }

  private async dispatch(method: string, url: URL, req: IncomingMessage, rawBody: Buffer): Promise<SandboxResponse> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      return route.handler({
        method,
        path: url.pathname,
        query: url.searchParams,
        params,
        headers: req.headers,
        rawBody,
        json<T>(): T {
          try {
            return JSON.parse(rawBody.toString('utf8')) as T;
          } catch {
            throw new SandboxHttpError(400, { error: 'request body is not valid JSON' });
          }
        },
      });
    }
    return pathMatched
      ? { status: 405, body: { error: `method ${method} not allowed on ${url.pathname}` } }
      : { status: 404, body: { error: `no resource at ${url.pathname}` } };
  }

  private send(res: ServerResponse, response: SandboxResponse, mayCorrupt: boolean): void {
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    let body: Buffer | undefined;
    if (response.body === undefined || response.body === null) body = undefined;
    else if (Buffer.isBuffer(response.body)) body = response.body;
    else if (typeof response.body === 'string') {
      body = Buffer.from(response.body);
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      body = Buffer.from(JSON.stringify(response.body));
      headers['content-type'] ??= 'application/json';
      if (mayCorrupt && this.faults.malformedRate && response.status < 300 && this.random() < this.faults.malformedRate) {
        body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
      }
    }
    res.writeHead(response.status, headers);
    res.end(body);
  }

  private record(method: string, url: URL, req: IncomingMessage, rawBody: Buffer, status: number): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      headers[k] = SENSITIVE_HEADERS.has(k) ? '[redacted]' : Array.isArray(v) ? v.join(', ') : v;
    }
    this.log.push({
      seq: ++this.seq,
      at: new Date(this.now()).toISOString(),
      method,
      path: url.pathname,
      query: url.search,
      headers,
      body: rawBody.toString('utf8').slice(0, 64 * 1024),
      status,
    });
    if (this.log.length > 20_000) this.log.splice(0, this.log.length - 20_000);
  }
}
