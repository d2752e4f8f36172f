import { ACCOUNTING_SETTING_HELP, SETTING_HELP } from '@mlc/tenants';
import type { AdminApiClient } from './admin-api.client';
import { seg } from './admin-api.client';

/** Flags of the settings and backfill commands (merged into the CLI's parseArgs options). */
export const SETTINGS_OPTIONS = {
  since: { type: 'string' },
  'no-wait': { type: 'boolean' },
} as const;

export const SETTINGS_USAGE = `
  settings and backfill:
  mlc settings get <tenant> [key]      every setting (or one, e.g. accounting.businessUnit) with what it means
  mlc settings set <tenant> key=value... [key:=<json>]...
        e.g. mlc settings set acme accounting.businessUnit="Vision Operations" pollingIntervalsMs.purchaseOrdersMs:=300000
        (key=value sets a string, key:=<json> a number, boolean, list or null; a partial accounting merges onto the stored one)
  mlc backfill <tenant> purchase-orders|customers|invoices... --since <YYYY-MM-DD|ISO> [--no-wait]
        re-reads those Fusion feeds from that date through oracle-poller; waits and prints per feed the records read,
        emitted and the duration (exit 0 when done, 1 on failure)
`;

export class SettingsUsageError extends Error {}

type Values = { json?: boolean; since?: string; 'no-wait'?: boolean };

export interface SettingsContext {
  api: AdminApiClient;
  positionals: string[];
  values: Values;
  print(data: unknown, human: () => string): void;
  /** Progress output (stderr). */
  progress(text: string): void;
  /** Whether stderr is a terminal: a redrawn progress line, else plain lines. */
  progressIsTty?: boolean;
  /** Poll interval while waiting for a backfill (tests shorten it). */
  pollMs?: number;
}

/** The user-facing feed names of `mlc backfill` and the oracle-poller feeds they stand for. */
export const BACKFILL_FEEDS: Readonly<Record<string, string[]>> = {
  'purchase-orders': ['purchase-orders'],
  customers: ['customer-accounts'],
  invoices: ['receivables-invoices', 'credit-memos'],
};

const KEY = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/** `a.b=value` (a string) or `a.b:=<json>` into a nested patch object. */
export function settingsPatch(assignments: string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new SettingsUsageError(`expected key=value or key:=<json>, got "${a.split('=')[0]}"`);
    const asJson = a[eq - 1] === ':';
    const key = a.slice(0, asJson ? eq - 1 : eq);
    if (!KEY.test(key)) throw new SettingsUsageError(`bad setting key "${key}" (dotted names, e.g. accounting.businessUnit)`);
    let value: unknown = a.slice(eq + 1);
    if (asJson) {
      try {
        value = JSON.parse(value as string) as unknown;
      } catch {
        throw new SettingsUsageError(`${key}:= expects a JSON value (a number, true/false, a list, an object or null)`);
      }
    }
    const parts = key.split('.');
    let obj = patch;
    for (const p of parts.slice(0, -1)) {
      if (typeof obj[p] !== 'object' || obj[p] === null) obj[p] = {};
      obj = obj[p] as Record<string, unknown>;
    }
    obj[parts.at(-1)!] = value;
  }
  return patch;
}

