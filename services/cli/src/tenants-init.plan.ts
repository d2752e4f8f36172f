import { dirname, isAbsolute, join } from 'node:path';
import { TENANT_SETTINGS_KEYS, type MappingKind, type Partner } from '@mlc/tenants';

// The tenant.yaml of `mlc tenants init --from`: read, checked as a whole (every problem reported at once, path +
// reason, never a value), secrets resolved from the environment. Nothing here talks to the API.

export const INIT_PARTNERS = ['fusion', 'shipbob', 'shopify'] as const satisfies readonly Partner[];
export const INIT_MAPPING_KINDS = [
  'item-product',
  'supplier-fc',
  'ship-to-fc',
  'ship-to-address',
  'shipbob-event-rule',
] as const satisfies readonly MappingKind[];

export interface PlanProblem {
  path: string;
  reason: string;
}

export interface MappingFile {
  kind: MappingKind;
  /** As written in the file (relative to it) or typed. */
  path: string;
  csv: string;
  rows: number;
}

/** A checked tenant.yaml, secrets resolved: what `init` sends. Never print it. */
export interface InitPlan {
  tenant: { name: string; mode: 'live' | 'demo' };
  /** Admin API connection bodies (PUT /admin/tenants/:id/connections/:partner), in partner order. */
  connections: Array<{ partner: Partner; body: Record<string, unknown> }>;
  /** PATCH /admin/tenants/:id { settings }; undefined when the file sets none. */
  settings: Record<string, unknown> | undefined;
  mappings: MappingFile[];
  webhooks: { partners: Array<'shipbob' | 'shopify'>; gatewayUrl: string | undefined };
}

/** Checks one mapping CSV as the server will (header and every row); returns its row count or the problems. */
export type CsvChecker = (kind: MappingKind, csv: string) => { rows: number } | { problems: Array<{ line?: number; field: string; reason: string }> };

export interface PlanContext {
  env: NodeJS.ProcessEnv;
  /** 'env': secrets must be `${ENV_VAR}` references (a file); 'literal': secrets are the values (typed answers). */
  secrets: 'env' | 'literal';
  /** Where relative CSV paths start (the YAML file's folder). */
  baseDir: string;
  readFile(path: string): Promise<string>;
  checkCsv: CsvChecker;
}

const SECRET_AUTH_FIELDS = ['clientSecret', 'password', 'token', 'refreshToken', 'accessToken'];
const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ENV_REF_ANY = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
// The same rules as the admin API (libs/tenants tenant-config.validation.ts), so a file fails here, before any write.
export const SHIPBOB_WEBHOOK_SECRET = /^whsec_[a-zA-Z0-9+/]{32}$/;
export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
export const SHOPIFY_API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;
export const GL_COMBINATION = /^[A-Za-z0-9]+([-.][A-Za-z0-9]+)+$/;
const POLLING_KEYS = ['purchaseOrdersMs', 'receiptsMs', 'shipbobOrdersMs', 'shopifyOrdersMs'];
const ACCOUNTING_KEYS = ['revenueAccountCombination', 'businessUnit', 'transactionSource', 'transactionType', 'paymentTerms', 'guestCustomerAccountNumber'];

const AUTH_FIELDS: Record<Partner, Record<string, string[]>> = {
  fusion: { 'oauth2-client-credentials': ['tokenUrl', 'clientId', 'clientSecret', 'scope'], basic: ['username', 'password'] },
  shipbob: { pat: ['token'], oauth2: ['tokenUrl', 'clientId', 'clientSecret', 'refreshToken'] },
  shopify: { 'access-token': ['accessToken'], 'client-credentials': ['clientId', 'clientSecret'] },
};
const CONNECTION_FIELDS: Record<Partner, string[]> = {
  fusion: ['baseUrl', 'auth', 'soapAuth'],
  shipbob: ['baseUrl', 'auth', 'channelId', 'webhookSecrets'],
  shopify: ['baseUrl', 'auth', 'shopDomain', 'apiVersion', 'webhookSecrets'],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why a partner URL is refused (the admin API's rules): empty when it is fine. */
export function urlProblems(value: string, mode: 'live' | 'demo'): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ['must be an absolute URL'];
  }
  const out: string[] = [];
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') out.push('must use https (or http for a sandbox)');
  else if (url.protocol === 'http:' && mode !== 'demo' && !loopback) out.push('must use https unless the tenant is in demo mode');
  if (url.username || url.password) out.push('must not contain credentials (put them in auth)');
  if (url.search || url.hash) out.push('must not contain a query or fragment');
  return out;
}

