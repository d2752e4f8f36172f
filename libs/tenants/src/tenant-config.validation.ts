import { ACCOUNTING_SETTING_HELP } from './settings.help';
import { TenantValidationError, type FieldProblem } from './tenants.errors';
import {
  DEFAULT_SETTINGS,
  MAPPING_KINDS,
  PARTNERS,
  PO_ACTIONS,
  type AccountingSettings,
  type Connection,
  type ConnectionInput,
  type FusionConnection,
  type FusionSoapAuth,
  type MappingKind,
  type MappingValueByKind,
  type TenantMode,
  type TenantSettings,
  type TenantSettingsPatch,
} from './tenants.types';

// Problems name the field and the rule, never the value (a value may be a secret typed into the wrong field).

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** reference/shipbob.md §10: subscription secrets must match this. */
export const SHIPBOB_WEBHOOK_SECRET = /^whsec_[a-zA-Z0-9+/]{32}$/;
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SHOPIFY_API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;
const GL_COMBINATION = /^[A-Za-z0-9]+([-.][A-Za-z0-9]+)+$/;
const SHIPBOB_TOPIC = /^[a-z_]+(\.[a-z_]+)*$/;
const MAX_SECRET = 4096;
const MAX_SHIPBOB_WEBHOOK_SECRETS = 5;
const MAX_SHOPIFY_WEBHOOK_SECRETS = 2;

/** Secret fields inside `auth`; `webhookSecrets` is the other secret. */
/** The tenant settings an operator may set (anything else in a settings patch or an init file is refused). */
export const TENANT_SETTINGS_KEYS = [
  'accounting',
  'customerMatching',
  'pollingIntervalsMs',
  'orderGrouping',
  'receivablePoStatuses',
  'shipmentProblemsAsPoNote',
  'shopifyWriteBack',
  'initialLookbackDays',
  'dryRun',
] as const satisfies readonly (keyof TenantSettings)[];

export const SECRET_AUTH_FIELDS = ['clientSecret', 'password', 'token', 'refreshToken', 'accessToken'] as const;

class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, reason: string): void {
    this.list.push({ field, reason });
  }
  throwIfAny(what: string): void {
    if (this.list.length) throw new TenantValidationError(this.list, what);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(p: Problems, obj: Record<string, unknown>, field: string, path: string, max = 500): string {
  const v = obj[field];
  if (v === undefined || v === null || v === '') {
    p.add(path, 'is required');
    return '';
  }
  if (typeof v !== 'string') {
    p.add(path, 'must be a string');
    return '';
  }
  if (v.trim() !== v) p.add(path, 'must not start or end with whitespace');
  if (v.length > max) p.add(path, `must be at most ${max} characters`);
  return v;
}

function rejectUnknown(p: Problems, obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) p.add(`${prefix}${k}`, `is not a known field (allowed: ${allowed.join(', ')})`);
}

function checkUrl(p: Problems, value: string, path: string, mode: TenantMode): void {
  if (!value) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    p.add(path, 'must be an absolute URL');
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') p.add(path, 'must use https (or http for a sandbox)');
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && mode !== 'demo' && !loopback) p.add(path, 'must use https unless the tenant is in demo mode');
  if (url.username || url.password) p.add(path, 'must not contain credentials (put them in auth)');
  if (url.search || url.hash) p.add(path, 'must not contain a query or fragment');
}

function checkEnum<T extends string>(p: Problems, value: unknown, allowed: readonly T[], path: string): value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    p.add(path, `must be one of: ${allowed.join(', ')}`);
    return false;
  }
  return true;
}

