import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { KeyUsage, ReencryptResult } from '@mlc/tenants';
import { AdminApiClient, AdminApiError, seg } from './admin-api.client';
import { booleanFlags, stringFlags } from './cli-flags';
import { formatRecord, formatTable } from './table.format';
import { OPS_OPTIONS, OPS_USAGE, OpsUsageError, runOpsCommand } from './ops-commands';
import { DOCTOR_USAGE, DoctorUsageError, runDoctorCommand } from './doctor-command';
import { runSettingsCommand, SETTINGS_OPTIONS, SETTINGS_USAGE, SettingsUsageError } from './settings-commands';
import { DRYRUN_USAGE, runDryRunCommand } from './dryrun-commands';
import { runWebhookCommand, WEBHOOK_OPTIONS, WEBHOOK_USAGE } from './webhook-commands';
import { INIT_OPTIONS, INIT_USAGE, InitUsageError, runTenantsInitCommand } from './tenants-init-commands';
import type { AnswerInput } from './tenants-init.prompts';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  fetchImpl?: typeof fetch;
  /** Whether stderr is a terminal (progress lines are redrawn in place). */
  errIsTty?: boolean;
  /** Poll interval of waiting commands (tests shorten it). */
  pollMs?: number;
  /** Answers for `mlc tenants init` without --from. */
  stdin?: AnswerInput;
}

export const USAGE = `mlc — operator CLI over the tenants admin API (env MLC_API_URL, MLC_API_KEY)

  mlc tenants list
  mlc tenants create <id> --name <name> [--mode live|demo]
  mlc tenants show <id>
  mlc connections list <tenant>
  mlc connections set <tenant> <fusion|shipbob|shopify> [--file conn.json] [--base-url URL]
                      [--set path=value]... [--set-env path=ENV_VAR]...
        a partial update: what is given is merged onto the stored connection (secrets kept unless given;
        --set path:=null removes a field, e.g. soapAuth); the first set of a connection must be complete
        fusion: --set soapAuth.type=basic --set soapAuth.username=U --set-env soapAuth.password=ENV_VAR
             (Basic for the SOAP services while auth is OAuth for REST)
        e.g. --set auth.type=pat --set-env auth.token=SHIPBOB_PAT --set channelId=123
             --set webhookSecrets=whsec_a,whsec_b   (secrets are best passed with --set-env)
        --set path:=<json> sets a JSON value (numbers, lists, objects)
  mlc mappings list <tenant> <kind>
  mlc mappings set <tenant> <kind> <key> (--value JSON | --set field=value...)
  mlc mappings import <tenant> <kind> <file.csv> [--replace]
  mlc mappings export <tenant> <kind> [--out file.csv]
  mlc ping <tenant> <partner>
  mlc keys status                 key ids the stored credentials are sealed under (all-tenants key)
  mlc keys reencrypt              key rotation: re-seal everything under the first key of MLC_ENCRYPTION_KEYS

  kinds: item-product, supplier-fc, ship-to-fc, ship-to-address, shipbob-event-rule
  global: --json  --api-url URL  --api-key KEY  --actor NAME
${INIT_USAGE}${SETTINGS_USAGE}${OPS_USAGE}${WEBHOOK_USAGE}${DRYRUN_USAGE}${DOCTOR_USAGE}`;

class UsageError extends Error {}

const OPTIONS = {
  ...OPS_OPTIONS,
  ...SETTINGS_OPTIONS,
  ...WEBHOOK_OPTIONS,
  ...INIT_OPTIONS,
  ...stringFlags('api-url', 'api-key', 'actor', 'name', 'mode', 'file', 'base-url', 'value', 'out'),
  ...booleanFlags('json', 'replace'),
  help: { type: 'boolean', short: 'h' },
  set: { type: 'string', multiple: true },
  'set-env': { type: 'string', multiple: true },
} as const;

/** Mapping fields that are numbers, so `--set fulfillmentCenterId=8` does what an operator means. */
const NUMERIC_FIELDS = new Set(['fulfillmentCenterId', 'shipbobProductId']);

/**
 * `--set a.b=value` sets a string (a list for `webhookSecrets`, comma-separated; a number for the numeric mapping
 * fields); `--set a.b:=<json>` sets a JSON value.
 */
function setPath(target: Record<string, unknown>, path: string, raw: string, asJson: boolean): void {
  const parts = path.split('.');
  if (parts.some((p) => !/^[A-Za-z][\w-]*$/.test(p))) throw new UsageError(`bad field path "${path}"`);
  let obj = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof obj[p] !== 'object' || obj[p] === null) obj[p] = {};
    obj = obj[p] as Record<string, unknown>;
  }
  const last = parts.at(-1)!;
  if (asJson) {
    try {
      obj[last] = JSON.parse(raw) as unknown;
    } catch {
      throw new UsageError(`${path}:= expects a JSON value`);
    }
  } else if (last === 'webhookSecrets') obj[last] = raw.split(',').filter(Boolean);
  else if (NUMERIC_FIELDS.has(last) && /^\d{1,15}$/.test(raw)) obj[last] = Number(raw);
  else obj[last] = raw;
}