/** Flattens settings to dotted keys, the unset ones with their default; lists and null stay whole. */
function flatten(settings: Record<string, unknown>): Array<{ key: string; value: unknown; isDefault: boolean }> {
  const rows: Array<{ key: string; value: unknown; isDefault: boolean }> = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = `${prefix}${k}`;
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${key}.`);
      else rows.push({ key, value: v, isDefault: false });
    }
  };
  walk(settings, '');
  if (settings['accounting'] === null || settings['accounting'] === undefined) {
    const at = rows.findIndex((r) => r.key === 'accounting');
    rows.splice(
      at < 0 ? rows.length : at,
      at < 0 ? 0 : 1,
      ...Object.keys(ACCOUNTING_SETTING_HELP).map((f) => ({ key: `accounting.${f}`, value: null, isDefault: false })),
    );
  }
  for (const [key, h] of Object.entries(SETTING_HELP)) {
    if (h.default !== undefined && !rows.some((r) => r.key === key)) rows.push({ key, value: h.default, isDefault: true });
  }
  // The stored JSON's key order is the database's: show them in SETTING_HELP's order, unknown ones last.
  const order = Object.keys(SETTING_HELP);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return rows.sort((a, b) => rank(a.key) - rank(b.key));
}

/** Dotted keys of a patch's leaves (lists and null are leaves). */
function leafKeys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? leafKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

const shown = (v: unknown) => (v === null || v === undefined ? '(not set)' : typeof v === 'string' ? v : JSON.stringify(v));

function settingsText(rows: Array<{ key: string; value: unknown; isDefault: boolean }>): string {
  const width = Math.max(...rows.map((r) => r.key.length));
  const valueWidth = Math.min(40, Math.max(...rows.map((r) => shown(r.value).length + (r.isDefault ? 10 : 0))));
  return rows
    .map((r) => {
      const value = `${shown(r.value)}${r.isDefault ? ' (default)' : ''}`;
      const help = SETTING_HELP[r.key]?.help;
      return `${r.key.padEnd(width)}  ${value.padEnd(valueWidth)}${help ? `  # ${help}` : ''}`.trimEnd();
    })
    .join('\n')
    .concat('\n');
}

interface BackfillFeedProgress {
  feed: string;
  done: boolean;
  superseded?: boolean;
  recordsRead: number;
  emitted: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  lastError: { code: string; message: string } | null;
}
interface BackfillStatus {
  tenantId: string;
  requestId: string;
  since: string;
  status: 'running' | 'done' | 'failed';
  feeds: BackfillFeedProgress[];
}

const userFeed = (pollerFeed: string) => Object.entries(BACKFILL_FEEDS).find(([, feeds]) => feeds.includes(pollerFeed))?.[0] ?? pollerFeed;

const FEED_ORDER = Object.values(BACKFILL_FEEDS).flat();
const feedRank = (f: string) => (FEED_ORDER.includes(f) ? FEED_ORDER.indexOf(f) : FEED_ORDER.length);

function summaryText(s: BackfillStatus): string {
  const rows = [...s.feeds]
    .sort((a, b) => feedRank(a.feed) - feedRank(b.feed))
    .map((f) => ({
      feed: `${userFeed(f.feed)}${userFeed(f.feed) !== f.feed ? ` (${f.feed})` : ''}`,
      state: f.superseded ? 'superseded' : f.done ? 'done' : f.lastError ? `failing: ${f.lastError.code}` : 'running',
      read: String(f.recordsRead),
      emitted: String(f.emitted),
      duration: f.durationMs === null ? '-' : `${(f.durationMs / 1000).toFixed(1)}s`,
    }));
  const cols = ['feed', 'state', 'read', 'emitted', 'duration'] as const;
  const w = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => r[c].length))])) as Record<(typeof cols)[number], number>;
  const line = (r: Record<(typeof cols)[number], string>) =>
    cols
      .map((c) => (c === 'read' || c === 'emitted' ? r[c].padStart(w[c]) : r[c].padEnd(w[c])))
      .join('  ')
      .trimEnd();
  const head = `backfill ${s.requestId} of ${s.tenantId} since ${s.since}: ${s.status}`;
  return [head, line({ feed: 'FEED', state: 'STATE', read: 'READ', emitted: 'EMITTED', duration: 'DURATION' }), ...rows.map(line)].join('\n').concat('\n');
}

function progressLine(s: BackfillStatus): string {
  const read = s.feeds.reduce((n, f) => n + f.recordsRead, 0);
  const emitted = s.feeds.reduce((n, f) => n + f.emitted, 0);
  const done = s.feeds.filter((f) => f.done).length;
  const width = 20;
  const filled = Math.round((done / Math.max(1, s.feeds.length)) * width);
  const failing = s.feeds.find((f) => !f.done && f.lastError);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${s.feeds.length} feeds done, ${read} read, ${emitted} emitted${failing ? ` (${userFeed(failing.feed)} failing: ${failing.lastError!.code}, retrying)` : ''}`;
}