function checkWebhookSecrets(p: Problems, v: unknown, partner: 'shipbob' | 'shopify'): string[] {
  const max = partner === 'shipbob' ? MAX_SHIPBOB_WEBHOOK_SECRETS : MAX_SHOPIFY_WEBHOOK_SECRETS;
  if (!Array.isArray(v)) {
    p.add('webhookSecrets', 'is required (a list of 1 to ' + max + ' secrets)');
    return [];
  }
  if (v.length < 1 || v.length > max) p.add('webhookSecrets', `must hold 1 to ${max} secrets (several only during a rotation)`);
  const seen = new Set<string>();
  v.forEach((s, i) => {
    const path = `webhookSecrets[${i}]`;
    if (typeof s !== 'string' || !s) return p.add(path, 'must be a non-empty string');
    if (s.length > MAX_SECRET) return p.add(path, `must be at most ${MAX_SECRET} characters`);
    if (partner === 'shipbob' && !SHIPBOB_WEBHOOK_SECRET.test(s)) p.add(path, 'must be "whsec_" followed by 32 base64 characters');
    if (seen.has(s)) p.add(path, 'duplicates an earlier secret');
    seen.add(s);
  });
  return v.filter((s): s is string => typeof s === 'string');
}

// ---------- tenants and settings ----------

export function validateTenantId(id: unknown): string {
  if (typeof id !== 'string' || !TENANT_ID.test(id)) {
    throw new TenantValidationError([{ field: 'id', reason: 'must be 1-63 characters of a-z, 0-9 and "-", starting with a letter or digit' }], 'tenant');
  }
  return id;
}

export function validateTenantName(name: unknown): string {
  const p = new Problems();
  const v = requireString(p, { name }, 'name', 'name', 200);
  p.throwIfAny('tenant');
  return v;
}

export function validateMode(mode: unknown): TenantMode {
  const p = new Problems();
  checkEnum(p, mode, ['live', 'demo'] as const, 'mode');
  p.throwIfAny('tenant');
  return mode as TenantMode;
}