function assignments(values: string[] | undefined, flag: string, target: Record<string, unknown>, resolve: (v: string) => string): void {
  for (const a of values ?? []) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects path=value, got "${a.split('=')[0]}"`);
    const asJson = a[eq - 1] === ':';
    setPath(target, a.slice(0, asJson ? eq - 1 : eq), resolve(a.slice(eq + 1)), asJson && flag === '--set');
  }
}

/** Runs one CLI command; returns the process exit code (0 ok, 1 API/other error, 2 usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: o, positionals: pos } = parsed;
  if (o.help || pos.length === 0) {
    io.out(USAGE);
    return pos.length === 0 && !o.help ? 2 : 0;
  }
  const json = !!o.json;
  const print = (data: unknown, human: () => string) => io.out(json ? `${JSON.stringify(data, null, 2)}\n` : human());
  try {
    const baseUrl = o['api-url'] ?? io.env['MLC_API_URL'];
    const apiKey = o['api-key'] ?? io.env['MLC_API_KEY'];
    if (!baseUrl) throw new UsageError('MLC_API_URL (or --api-url) is required');
    if (!apiKey) throw new UsageError('MLC_API_KEY (or --api-key) is required');
    const api = new AdminApiClient({ baseUrl, apiKey, actor: o.actor ?? io.env['USER'], ...(io.fetchImpl ? { fetchImpl: io.fetchImpl } : {}) });
    const need = (n: number, what: string) => {
      if (pos.length < n) throw new UsageError(`missing ${what}`);
    };
    const [group, action] = pos;
    const cmd = group === 'ping' ? 'ping' : `${group} ${action ?? ''}`.trim();

    switch (cmd) {
      case 'tenants list': {
        const r = await api.request<{ tenants: Array<Record<string, unknown>> }>('GET', '/admin/tenants');
        print(r.tenants, () => formatTable(r.tenants, ['id', 'name', 'mode', 'configVersion', 'updatedAt']));
        return 0;
      }
      case 'tenants create': {
        need(3, '<id>');
        if (!o.name) throw new UsageError('--name is required');
        const r = await api.request<Record<string, unknown>>('POST', '/admin/tenants', { id: pos[2], name: o.name, ...(o.mode ? { mode: o.mode } : {}) });
        print(r, () => `created tenant ${String(r['id'])} (config version ${String(r['configVersion'])})\n`);
        return 0;
      }
      case 'tenants show': {
        need(3, '<id>');
        const r = await api.request<
          Record<string, unknown> & { connections: Array<Record<string, unknown>>; settings: Record<string, unknown>; mappingCounts: Record<string, unknown> }
        >('GET', `/admin/tenants/${seg(pos[2]!)}`);
        print(r, () => {
          const { connections, settings, mappingCounts, ...head } = r;
          return `${formatRecord(head)}\nSETTINGS\n${formatRecord(settings)}\nCONNECTIONS\n${formatTable(connections, ['partner', 'baseUrl', 'authType', 'secretsSet', ...(connections.some((c) => c.secretsUnreadable) ? ['secretsUnreadable'] : []), 'updatedAt'])}\nMAPPINGS\n${formatRecord(mappingCounts)}`;
        });
        return 0;
      }
      case 'connections list': {
        need(3, '<tenant>');
        const r = await api.request<{ connections: Array<Record<string, unknown>> }>('GET', `/admin/tenants/${seg(pos[2]!)}/connections`);
        print(r.connections, () => formatTable(r.connections, ['partner', 'baseUrl', 'authType', 'settings', 'secretsSet', 'updatedAt']));
        return 0;
      }
      case 'connections set': {
        need(4, '<tenant> <partner>');
        const body: Record<string, unknown> = o.file ? (JSON.parse(await io.readFile(o.file)) as Record<string, unknown>) : {};
        if (o['base-url']) body['baseUrl'] = o['base-url'];
        assignments(o.set, '--set', body, (v) => v);
        assignments(o['set-env'], '--set-env', body, (name) => {
          const v = io.env[name];
          if (v === undefined) throw new UsageError(`environment variable ${name} is not set`);
          return v;
        });
        const r = await api.request<Record<string, unknown>>('PATCH', `/admin/tenants/${seg(pos[2]!)}/connections/${seg(pos[3]!)}`, body);
        print(r, () => formatRecord(r));
        return 0;
      }
      case 'mappings list': {
        need(4, '<tenant> <kind>');
        const r = await api.request<{ entries: Array<{ key: string; value: Record<string, unknown> }> }>(
          'GET',
          `/admin/tenants/${seg(pos[2]!)}/mappings/${seg(pos[3]!)}`,
        );
        print(r.entries, () => formatTable(r.entries.map((e) => ({ key: e.key, ...e.value }))));
        return 0;
      }
      case 'mappings set': {
        need(5, '<tenant> <kind> <key>');
        let value: Record<string, unknown> = {};
        if (o.value) {
          try {
            value = JSON.parse(o.value) as Record<string, unknown>;
          } catch {
            throw new UsageError('--value must be JSON');
          }
        }
        assignments(o.set, '--set', value, (v) => v);
        const r = await api.request<Record<string, unknown>>('PUT', `/admin/tenants/${seg(pos[2]!)}/mappings/${seg(pos[3]!)}/${seg(pos[4]!)}`, { value });
        print(r, () => `set ${String(r['kind'])} ${String(r['key'])} = ${JSON.stringify(r['value'])}\n`);
        return 0;
      }
      case 'mappings import': {
        need(5, '<tenant> <kind> <file.csv>');
        const csv = await io.readFile(pos[4]!);
        const r = await api.request<Record<string, unknown>>(
          'POST',
          `/admin/tenants/${seg(pos[2]!)}/mappings/${seg(pos[3]!)}/import${o.replace ? '?replace=true' : ''}`,
          csv,
          'text/csv',
        );
        print(r, () => `imported ${String(r['rows'])} ${String(r['kind'])} rows (config version ${String(r['configVersion'])})\n`);
        return 0;
      }
      case 'mappings export': {
        need(4, '<tenant> <kind>');
        const csv = await api.request<string>('GET', `/admin/tenants/${seg(pos[2]!)}/mappings/${seg(pos[3]!)}/export`);
        if (o.out) {
          await io.writeFile(o.out, csv);
          print({ written: o.out }, () => `wrote ${o.out}\n`);
        } else io.out(csv);
        return 0;
      }
      case 'keys status': {
        const r = await api.request<KeyUsage>('GET', '/admin/encryption');
        print(r, () => `active key: ${r.activeKeyId}\n${formatTable(r.keys, ['keyId', 'configured', 'active', 'connections', 'tokens'])}`);
        return r.keys.some((k) => !k.configured) ? 1 : 0;
      }
      case 'keys reencrypt': {
        const r = await api.request<ReencryptResult & { usage: KeyUsage }>('POST', '/admin/encryption/reencrypt');
        print(r, () => {
          const lines = [`re-sealed under ${r.activeKeyId}: ${r.connections} connection(s), ${r.tokens} token(s)`];
          if (r.unreadable.length) {
            lines.push(`left as they are, sealed under a key that is not configured (set those connections again with all of their credentials):`);
            lines.push(formatTable(r.unreadable, ['kind', 'tenantId', 'partner', 'tokenKey', 'keyId']).trimEnd());
          }
          const stale = r.usage.keys.filter((k) => !k.active && k.configured);
          lines.push(
            stale.length
              ? `still in use: ${stale.map((k) => k.keyId).join(', ')}`
              : 'no configured key other than the active one is in use: older keys can be dropped from MLC_ENCRYPTION_KEYS',
          );
          return `${lines.join('\n')}\n`;
        });
        return r.unreadable.length ? 1 : 0;
      }
      case 'ping': {
        need(3, '<tenant> <partner>');
        const r = await api.request<{ reachable: boolean; authenticated: boolean }>('POST', `/admin/tenants/${seg(pos[1]!)}/connections/${seg(pos[2]!)}/ping`);
        print(r, () => formatRecord(r as unknown as Record<string, unknown>));
        return r.reachable && r.authenticated ? 0 : 1;
      }
      default: {
        const init = await runTenantsInitCommand(cmd, {
          api,
          positionals: pos,
          values: o,
          env: io.env,
          out: io.out,
          err: io.err,
          readFile: io.readFile,
          writeFile: io.writeFile,
          stdin: io.stdin,
        });
        if (init !== undefined) return init;
        const doctor = await runDoctorCommand(pos, { api, print });
        if (doctor !== undefined) return doctor;
        const hooks = await runWebhookCommand(cmd, { api, positionals: pos, values: o, env: io.env, print });
        if (hooks !== undefined) return hooks;
        const ctx = { api, positionals: pos, values: o, print, progress: (t: string) => io.err(t) };
        const code =
          (await runSettingsCommand(cmd, { ...ctx, progressIsTty: io.errIsTty, ...(io.pollMs ? { pollMs: io.pollMs } : {}) })) ??
          (await runOpsCommand(cmd, ctx)) ??
          (await runDryRunCommand(cmd, ctx));
        if (code !== undefined) return code;
        throw new UsageError(`unknown command "${pos.join(' ')}"`);
      }
    }
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof OpsUsageError ||
      err instanceof SettingsUsageError ||
      err instanceof DoctorUsageError ||
      err instanceof InitUsageError
    ) {
      io.err(`error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof AdminApiError) {
      if (json) io.err(`${JSON.stringify({ error: { status: err.status, code: err.code, message: err.message, problems: err.problems } })}\n`);
      else {
        io.err(`error: ${err.code} (${err.status}): ${err.message}\n`);
        for (const p of err.problems) io.err(`  ${p.line !== undefined ? `line ${p.line}: ` : ''}${p.field}: ${p.reason}\n`);
      }
      return 1;
    }
    io.err(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

export function processIo(): CliIo {
  return {
    env: process.env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    errIsTty: process.stderr.isTTY === true,
    readFile: (p) => readFile(p, 'utf8'),
    writeFile: (p, t) => writeFile(p, t, 'utf8'),
    stdin: process.stdin,
  };
}