/** Parses `--since`: a date (midnight UTC) or an ISO datetime, not in the future. */
function sinceOf(v: string | undefined): string {
  if (!v) throw new SettingsUsageError('--since <YYYY-MM-DD|ISO datetime> is required');
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) throw new SettingsUsageError(`--since must be a date (YYYY-MM-DD) or an ISO datetime, got "${v}"`);
  return new Date(ms).toISOString();
}

/** Runs `settings get|set` or `backfill`; returns the exit code, or undefined when the command is not one of these. */
export async function runSettingsCommand(cmd: string, ctx: SettingsContext): Promise<number | undefined> {
  const { api, positionals: pos, values: o, print } = ctx;
  const need = (n: number, what: string) => {
    if (pos.length < n) throw new SettingsUsageError(`missing ${what}`);
  };
  if (cmd.startsWith('backfill')) return backfill(ctx);
  switch (cmd) {
    case 'settings get': {
      need(3, '<tenant>');
      const t = await api.request<{ settings: Record<string, unknown> }>('GET', `/admin/tenants/${seg(pos[2]!)}`);
      const rows = flatten(t.settings);
      const key = pos[3];
      if (key !== undefined) {
        const hits = rows.filter((r) => r.key === key || r.key.startsWith(`${key}.`));
        if (!hits.length) throw new SettingsUsageError(`unknown setting "${key}"; known: ${rows.map((r) => r.key).join(', ')}`);
        print(
          hits.length === 1 && hits[0]!.key === key
            ? { key, value: hits[0]!.value, default: hits[0]!.isDefault, help: SETTING_HELP[key]?.help ?? null }
            : Object.fromEntries(hits.map((r) => [r.key, r.value])),
          () => settingsText(hits),
        );
        return 0;
      }
      print(t.settings, () => settingsText(rows));
      return 0;
    }
    case 'settings set': {
      need(4, '<tenant> key=value...');
      const settings = settingsPatch(pos.slice(3));
      const t = await api.request<{ settings: Record<string, unknown>; configVersion: number }>('PATCH', `/admin/tenants/${seg(pos[2]!)}`, { settings });
      const keys = leafKeys(settings);
      const rows = flatten(t.settings).filter((r) => keys.some((k) => r.key === k || r.key.startsWith(`${k}.`)));
      print(t, () => `settings of ${pos[2]} saved (config version ${t.configVersion})\n${settingsText(rows)}`);
      return 0;
    }
    default:
      return undefined;
  }
}

async function backfill(ctx: SettingsContext): Promise<number> {
  const { api, positionals: pos, values: o, print } = ctx;
  if (pos[0] !== 'backfill' || pos.length < 3)
    throw new SettingsUsageError('usage: mlc backfill <tenant> purchase-orders|customers|invoices... --since <date>');
  const tenant = pos[1]!;
  const names = pos.slice(2);
  const unknown = names.filter((n) => !BACKFILL_FEEDS[n]);
  if (unknown.length) throw new SettingsUsageError(`unknown feed ${unknown.join(', ')}; one of: ${Object.keys(BACKFILL_FEEDS).join(', ')}`);
  const feeds = [...new Set(names.flatMap((n) => BACKFILL_FEEDS[n]!))];
  const since = sinceOf(o.since);
  let status = await api.request<BackfillStatus>('POST', `/ops/tenants/${seg(tenant)}/backfill`, { feeds, since });
  if (o['no-wait']) {
    print(
      status,
      () =>
        `backfill ${status.requestId} of ${tenant} since ${status.since} requested for ${feeds.join(', ')}; follow it with GET /ops/tenants/${tenant}/backfill/${status.requestId}\n`,
    );
    return 0;
  }
  let last = '';
  for (;;) {
    const line = progressLine(status);
    if (ctx.progressIsTty) ctx.progress(`\r\x1b[2K${line}`);
    else if (line !== last) ctx.progress(`${line}\n`);
    last = line;
    if (status.status !== 'running') break;
    await new Promise((r) => setTimeout(r, ctx.pollMs ?? 1000));
    status = await api.request<BackfillStatus>('GET', `/ops/tenants/${seg(tenant)}/backfill/${seg(status.requestId)}`);
  }
  if (ctx.progressIsTty) ctx.progress('\n');
  print(status, () => summaryText(status));
  return status.status === 'done' ? 0 : 1;
}