/** Applies a patch to settings; every bad field of the patch is reported at once. */
export function applySettingsPatch(current: TenantSettings, patch: unknown): TenantSettings {
  const p = new Problems();
  if (!isRecord(patch)) {
    p.add('settings', 'must be an object');
    p.throwIfAny('settings');
  }
  const input = patch as Record<string, unknown>;
  rejectUnknown(p, input, TENANT_SETTINGS_KEYS, 'settings.');
  const next: TenantSettings = structuredClone(current);
  if ('accounting' in input) {
    const a = input['accounting'];
    if (a === null) next.accounting = null;
    else if (!isRecord(a)) p.add('settings.accounting', 'must be an object or null');
    else {
      // A partial patch merges onto the stored values; the merged result must hold all six.
      const fields = Object.keys(ACCOUNTING_SETTING_HELP) as Array<keyof AccountingSettings>;
      rejectUnknown(p, a, fields, 'settings.accounting.');
      const merged: Record<string, unknown> = { ...(current.accounting ?? {}), ...a };
      const out = {} as AccountingSettings;
      for (const f of fields) {
        if (merged[f] === undefined || merged[f] === null || merged[f] === '')
          p.add(`settings.accounting.${f}`, `is required: the ${ACCOUNTING_SETTING_HELP[f]}`);
        else out[f] = requireString(p, merged, f, `settings.accounting.${f}`, 240);
      }
      if (out.revenueAccountCombination && !GL_COMBINATION.test(out.revenueAccountCombination)) {
        p.add('settings.accounting.revenueAccountCombination', 'must be account segments joined by "-" or "." (e.g. 101-10-4000-000)');
      }
      next.accounting = out;
    }
  }
  if (
    'customerMatching' in input &&
    checkEnum(p, input['customerMatching'], ['email-then-external-id', 'external-id-then-email'] as const, 'settings.customerMatching')
  ) {
    next.customerMatching = input['customerMatching'];
  }
  if ('orderGrouping' in input && checkEnum(p, input['orderGrouping'], ['per-po-line', 'per-po-and-fulfillment-center'] as const, 'settings.orderGrouping')) {
    next.orderGrouping = input['orderGrouping'];
  }
  if ('receivablePoStatuses' in input) {
    const s = input['receivablePoStatuses'];
    if (!Array.isArray(s) || !s.length || s.length > 20 || s.some((x) => typeof x !== 'string' || !x.trim() || x.length > 60)) {
      p.add('settings.receivablePoStatuses', 'must be a list of 1 to 20 Fusion PO statuses as Fusion shows them, e.g. ["Open"]');
    } else if (s.some((x: string) => /^cancel+ed$/i.test(x.trim()))) {
      p.add('settings.receivablePoStatuses', 'must not contain Canceled: a cancelled line cancels its order');
    } else next.receivablePoStatuses = (s as string[]).map((x) => x.trim());
  }
  if ('shipmentProblemsAsPoNote' in input) {
    if (typeof input['shipmentProblemsAsPoNote'] !== 'boolean') p.add('settings.shipmentProblemsAsPoNote', 'must be true or false');
    else next.shipmentProblemsAsPoNote = input['shipmentProblemsAsPoNote'];
  }
  if ('shopifyWriteBack' in input) {
    if (typeof input['shopifyWriteBack'] !== 'boolean') p.add('settings.shopifyWriteBack', 'must be true or false');
    else next.shopifyWriteBack = input['shopifyWriteBack'];
  }
  if ('initialLookbackDays' in input) {
    const d = input['initialLookbackDays'];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0 || d > 3650)
      p.add('settings.initialLookbackDays', 'must be a whole number of days from 0 to 3650');
    else next.initialLookbackDays = d;
  }
  if ('dryRun' in input) {
    const d = input['dryRun'];
    if (!isRecord(d)) p.add('settings.dryRun', 'must be an object, e.g. {"purchaseOrders": true, "receivables": false}');
    else {
      rejectUnknown(p, d, ['purchaseOrders', 'receivables'], 'settings.dryRun.');
      const out = { ...(current.dryRun ?? {}) };
      for (const f of ['purchaseOrders', 'receivables'] as const) {
        if (!(f in d)) continue;
        if (typeof d[f] !== 'boolean') p.add(`settings.dryRun.${f}`, 'must be true or false');
        else out[f] = d[f];
      }
      next.dryRun = out;
    }
  }
  if ('pollingIntervalsMs' in input) {
    const pi = input['pollingIntervalsMs'];
    if (!isRecord(pi)) p.add('settings.pollingIntervalsMs', 'must be an object');
    else {
      const keys = Object.keys(DEFAULT_SETTINGS.pollingIntervalsMs) as Array<keyof TenantSettings['pollingIntervalsMs']>;
      rejectUnknown(p, pi, keys, 'settings.pollingIntervalsMs.');
      for (const k of keys) {
        if (!(k in pi)) continue;
        const v = pi[k];
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
          p.add(`settings.pollingIntervalsMs.${k}`, 'must be a positive whole number of milliseconds');
        else next.pollingIntervalsMs[k] = v;
      }
    }
  }
  p.throwIfAny('settings');
  return next;
}

// ---------- connections ----------

/** `soapAuth` of a Fusion connection (null or absent: none); an omitted password keeps the stored one. */
function fusionSoapAuth(p: Problems, v: unknown, prev: FusionSoapAuth | undefined): FusionSoapAuth | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) {
    p.add('soapAuth', 'must be an object {type: basic, username, password}, or null to remove it');
    return undefined;
  }
  rejectUnknown(p, v, ['type', 'username', 'password'], 'soapAuth.');
  if (v['type'] !== 'basic') p.add('soapAuth.type', 'must be basic (Fusion SOAP services take a user and password)');
  const withPrev = v['password'] === undefined && prev ? { ...v, password: prev.password } : v;
  return {
    type: 'basic',
    username: requireString(p, v, 'username', 'soapAuth.username'),
    password: requireString(p, withPrev, 'password', 'soapAuth.password', MAX_SECRET),
  };
}

/**
 * JSON merge patch (RFC 7396) of a connection: objects merge field by field, `null` removes a field, anything else
 * replaces. A changed `auth.type` starts `auth` afresh (the fields of the old type do not carry over).
 */
