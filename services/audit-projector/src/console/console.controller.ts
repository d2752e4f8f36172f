import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { All, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  CSV_COLUMNS,
  csvToMappings,
  keyFingerprint,
  MAPPING_KINDS,
  parseOperatorKeys,
  TenantValidationError,
  type OperatorIdentity,
  type OperatorKey,
} from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { ALL_TENANTS, OperatorActionsPublisher } from '../ops/operator-actions.publisher';
import { ConsoleSessions, type ConsoleSession } from './console.sessions';

/** The cookie holding the opaque session id (httpOnly, SameSite=Strict, path /console, Secure over https). */
export const CONSOLE_COOKIE = 'mlc_console';
export const CSRF_HEADER = 'x-csrf-token';

interface HttpReq {
  method: string;
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  secure?: boolean;
  ip?: string;
}
interface HttpRes {
  status(code: number): HttpRes;
  setHeader(name: string, value: string | string[]): void;
  send(body: string | Buffer): void;
  end(): void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** Everything from this origin only: no CDN, no inline script, no framing. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NAME = /^[\w.@ -]{1,100}$/;
/** Failed sign-ins allowed per client address and minute before it must wait (guessing keys through the page). */
export const SIGN_IN_FAILURES_PER_MINUTE = 10;
/** Response headers of the ops and admin APIs passed on to the page. */
const PASSED_ON = ['content-type', 'content-disposition', 'retry-after'];

const sha = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const sameText = (a: string, b: string): boolean => timingSafeEqual(sha(a), sha(b));

function cookie(req: HttpReq, name: string): string | undefined {
  const raw = req.headers['cookie'];
  for (const part of (typeof raw === 'string' ? raw : '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const isHttps = (req: HttpReq): boolean => req.secure === true || req.headers['x-forwarded-proto'] === 'https';

function json(res: HttpRes, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.send(JSON.stringify(body));
}
const fail = (res: HttpRes, status: number, code: string, message: string) => json(res, status, { error: { code, message } });

/**
 * The ops console: a Preact page under /console (static files built into dist, see tools/build.mjs) and its API.
 * `POST /console/api/session` signs in with an operator key (answers the CSRF token; sets the session cookie),
 * `GET /console/api/session` tells who is signed in, `POST /console/api/session/sign-out` ends it. Every other
 * `/console/api/ops/...` and `/console/api/admin/...` request is the ops or admin API itself, called on this
 * process with the session's key: the same routes, guard, tenant scope and operator actions as the CLI.
 */
@Controller('console')
export class ConsoleController {
  private readonly keys: Array<{ digest: Buffer; entry: OperatorKey }>;
  private readonly sessions: ConsoleSessions;
  private readonly webRoot = join(__dirname, 'web');
  private readonly files = new Map<string, Buffer>();
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    @Inject(AUDIT_PROJECTOR_CONFIG) private readonly config: AuditProjectorConfig,
    private readonly actions: OperatorActionsPublisher,
    private readonly http: HttpAdapterHost,
  ) {
    this.keys = parseOperatorKeys(config.opsOperatorApiKeys).map((entry) => ({ digest: sha(entry.key), entry }));
    this.sessions = new ConsoleSessions(config.consoleSessionTtlMs, config.consoleSessionIdleMs);
  }

  @Get()
  index(@Res() res: HttpRes) {
    this.file(res, 'index.html');
  }

  @Get('assets/*path')
  asset(@Req() req: HttpReq, @Res() res: HttpRes) {
    let rel: string;
    try {
      rel = decodeURIComponent(req.originalUrl.split('?')[0]!.slice('/console/assets/'.length));
    } catch {
      return fail(res, 404, 'CONSOLE.NOT_FOUND', 'no such file');
    }
    this.file(res, rel);
  }

  @Get('api/session')
  me(@Req() req: HttpReq, @Res() res: HttpRes) {
    const s = this.sessions.get(cookie(req, CONSOLE_COOKIE));
    if (!s) return fail(res, 401, 'CONSOLE.SIGNED_OUT', 'not signed in');
    json(res, 200, this.view(s));
  }

  @Post('api/session')
  @HttpCode(200)
  async signIn(@Req() req: HttpReq, @Res() res: HttpRes) {
    // Login CSRF: a JSON body (a cross-site form cannot send one without a preflight) from this origin only.
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return fail(res, 415, 'CONSOLE.VALIDATION', 'send JSON');
    if (!this.sameOrigin(req)) return fail(res, 403, 'CONSOLE.CSRF', 'cross-origin sign-in refused');
    const body = (req.body ?? {}) as { key?: unknown; name?: unknown };
    const key = typeof body.key === 'string' ? body.key.trim() : '';
    const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim() : 'console';
    if (!NAME.test(name)) return fail(res, 400, 'CONSOLE.VALIDATION', 'a name is letters, digits, spaces and . @ _ - (at most 100)');
    const client = String(req.ip ?? 'unknown');
    const failed = this.failures.get(client);
    if (failed && Date.now() - failed.since < 60_000 && failed.count >= SIGN_IN_FAILURES_PER_MINUTE) {
      res.setHeader('retry-after', String(Math.ceil((failed.since + 60_000 - Date.now()) / 1000)));
      return fail(res, 429, 'CONSOLE.TOO_MANY_ATTEMPTS', 'too many failed sign-ins from this address: wait a minute');
    }
    const who = this.identify(key, name);
    if (!who) {
      const f = failed && Date.now() - failed.since < 60_000 ? failed : { count: 0, since: Date.now() };
      f.count += 1;
      this.failures.set(client, f);
      if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
      return fail(res, 401, 'CONSOLE.UNAUTHENTICATED', 'the operator API key is not valid');
    }
    const s = this.sessions.create(key, who, name);
    await this.actions.record(who, who.tenant === '*' ? ALL_TENANTS : who.tenant, 'console-sign-in', 'console').catch(() => undefined);
    res.setHeader('set-cookie', this.cookieFor(req, s.id, Math.floor(this.config.consoleSessionTtlMs / 1000)));
    json(res, 200, this.view(s));
  }

  @Post('api/session/sign-out')
  @HttpCode(200)
  async signOut(@Req() req: HttpReq, @Res() res: HttpRes) {
    const s = this.sessions.get(cookie(req, CONSOLE_COOKIE));
    if (s) {
      if (!this.csrfOk(req, s)) return fail(res, 403, 'CONSOLE.CSRF', `the ${CSRF_HEADER} header is missing or wrong`);
      this.sessions.delete(s.id);
      await this.actions.record(s.who, s.who.tenant === '*' ? ALL_TENANTS : s.who.tenant, 'console-sign-out', 'console').catch(() => undefined);
    }
    res.setHeader('set-cookie', this.cookieFor(req, '', 0));
    json(res, 200, { signedOut: true });
  }

  /**
   * What importing a mappings CSV would change, before it is applied: body `{ tenantId, kind, csv, replace? }` ->
   * `{ added, changed, removed, unchanged }` (the CSV read by the same parser as the import, the current entries read
   * through the admin API with the session's key, so the tenant scope holds).
   */
  @Post('api/mappings-import-preview')
  @HttpCode(200)
  async importPreview(@Req() req: HttpReq, @Res() res: HttpRes) {
    const s = this.sessions.get(cookie(req, CONSOLE_COOKIE));
    if (!s) return fail(res, 401, 'CONSOLE.SIGNED_OUT', 'not signed in (or the session ended): sign in again');
    if (!this.csrfOk(req, s)) return fail(res, 403, 'CONSOLE.CSRF', `the ${CSRF_HEADER} header is missing or wrong`);
    const b = (req.body ?? {}) as { tenantId?: unknown; kind?: unknown; csv?: unknown; replace?: unknown };
    if (typeof b.tenantId !== 'string' || !b.tenantId || typeof b.csv !== 'string')
      return fail(res, 400, 'CONSOLE.VALIDATION', "give tenantId, kind and csv (the file's text)");
    if (typeof b.kind !== 'string' || !(MAPPING_KINDS as readonly string[]).includes(b.kind))
      return fail(res, 400, 'CONSOLE.VALIDATION', `kind must be one of: ${MAPPING_KINDS.join(', ')}`);
    let entries: Array<{ key: string; value: unknown }>;
    try {
      entries = csvToMappings(b.kind as (typeof MAPPING_KINDS)[number], b.csv);
    } catch (err) {
      if (err instanceof TenantValidationError) return json(res, 400, { error: { code: 'CONSOLE.VALIDATION', message: err.message, problems: err.problems } });
      throw err;
    }
    const current = await this.loopback(s, 'GET', `/admin/tenants/${encodeURIComponent(b.tenantId)}/mappings/${b.kind}`);
    if (!current.ok) return json(res, current.status, await current.json().catch(() => ({ error: { code: 'CONSOLE.UPSTREAM', message: 'no answer' } })));
    const existing = new Map(((await current.json()) as { entries: Array<{ key: string; value: unknown }> }).entries.map((e) => [e.key, e.value]));
    const keys = new Set(entries.map((e) => e.key));
    const added = entries.filter((e) => !existing.has(e.key));
    const changed = entries
      .filter((e) => existing.has(e.key) && !isDeepStrictEqual(existing.get(e.key), e.value))
      .map((e) => ({ key: e.key, from: existing.get(e.key), to: e.value }));
    const removed = b.replace === true ? [...existing].filter(([k]) => !keys.has(k)).map(([key, value]) => ({ key, value })) : [];
    json(res, 200, { kind: b.kind, added, changed, removed, unchanged: entries.length - added.length - changed.length });
  }

  /** `/console/api/{ops,admin}/...` -> the same route of this process, with the session's key and name. */
  @All('api/*path')
  async proxy(@Req() req: HttpReq, @Res() res: HttpRes) {
    const s = this.sessions.get(cookie(req, CONSOLE_COOKIE));
    if (!s) return fail(res, 401, 'CONSOLE.SIGNED_OUT', 'not signed in (or the session ended): sign in again');
    const mutating = MUTATING.has(req.method);
    if (mutating && !this.csrfOk(req, s)) return fail(res, 403, 'CONSOLE.CSRF', `the ${CSRF_HEADER} header is missing or wrong`);
    const path = req.originalUrl.slice('/console/api'.length);
    if (!/^\/(ops|admin)\//.test(path) || !/^\/(ops|admin)\//.test(this.target(path).pathname))
      return fail(res, 404, 'CONSOLE.NOT_FOUND', 'the console API passes on /ops/... and /admin/... only');
    let upstream: Response;
    try {
      upstream = await this.loopback(s, req.method, path, mutating ? (req.body !== null && typeof req.body === 'object' ? req.body : {}) : undefined);
    } catch (err) {
      return fail(res, 502, 'CONSOLE.UPSTREAM', `the API did not answer: ${(err as Error).message}`);
    }
    const target = new URL(upstream.url);
    const bytes = Buffer.from(await upstream.arrayBuffer());
    // The admin API versions its changes (who, when, old -> new); the console also records each as an operator action.
    if (mutating && upstream.ok && target.pathname.startsWith('/admin/')) {
      const tenant = /^\/admin\/tenants\/([^/]+)/.exec(target.pathname)?.[1];
      await this.actions
        .record(s.who, tenant ? decodeURIComponent(tenant) : ALL_TENANTS, `console-${req.method.toLowerCase()}`, target.pathname, {
          details: { status: upstream.status },
        })
        .catch(() => undefined);
    }
    res.status(upstream.status);
    for (const h of PASSED_ON) {
      const v = upstream.headers.get(h);
      if (v) res.setHeader(h, v);
    }
    res.setHeader('cache-control', 'no-store');
    if (upstream.status === 204) return res.end();
    res.send(bytes);
  }

  /** Calls the ops or admin API on this very process as the session's operator. */
  private loopback(s: ConsoleSession, method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'x-api-key': s.key, 'x-mlc-actor': s.name, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(this.target(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  /** A path on this very process: never another host (`//host/...` would be one), since the session's key goes with it. */
  private target(path: string): URL {
    const origin = `http://127.0.0.1:${(this.http.httpAdapter.getHttpServer().address() as AddressInfo).port}`;
    const url = new URL(path, origin);
    if (!path.startsWith('/') || path.startsWith('//') || url.origin !== origin) throw new Error(`not a path of this service: ${path}`);
    return url;
  }

  private view(s: ConsoleSession) {
    return {
      actor: s.who.actor,
      name: s.name,
      keyId: s.who.keyId,
      tenant: s.who.tenant,
      csrfToken: s.csrf,
      expiresAt: new Date(s.createdAt + this.config.consoleSessionTtlMs).toISOString(),
      traceViewerUrl: this.config.consoleTraceViewerUrl || null,
      /** Each mapping kind's fields (the CSV columns), for the mapping editor. */
      mappingKinds: CSV_COLUMNS,
    };
  }

  private identify(key: string, name: string): OperatorIdentity | undefined {
    if (!key) return undefined;
    const d = sha(key);
    let match: OperatorKey | undefined;
    for (const { digest, entry } of this.keys) if (timingSafeEqual(digest, d) && !match) match = entry;
    if (!match) return undefined;
    const keyId = keyFingerprint(match.key);
    return { keyId, tenant: match.tenant, actor: `${name} (${keyId})` };
  }

  private csrfOk(req: HttpReq, s: ConsoleSession): boolean {
    const sent = req.headers[CSRF_HEADER];
    return typeof sent === 'string' && sameText(sent, s.csrf) && this.sameOrigin(req);
  }

  /** An Origin header, when the browser sends one, names this host. */
  private sameOrigin(req: HttpReq): boolean {
    const origin = req.headers['origin'];
    if (typeof origin !== 'string' || !origin) return true;
    try {
      return new URL(origin).host === req.headers['host'];
    } catch {
      return false;
    }
  }

  private cookieFor(req: HttpReq, value: string, maxAgeS: number): string {
    return `${CONSOLE_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${isHttps(req) ? '; Secure' : ''}`;
  }

  private file(res: HttpRes, rel: string): void {
    const path = normalize(rel);
    if (path.startsWith('..') || path.includes('\0') || !TYPES[extname(path)]) return fail(res, 404, 'CONSOLE.NOT_FOUND', 'no such file');
    let bytes = this.files.get(path);
    if (!bytes) {
      try {
        bytes = readFileSync(join(this.webRoot, path));
      } catch {
        return fail(res, 404, 'CONSOLE.NOT_FOUND', 'no such file (is the console built? npm run build)');
      }
      this.files.set(path, bytes);
    }
    res.status(200);
    res.setHeader('content-type', TYPES[extname(path)]!);
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('cache-control', 'no-cache');
    res.send(bytes);
  }
}