class Checker {
  readonly problems: PlanProblem[] = [];
  constructor(private readonly ctx: PlanContext) {}

  add(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }

  unknown(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.add(`${prefix}.${k}`, `is not a known field (allowed: ${allowed.join(', ')})`);
  }

  /** A non-secret string; `${VAR}` inside it is replaced from the environment. */
  text(obj: Record<string, unknown>, field: string, path: string, required = true): string | undefined {
    const v = obj[field];
    if (v === undefined || v === null || v === '') {
      if (required) this.add(path, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.add(path, 'must be a string');
      return undefined;
    }
    let missing = false;
    const out = String(v).replace(ENV_REF_ANY, (_, name: string) => {
      const e = this.ctx.env[name];
      if (e === undefined) {
        this.add(path, `refers to the environment variable ${name}, which is not set`);
        missing = true;
        return '';
      }
      return e;
    });
    if (missing) return undefined;
    if (out.trim() !== out) this.add(path, 'must not start or end with whitespace');
    return out;
  }

  /** A secret: in a file only as `${ENV_VAR}`, resolved here; the reason never contains the value. */
  secret(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null || v === '') {
      this.add(path, this.ctx.secrets === 'env' ? 'is required: write it as ${ENV_VAR} and set that variable' : 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(path, this.ctx.secrets === 'env' ? 'must be an ${ENV_VAR} reference' : 'must be a string');
      return undefined;
    }
    if (this.ctx.secrets === 'literal') return v;
    const m = ENV_REF.exec(v);
    if (!m) {
      this.add(
        path,
        'is a secret written into the file: remove it and write ${ENV_VAR} instead (e.g. ${ACME_SHIPBOB_PAT}), then set that variable in the environment',
      );
      return undefined;
    }
    const value = this.ctx.env[m[1]!];
    if (value === undefined || value === '') {
      this.add(path, `refers to the environment variable ${m[1]!}, which is not set`);
      return undefined;
    }
    return value;
  }

  url(value: string | undefined, path: string, mode: 'live' | 'demo'): void {
    if (!value) return;
    for (const reason of urlProblems(value, mode)) this.add(path, reason);
  }

  auth(partner: Partner, raw: unknown, path: string, mode: 'live' | 'demo', types = AUTH_FIELDS[partner]): Record<string, unknown> | undefined {
    if (!isRecord(raw)) {
      this.add(path, 'is required (an object with a "type")');
      return undefined;
    }
    const type = raw['type'];
    const fields = typeof type === 'string' ? types[type] : undefined;
    if (!fields) {
      this.add(`${path}.type`, `must be one of: ${Object.keys(types).join(', ')} (for ${partner})`);
      return undefined;
    }
    this.unknown(raw, ['type', ...fields], path);
    const out: Record<string, unknown> = { type };
    for (const f of fields) {
      out[f] = SECRET_AUTH_FIELDS.includes(f) ? this.secret(raw[f], `${path}.${f}`) : this.text(raw, f, `${path}.${f}`);
      if (f === 'tokenUrl') this.url(out[f] as string | undefined, `${path}.${f}`, mode);
    }
    return out;
  }

  webhookSecrets(raw: unknown, path: string, partner: 'shipbob' | 'shopify'): string[] | undefined {
    const max = partner === 'shipbob' ? 5 : 2;
    if (!Array.isArray(raw) || raw.length < 1 || raw.length > max) {
      this.add(path, `must be a list of 1 to ${max} secrets, each written as \${ENV_VAR}`);
      return undefined;
    }
    const out = raw.map((s, i) => this.secret(s, `${path}[${i}]`));
    out.forEach((s, i) => {
      if (s === undefined) return;
      if (partner === 'shipbob' && !SHIPBOB_WEBHOOK_SECRET.test(s))
        this.add(`${path}[${i}]`, 'must be "whsec_" followed by 32 base64 characters (e.g. echo whsec_$(openssl rand -base64 24))');
      if (out.indexOf(s) !== i) this.add(`${path}[${i}]`, 'duplicates an earlier secret');
    });
    return out.every((s) => s !== undefined) ? (out as string[]) : undefined;
  }

  connection(partner: Partner, raw: unknown, mode: 'live' | 'demo'): Record<string, unknown> | undefined {
    const path = `connections.${partner}`;
    if (!isRecord(raw)) {
      this.add(path, 'must be a mapping of the connection fields');
      return undefined;
    }
    this.unknown(raw, CONNECTION_FIELDS[partner], path);
    const body: Record<string, unknown> = { partner };
    body['baseUrl'] = this.text(raw, 'baseUrl', `${path}.baseUrl`);
    this.url(body['baseUrl'] as string | undefined, `${path}.baseUrl`, mode);
    switch (partner) {
      case 'fusion':
        break;
      case 'shipbob': {
        const ch = this.text(raw, 'channelId', `${path}.channelId`);
        if (ch !== undefined && !/^[1-9]\d{0,18}$/.test(ch)) this.add(`${path}.channelId`, 'must be the numeric ShipBob channel id');
        body['channelId'] = ch;
        break;
      }
      case 'shopify': {
        const shop = this.text(raw, 'shopDomain', `${path}.shopDomain`);
        if (shop !== undefined && !SHOP_DOMAIN.test(shop)) this.add(`${path}.shopDomain`, 'must look like <shop>.myshopify.com (lowercase)');
        const version = this.text(raw, 'apiVersion', `${path}.apiVersion`);
        if (version !== undefined && !SHOPIFY_API_VERSION.test(version))
          this.add(`${path}.apiVersion`, 'must be a quarterly version YYYY-01|04|07|10 or "unstable"');
        Object.assign(body, { shopDomain: shop, apiVersion: version });
        break;
      }
    }
    body['auth'] = this.auth(partner, raw['auth'], `${path}.auth`, mode);
    if (partner === 'fusion' && raw['soapAuth'] !== undefined) {
      // Part A: a Basic login for Fusion's SOAP services beside the REST auth (an older server refuses the field).
      body['soapAuth'] = this.auth(partner, raw['soapAuth'], `${path}.soapAuth`, mode, { basic: ['username', 'password'] });
    }
    if (partner !== 'fusion') body['webhookSecrets'] = this.webhookSecrets(raw['webhookSecrets'], `${path}.webhookSecrets`, partner);
    return body;
  }

  settings(raw: unknown): Record<string, unknown> | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!isRecord(raw)) {
      this.add('settings', 'must be a mapping of tenant settings');
      return undefined;
    }
    this.unknown(raw, TENANT_SETTINGS_KEYS, 'settings');
    const out: Record<string, unknown> = {};
    const a = raw['accounting'];
    if (a !== undefined) {
      if (a === null) out['accounting'] = null;
      else if (!isRecord(a)) this.add('settings.accounting', 'must be a mapping (or null)');
      else {
        this.unknown(a, ACCOUNTING_KEYS, 'settings.accounting');
        const acc: Record<string, string | undefined> = {};
        for (const k of ACCOUNTING_KEYS) acc[k] = this.text(a, k, `settings.accounting.${k}`);
        if (acc['revenueAccountCombination'] && !GL_COMBINATION.test(acc['revenueAccountCombination'])) {
          this.add('settings.accounting.revenueAccountCombination', 'must be account segments joined by "-" or "." (e.g. 101-10-4000-000)');
        }
        out['accounting'] = acc;
      }
    }
    const oneOf = (k: string, values: string[]) => {
      if (raw[k] === undefined) return;
      if (typeof raw[k] !== 'string' || !values.includes(raw[k])) this.add(`settings.${k}`, `must be one of: ${values.join(', ')}`);
      else out[k] = raw[k];
    };
    oneOf('customerMatching', ['email-then-external-id', 'external-id-then-email']);
    oneOf('orderGrouping', ['per-po-line', 'per-po-and-fulfillment-center']);
    for (const k of ['shipmentProblemsAsPoNote', 'shopifyWriteBack']) {
      if (raw[k] === undefined) continue;
      if (typeof raw[k] !== 'boolean') this.add(`settings.${k}`, 'must be true or false');
      else out[k] = raw[k];
    }
    const statuses = raw['receivablePoStatuses'];
    if (statuses !== undefined) {
      if (!Array.isArray(statuses) || !statuses.length || statuses.length > 20 || statuses.some((s) => typeof s !== 'string' || !s.trim())) {
        this.add('settings.receivablePoStatuses', 'must be a list of 1 to 20 Fusion PO statuses as Fusion shows them, e.g. [Open]');
      } else out['receivablePoStatuses'] = statuses;
    }
    const pi = raw['pollingIntervalsMs'];
    if (pi !== undefined) {
      if (!isRecord(pi)) this.add('settings.pollingIntervalsMs', 'must be a mapping');
      else {
        this.unknown(pi, POLLING_KEYS, 'settings.pollingIntervalsMs');
        for (const k of POLLING_KEYS) {
          if (pi[k] !== undefined && (typeof pi[k] !== 'number' || !Number.isSafeInteger(pi[k]) || pi[k] <= 0)) {
            this.add(`settings.pollingIntervalsMs.${k}`, 'must be a positive whole number of milliseconds');
          }
        }
        out['pollingIntervalsMs'] = pi;
      }
    }
    const days = raw['initialLookbackDays'];
    if (days !== undefined) {
      if (typeof days !== 'number' || !Number.isSafeInteger(days) || days < 0 || days > 3650)
        this.add('settings.initialLookbackDays', 'must be a whole number of days from 0 to 3650');
      else out['initialLookbackDays'] = days;
    }
    const dry = raw['dryRun'];
    if (dry !== undefined) {
      if (!isRecord(dry)) this.add('settings.dryRun', 'must be a mapping { purchaseOrders: true|false, receivables: true|false }');
      else {
        this.unknown(dry, ['purchaseOrders', 'receivables'], 'settings.dryRun');
        for (const k of ['purchaseOrders', 'receivables'])
          if (dry[k] !== undefined && typeof dry[k] !== 'boolean') this.add(`settings.dryRun.${k}`, 'must be true or false');
        out['dryRun'] = dry;
      }
    }
    return Object.keys(out).length ? out : undefined;
  }

  async mappings(raw: unknown): Promise<MappingFile[]> {
    if (raw === undefined || raw === null) return [];
    if (!isRecord(raw)) {
      this.add('mappings', `must be a mapping of kind -> CSV file (kinds: ${INIT_MAPPING_KINDS.join(', ')})`);
      return [];
    }
    this.unknown(raw, INIT_MAPPING_KINDS, 'mappings');
    const out: MappingFile[] = [];
    for (const kind of INIT_MAPPING_KINDS) {
      const p = raw[kind];
      if (p === undefined) continue;
      if (typeof p !== 'string' || !p) {
        this.add(`mappings.${kind}`, 'must be the path of a CSV file (relative to this file)');
        continue;
      }
      let csv: string;
      try {
        csv = await this.ctx.readFile(isAbsolute(p) ? p : join(this.ctx.baseDir, p));
      } catch (err) {
        this.add(`mappings.${kind}`, `cannot read ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        continue;
      }
      const checked = this.ctx.checkCsv(kind, csv);
      if ('problems' in checked)
        for (const pr of checked.problems) this.add(`mappings.${kind}`, `${p}${pr.line !== undefined ? ` line ${pr.line}` : ''}: ${pr.field}: ${pr.reason}`);
      else out.push({ kind, path: p, csv, rows: checked.rows });
    }
    return out;
  }

  webhooks(raw: unknown, connections: Record<string, unknown>): InitPlan['webhooks'] {
    const res: InitPlan['webhooks'] = { partners: [], gatewayUrl: undefined };
    if (raw === undefined || raw === null) return res;
    if (!isRecord(raw)) {
      this.add('webhooks', 'must be a mapping { shipbob: true|false, shopify: true|false, gatewayUrl?: URL }');
      return res;
    }
    this.unknown(raw, ['shipbob', 'shopify', 'gatewayUrl'], 'webhooks');
    for (const partner of ['shipbob', 'shopify'] as const) {
      const v = raw[partner];
      if (v === undefined || v === false) continue;
      if (v !== true) this.add(`webhooks.${partner}`, 'must be true or false');
      else if (connections[partner] === undefined) this.add(`webhooks.${partner}`, `needs connections.${partner} in this file`);
      else res.partners.push(partner);
    }
    if (raw['gatewayUrl'] !== undefined) {
      res.gatewayUrl = this.text(raw, 'gatewayUrl', 'webhooks.gatewayUrl');
      this.url(res.gatewayUrl, 'webhooks.gatewayUrl', 'live');
    }
    return res;
  }
}

/** Checks a parsed tenant document; returns the plan, or every problem found (path + reason). */
export async function checkTenantDocument(doc: unknown, ctx: PlanContext): Promise<{ plan: InitPlan } | { problems: PlanProblem[] }> {
  const c = new Checker(ctx);
  if (!isRecord(doc)) return { problems: [{ path: '(file)', reason: 'must be a YAML mapping with tenant, connections, settings, mappings, webhooks' }] };
  c.unknown(doc, ['tenant', 'connections', 'settings', 'mappings', 'webhooks'], '(file)');
  const t = doc['tenant'];
  let name: string | undefined;
  let mode: 'live' | 'demo' = 'live';
  if (!isRecord(t)) c.add('tenant', 'is required: { name: <display name>, mode: live|demo }');
  else {
    c.unknown(t, ['name', 'mode'], 'tenant');
    name = c.text(t, 'name', 'tenant.name');
    if (t['mode'] !== undefined) {
      if (t['mode'] !== 'live' && t['mode'] !== 'demo') c.add('tenant.mode', 'must be one of: live, demo');
      else mode = t['mode'];
    }
  }
  const rawConnections = doc['connections'] ?? {};
  const connections: Array<{ partner: Partner; body: Record<string, unknown> }> = [];
  if (!isRecord(rawConnections)) c.add('connections', 'must be a mapping of partner -> connection (fusion, shipbob, shopify)');
  else {
    c.unknown(rawConnections, INIT_PARTNERS, 'connections');
    for (const partner of INIT_PARTNERS) {
      if (rawConnections[partner] === undefined) continue;
      const body = c.connection(partner, rawConnections[partner], mode);
      if (body) connections.push({ partner, body });
    }
  }
  const settings = c.settings(doc['settings']);
  const mappings = await c.mappings(doc['mappings']);
  const webhooks = c.webhooks(doc['webhooks'], isRecord(rawConnections) ? rawConnections : {});
  if (c.problems.length || name === undefined) return { problems: c.problems };
  return { plan: { tenant: { name, mode }, connections, settings, mappings, webhooks } };
}

export function baseDirOf(file: string): string {
  return dirname(file);
}

/** The environment variable a saved file refers to for one secret, e.g. ACME_SHIPBOB_AUTH_TOKEN. */
export function envNameFor(tenantId: string, partner: Partner, path: string): string {
  const words = `${tenantId}_${partner}_${path}`.replace(/\[(\d+)\]/g, '_$1').replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  return words
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/_0$/, '')
    .toUpperCase();
}

/** Secret field paths inside a connection body (auth.*, soapAuth.password, webhookSecrets[i]). */
export function isSecretPath(path: string): boolean {
  return /^(auth|soapAuth)\.(clientSecret|password|token|refreshToken|accessToken)$/.test(path) || /^webhookSecrets\[\d+\]$/.test(path);
}