export function mergeConnectionPatch(stored: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isRecord(b)) return b;
    const out: Record<string, unknown> = isRecord(a) ? { ...a } : {};
    for (const [k, v] of Object.entries(b)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  };
  const storedAuth = stored['auth'];
  const patchAuth = patch['auth'];
  const typeChanged = isRecord(patchAuth) && isRecord(storedAuth) && patchAuth['type'] !== undefined && patchAuth['type'] !== storedAuth['type'];
  return merge(typeChanged ? { ...stored, auth: {} } : stored, patch) as Record<string, unknown>;
}

/**
 * Checks a connection input and merges omitted secrets from `existing` (same partner and auth type only).
 * Returns the complete connection; throws TenantValidationError listing every wrong field.
 */
export function normalizeConnection(input: ConnectionInput | unknown, existing: Connection | undefined, mode: TenantMode): Connection {
  const p = new Problems();
  if (!isRecord(input)) {
    p.add('connection', 'must be an object');
    p.throwIfAny('connection');
  }
  const raw = input as Record<string, unknown>;
  if (!checkEnum(p, raw['partner'], PARTNERS, 'partner')) p.throwIfAny('connection');
  const partner = raw['partner'] as Connection['partner'];
  const baseUrl = requireString(p, raw, 'baseUrl', 'baseUrl', 2000);
  checkUrl(p, baseUrl, 'baseUrl', mode);
  const auth = isRecord(raw['auth']) ? { ...raw['auth'] } : undefined;
  if (!auth) p.add('auth', 'is required (an object with a "type")');

  // Keep stored secrets the caller left out, when the auth type is unchanged.
  const prev = existing && existing.partner === partner ? existing : undefined;
  if (auth && prev && prev.auth.type === auth['type']) {
    const prevAuth = prev.auth as unknown as Record<string, unknown>;
    for (const f of SECRET_AUTH_FIELDS) if (auth[f] === undefined && prevAuth[f] !== undefined) auth[f] = prevAuth[f];
  }
  let webhookSecrets = raw['webhookSecrets'];
  if (webhookSecrets === undefined && prev && 'webhookSecrets' in prev) webhookSecrets = prev.webhookSecrets;

  const secret = (a: Record<string, unknown>, f: string) => requireString(p, a, f, `auth.${f}`, MAX_SECRET);
  let result: Connection | undefined;
  switch (partner) {
    case 'fusion': {
      rejectUnknown(p, raw, ['partner', 'baseUrl', 'auth', 'soapAuth'], '');
      const soapAuth = fusionSoapAuth(p, raw['soapAuth'], prev?.partner === 'fusion' ? prev.soapAuth : undefined);
      if (!auth) break;
      if (auth['type'] === 'oauth2-client-credentials') {
        rejectUnknown(p, auth, ['type', 'tokenUrl', 'clientId', 'clientSecret', 'scope'], 'auth.');
        const tokenUrl = requireString(p, auth, 'tokenUrl', 'auth.tokenUrl', 2000);
        checkUrl(p, tokenUrl, 'auth.tokenUrl', mode);
        result = {
          partner,
          baseUrl,
          auth: {
            type: 'oauth2-client-credentials',
            tokenUrl,
            clientId: requireString(p, auth, 'clientId', 'auth.clientId'),
            clientSecret: secret(auth, 'clientSecret'),
            scope: requireString(p, auth, 'scope', 'auth.scope', 2000),
          },
        };
      } else if (auth['type'] === 'basic') {
        rejectUnknown(p, auth, ['type', 'username', 'password'], 'auth.');
        result = {
          partner,
          baseUrl,
          auth: { type: 'basic', username: requireString(p, auth, 'username', 'auth.username'), password: secret(auth, 'password') },
        };
      } else p.add('auth.type', 'must be one of: oauth2-client-credentials, basic (for fusion)');
      if (result && soapAuth) result = { ...(result as FusionConnection), soapAuth };
      break;
    }
    case 'shipbob': {
      rejectUnknown(p, raw, ['partner', 'baseUrl', 'auth', 'channelId', 'webhookSecrets'], '');
      const channelRaw = raw['channelId'];
      const channelId = typeof channelRaw === 'number' ? String(channelRaw) : channelRaw;
      if (typeof channelId !== 'string' || !/^[1-9]\d{0,18}$/.test(channelId)) p.add('channelId', 'is required: the numeric ShipBob channel id');
      const secrets = checkWebhookSecrets(p, webhookSecrets, 'shipbob');
      if (!auth) break;
      const base = { partner, baseUrl, channelId: String(channelId ?? ''), webhookSecrets: secrets };
      if (auth['type'] === 'pat') {
        rejectUnknown(p, auth, ['type', 'token'], 'auth.');
        result = { ...base, auth: { type: 'pat', token: secret(auth, 'token') } };
      } else if (auth['type'] === 'oauth2') {
        rejectUnknown(p, auth, ['type', 'tokenUrl', 'clientId', 'clientSecret', 'refreshToken'], 'auth.');
        const tokenUrl = requireString(p, auth, 'tokenUrl', 'auth.tokenUrl', 2000);
        checkUrl(p, tokenUrl, 'auth.tokenUrl', mode);
        result = {
          ...base,
          auth: {
            type: 'oauth2',
            tokenUrl,
            clientId: requireString(p, auth, 'clientId', 'auth.clientId'),
            clientSecret: secret(auth, 'clientSecret'),
            refreshToken: secret(auth, 'refreshToken'),
          },
        };
      } else p.add('auth.type', 'must be one of: pat, oauth2 (for shipbob)');
      break;
    }
    case 'shopify': {
      rejectUnknown(p, raw, ['partner', 'baseUrl', 'auth', 'shopDomain', 'apiVersion', 'webhookSecrets'], '');
      const shopDomain = requireString(p, raw, 'shopDomain', 'shopDomain', 255);
      if (shopDomain && !SHOP_DOMAIN.test(shopDomain)) p.add('shopDomain', 'must look like <shop>.myshopify.com (lowercase)');
      const apiVersion = requireString(p, raw, 'apiVersion', 'apiVersion', 20);
      if (apiVersion && !SHOPIFY_API_VERSION.test(apiVersion)) p.add('apiVersion', 'must be a quarterly version YYYY-01|04|07|10 or "unstable"');
      const secrets = checkWebhookSecrets(p, webhookSecrets, 'shopify');
      if (!auth) break;
      const base = { partner, baseUrl, shopDomain, apiVersion, webhookSecrets: secrets };
      if (auth['type'] === 'access-token') {
        rejectUnknown(p, auth, ['type', 'accessToken'], 'auth.');
        result = { ...base, auth: { type: 'access-token', accessToken: secret(auth, 'accessToken') } };
      } else if (auth['type'] === 'client-credentials') {
        rejectUnknown(p, auth, ['type', 'clientId', 'clientSecret'], 'auth.');
        result = {
          ...base,
          auth: { type: 'client-credentials', clientId: requireString(p, auth, 'clientId', 'auth.clientId'), clientSecret: secret(auth, 'clientSecret') },
        };
      } else p.add('auth.type', 'must be one of: access-token, client-credentials (for shopify)');
      break;
    }
  }
  p.throwIfAny(`${partner} connection`);
  return result!;
}

/** Splits a connection into what may be stored in clear and the secrets to seal (`auth` and `soapAuth` alike). */
export function splitSecrets(conn: Connection): { publicConfig: Record<string, unknown>; secrets: Record<string, unknown> } {
  const { auth, soapAuth, ...rest } = conn as Connection & { webhookSecrets?: string[]; soapAuth?: FusionSoapAuth };
  const split = (a: object) => {
    const pub: Record<string, unknown> = {};
    const sec: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) ((SECRET_AUTH_FIELDS as readonly string[]).includes(k) ? sec : pub)[k] = v;
    return [pub, sec] as const;
  };
  const [publicAuth, secretAuth] = split(auth);
  const { webhookSecrets, ...publicRest } = rest;
  const secrets: Record<string, unknown> = { auth: secretAuth };
  const publicConfig: Record<string, unknown> = { ...publicRest, auth: publicAuth };
  if (webhookSecrets) secrets['webhookSecrets'] = webhookSecrets;
  if (soapAuth) [publicConfig['soapAuth'], secrets['soapAuth']] = split(soapAuth);
  return { publicConfig, secrets };
}

export function joinSecrets(publicConfig: Record<string, unknown>, secrets: Record<string, unknown>): Connection {
  const out: Record<string, unknown> = { ...publicConfig, auth: { ...(publicConfig['auth'] as object), ...(secrets['auth'] as object) } };
  if (secrets['webhookSecrets']) out['webhookSecrets'] = secrets['webhookSecrets'];
  if (publicConfig['soapAuth']) out['soapAuth'] = { ...(publicConfig['soapAuth'] as object), ...((secrets['soapAuth'] as object | undefined) ?? {}) };
  return out as unknown as Connection;
}

export const SECRET_MARK = '[secret]';

/** The log-safe view: every secret value replaced by a marker ('[secret]', or '[secret:changed]' against `before`). */
export function maskConnection(conn: Connection, before?: Connection): Record<string, unknown> {
  const { publicConfig, secrets } = splitSecrets(conn);
  const prevSecrets = before ? splitSecrets(before).secrets : undefined;
  const mark = (now: unknown, prev: unknown) => (prevSecrets === undefined ? SECRET_MARK : now === prev ? SECRET_MARK : `${SECRET_MARK.slice(0, -1)}:changed]`);
  const auth = { ...(publicConfig['auth'] as Record<string, unknown>) };
  const sAuth = secrets['auth'] as Record<string, unknown>;
  const pAuth = (prevSecrets?.['auth'] ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(sAuth)) auth[k] = mark(sAuth[k], pAuth[k]);
  const out: Record<string, unknown> = { ...publicConfig, auth };
  if (publicConfig['soapAuth']) {
    const now = secrets['soapAuth'] as Record<string, unknown>;
    const prev = (prevSecrets?.['soapAuth'] ?? {}) as Record<string, unknown>;
    out['soapAuth'] = { ...(publicConfig['soapAuth'] as object), ...Object.fromEntries(Object.keys(now).map((k) => [k, mark(now[k], prev[k])])) };
  }
  const hooks = secrets['webhookSecrets'] as string[] | undefined;
  const prevHooks = (prevSecrets?.['webhookSecrets'] ?? []) as string[];
  if (hooks) out['webhookSecrets'] = hooks.map((h, i) => mark(h, prevHooks[i]));
  return out;
}

/** Paths of secret fields holding a value, e.g. ['auth.clientSecret', 'webhookSecrets[0]']. */
export function secretPaths(conn: Connection): string[] {
  const { secrets } = splitSecrets(conn);
  const paths = Object.keys(secrets['auth'] as object).map((k) => `auth.${k}`);
  for (const k of Object.keys((secrets['soapAuth'] as object | undefined) ?? {})) paths.push(`soapAuth.${k}`);
  ((secrets['webhookSecrets'] as string[] | undefined) ?? []).forEach((_, i) => paths.push(`webhookSecrets[${i}]`));
  return paths;
}

/** Every secret string of a connection (used to scrub messages that might echo one). */
export function secretValues(conn: Connection): string[] {
  const { secrets } = splitSecrets(conn);
  return [
    ...Object.values(secrets['auth'] as Record<string, unknown>),
    ...Object.values((secrets['soapAuth'] as object | undefined) ?? {}),
    ...((secrets['webhookSecrets'] as string[] | undefined) ?? []),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

// ---------- mappings ----------

export function isMappingKind(kind: unknown): kind is MappingKind {
  return typeof kind === 'string' && (MAPPING_KINDS as readonly string[]).includes(kind);
}

/** Problems of one mapping entry (empty when valid), plus the normalised value. */
export function checkMapping(
  kind: MappingKind,
  key: unknown,
  value: unknown,
): { problems: FieldProblem[]; value: MappingValueByKind[MappingKind] | undefined } {
  const p = new Problems();
  if (typeof key !== 'string' || key === '') p.add('key', 'is required');
  else if (key.trim() !== key) p.add('key', 'must not start or end with whitespace');
  else if (key.length > 255) p.add('key', 'must be at most 255 characters');
  else if (/[\u0000-\u001f]/.test(key)) p.add('key', 'must not contain control characters');
  else if (kind === 'shipbob-event-rule' && !SHIPBOB_TOPIC.test(key)) p.add('key', 'must be a ShipBob webhook topic such as order.shipped');
  if (!isRecord(value)) {
    p.add('value', 'must be an object');
    return { problems: p.list, value: undefined };
  }
  const positiveInt = (field: string) => {
    const v = value[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      p.add(field, 'must be a positive whole number');
      return undefined;
    }
    return v;
  };
  let out: MappingValueByKind[MappingKind] | undefined;
  switch (kind) {
    case 'item-product': {
      rejectUnknown(p, value, ['shipbobSku', 'shipbobProductId'], '');
      const o: MappingValueByKind['item-product'] = {};
      if (value['shipbobSku'] !== undefined) o.shipbobSku = requireString(p, value, 'shipbobSku', 'shipbobSku', 255) || undefined;
      if (value['shipbobProductId'] !== undefined) o.shipbobProductId = positiveInt('shipbobProductId');
      if (value['shipbobSku'] === undefined && value['shipbobProductId'] === undefined) p.add('shipbobSku', 'or shipbobProductId is required');
      out = o;
      break;
    }
    case 'supplier-fc':
    case 'ship-to-fc': {
      rejectUnknown(p, value, ['fulfillmentCenterId'], '');
      const id = positiveInt('fulfillmentCenterId');
      out = { fulfillmentCenterId: id ?? 0 };
      break;
    }
    case 'ship-to-address': {
      const fields = ['name', 'address1', 'address2', 'city', 'state', 'postalCode', 'country', 'email', 'phone'] as const;
      rejectUnknown(p, value, fields, '');
      const o: Record<string, string> = {};
      for (const f of fields) {
        const needed = f === 'address1' || f === 'city' || f === 'country';
        if (!needed && (value[f] === undefined || value[f] === null || value[f] === '')) continue;
        const s = requireString(p, value, f, f, f === 'address1' || f === 'address2' ? 240 : 120);
        if (s) o[f] = s;
      }
      if (o['country'] !== undefined) {
        if (/^[A-Za-z]{2}$/.test(o['country'])) o['country'] = o['country'].toUpperCase();
        else p.add('country', 'must be a two-letter ISO 3166-1 country code such as US');
      }
      out = o as unknown as MappingValueByKind['ship-to-address'];
      break;
    }
    case 'shipbob-event-rule': {
      rejectUnknown(p, value, ['action', 'note'], '');
      checkEnum(p, value['action'], PO_ACTIONS, 'action');
      const o: MappingValueByKind['shipbob-event-rule'] = { action: value['action'] as MappingValueByKind['shipbob-event-rule']['action'] };
      if (value['note'] !== undefined) o.note = requireString(p, value, 'note', 'note', 500);
      out = o;
      break;
    }
  }
  return { problems: p.list, value: out };
}

export function validateMapping<K extends MappingKind>(kind: K, key: unknown, value: unknown): MappingValueByKind[K] {
  const { problems, value: out } = checkMapping(kind, key, value);
  if (problems.length) throw new TenantValidationError(problems, `${kind} mapping`);
  return out as MappingValueByKind[K];
}

export function validateMappingKind(kind: unknown): MappingKind {
  if (!isMappingKind(kind)) throw new TenantValidationError([{ field: 'kind', reason: `must be one of: ${MAPPING_KINDS.join(', ')}` }], 'mapping');
  return kind;
}
