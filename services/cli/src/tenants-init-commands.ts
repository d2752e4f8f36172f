import { dirname, relative, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Partner } from '@mlc/tenants';
import { AdminApiError, seg, type AdminApiClient } from './admin-api.client';
import { Asker, type AnswerInput } from './tenants-init.prompts';
import {
  checkTenantDocument,
  envNameFor,
  GL_COMBINATION,
  INIT_MAPPING_KINDS,
  isSecretPath,
  SHIPBOB_WEBHOOK_SECRET,
  SHOP_DOMAIN,
  SHOPIFY_API_VERSION,
  urlProblems,
  type CsvChecker,
  type InitPlan,
  type PlanProblem,
} from './tenants-init.plan';

/**
 * Flags of `mlc tenants init` (merged into the CLI's parseArgs options; `--from` is the ops commands' flag,
 * `--gateway-url` the webhooks commands').
 */
export const INIT_OPTIONS = {
  'skip-doctor': { type: 'boolean' },
  save: { type: 'string' },
} as const;

export const INIT_USAGE = `
  onboarding (see docs/onboarding.md; the file format: docs/examples/tenant.yaml):
  mlc tenants init <id> [--from tenant.yaml] [--gateway-url URL] [--skip-doctor] [--save tenant.yaml]
        steps: tenant, connections, settings, mappings, webhooks, pings, doctor; re-running is safe
        without --from it asks (stdin); --save writes the answers as a tenant.yaml (secrets as \${ENV} references)
        exit 0 all passed, 3 checks failed (pings, webhooks, doctor), 1 a bad file or a failed step, 2 usage
`;

export class InitUsageError extends Error {}

export interface InitContext {
  api: AdminApiClient;
  positionals: string[];
  values: { from?: string; 'gateway-url'?: string; 'skip-doctor'?: boolean; save?: string; json?: boolean };
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  /** Answers for the interactive mode (process.stdin). */
  stdin: AnswerInput | undefined;
}

type TenantsLib = typeof import('@mlc/tenants');

/** The tenants library is loaded only by `init` (its CSV rules and the sandbox defaults), so other commands stay quick. */
async function loadLib(): Promise<TenantsLib> {
  return import('@mlc/tenants');
}

function csvChecker(lib: TenantsLib): CsvChecker {
  return (kind, csv) => {
    try {
      return { rows: lib.csvToMappings(kind, csv).length };
    } catch (err) {
      if (err instanceof lib.TenantValidationError) return { problems: err.problems };
      throw err;
    }
  };
}

const STEPS = ['tenant', 'connections', 'settings', 'mappings', 'webhooks', 'pings', 'doctor'] as const;
type Step = (typeof STEPS)[number];

interface StepResult {
  step: Step;
  status: 'done' | 'skipped' | 'failed';
  detail: string;
}

interface DoctorFinding {
  check: string;
  partner: string | null;
  status: 'ok' | 'fail' | 'warn' | 'skipped';
  message: string;
  fix?: string;
}

/**
 * A 404 from a route the server does not have (a part of issue 16 not deployed there): Nest's own answer, without
 * the API's `{ error: { code } }` body, so not a missing tenant or connection.
 */
function isMissingRoute(err: unknown): boolean {
  return err instanceof AdminApiError && err.status === 404 && err.code === 'HTTP.404';
}

/**
 * Runs `mlc tenants init`; returns the exit code, or undefined when the command is not `tenants init`.
 */
export async function runTenantsInitCommand(cmd: string, ctx: InitContext): Promise<number | undefined> {
  if (cmd !== 'tenants init') return undefined;
  const id = ctx.positionals[2];
  if (!id) throw new InitUsageError('missing <id>');
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new InitUsageError('<id> must be 1-63 characters of a-z, 0-9 and "-", starting with a letter or digit');
  if (ctx.values.from && ctx.values.save) throw new InitUsageError('--save is for the interactive mode (without --from)');
  const lib = await loadLib();
  const checkCsv = csvChecker(lib);

  let plan: InitPlan;
  let rerun: string;
  if (ctx.values.from) {
    const file = ctx.values.from;
    let text: string;
    try {
      text = await ctx.readFile(file);
    } catch (err) {
      ctx.err(`error: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was written\n`);
      return 1;
    }
    let doc: unknown;
    try {
      doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
    } catch (err) {
      // Only the first line (reason, line and column): the excerpt after it could show a secret typed into the file.
      ctx.err(`error: ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}; nothing was written\n`);
      return 1;
    }
    const checked = await checkTenantDocument(doc, { env: ctx.env, secrets: 'env', baseDir: dirname(file), readFile: ctx.readFile, checkCsv });
    if ('problems' in checked) return reportProblems(ctx, file, checked.problems);
    plan = checked.plan;
    rerun = `mlc tenants init ${id} --from ${file}`;
  } else {
    if (!ctx.stdin) throw new InitUsageError('no input to ask on: give --from tenant.yaml');
    const asked = await interview(id, ctx, lib, checkCsv);
    if (!asked) return 1;
    plan = asked.plan;
    rerun = asked.saved ? `mlc tenants init ${id} --from ${asked.saved}` : `mlc tenants init ${id}`;
  }
  return execute(id, plan, ctx, rerun);
}

function reportProblems(ctx: InitContext, what: string, problems: PlanProblem[]): number {
  ctx.err(`error: ${what} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was written:\n`);
  for (const p of problems) ctx.err(`  ${p.path}: ${p.reason}\n`);
  return 1;
}

// ---------- the steps ----------

async function execute(id: string, plan: InitPlan, ctx: InitContext, rerun: string): Promise<number> {
  const { api } = ctx;
  const results: StepResult[] = [];
  // Progress goes to stdout, or to stderr when stdout carries --json.
  const progress = (t: string) => (ctx.values.json ? ctx.err(t) : ctx.out(t));
  const t = `/admin/tenants/${seg(id)}`;
  let failedChecks = 0;
  let doctor: { ok: boolean; findings: DoctorFinding[] } | undefined;
  let current: Step = 'tenant';
  const record = (step: Step, status: StepResult['status'], detail: string) => {
    results.push({ step, status, detail });
    progress(
      `[${STEPS.indexOf(step) + 1}/${STEPS.length}] ${step}: ${status === 'skipped' && !detail.startsWith('skipped') ? `skipped: ${detail}` : detail}\n`,
    );
  };

  try {
    // 1. tenant: created, or reused when it exists under the same name.
    current = 'tenant';
    let existing: { name: string; mode: string; connections: StoredConnection[] } | undefined;
    try {
      existing = await api.request<{ name: string; mode: string; connections: StoredConnection[] }>('GET', t);
    } catch (err) {
      if (!(err instanceof AdminApiError && err.status === 404)) throw err;
    }
    if (!existing) {
      const r = await api.request<{ configVersion: number }>('POST', '/admin/tenants', { id, name: plan.tenant.name, mode: plan.tenant.mode });
      record('tenant', 'done', `created ${id} "${plan.tenant.name}" (${plan.tenant.mode}, config version ${r.configVersion})`);
    } else if (existing.name !== plan.tenant.name) {
      throw new Error(
        `tenant ${id} already exists with the name "${existing.name}", not "${plan.tenant.name}": use another id, or set tenant.name to "${existing.name}" to continue onboarding it`,
      );
    } else if (existing.mode !== plan.tenant.mode) {
      await api.request('PATCH', t, { mode: plan.tenant.mode });
      record('tenant', 'done', `${id} exists; reused, mode set to ${plan.tenant.mode}`);
    } else record('tenant', 'done', `${id} exists; reused`);

    // 2. connections: the full body each time (the file always has all of it), so a re-run sets the same values,
    // except two secrets that change after onboarding and that a re-run must not turn back: the webhook secrets
    // (`mlc webhooks subscribe|rotate` own them once stored) and ShipBob's OAuth refresh token (ShipBob replaces it on
    // every refresh). Left out of the body, the server keeps the stored ones.
    current = 'connections';
    if (!plan.connections.length) record('connections', 'skipped', 'none in the input');
    else {
      const stored = existing?.connections ?? [];
      const done: string[] = [];
      for (const c of plan.connections) {
        const { body, kept } = withoutStoredSecrets(
          c.body,
          stored.find((s) => s.partner === c.partner),
        );
        const r = await api.request<{ secretsSet?: string[] }>('PUT', `${t}/connections/${seg(c.partner)}`, body);
        done.push(`${c.partner} (${(r.secretsSet ?? []).length} secrets set${kept.length ? `; kept the stored ${kept.join(', ')}` : ''})`);
      }
      record('connections', 'done', `set ${done.join(', ')}`);
    }

    // 3. settings
    current = 'settings';
    if (!plan.settings) record('settings', 'skipped', 'none in the input');
    else {
      const r = await api.request<{ configVersion: number }>('PATCH', t, { settings: plan.settings });
      record('settings', 'done', `set ${Object.keys(plan.settings).join(', ')} (config version ${r.configVersion})`);
    }

    // 4. mappings: each listed table replaced by its file, so a re-run leaves the same rows.
    current = 'mappings';
    if (!plan.mappings.length) record('mappings', 'skipped', 'no CSV files in the input');
    else {
      const done: string[] = [];
      for (const m of plan.mappings) {
        const r = await api.request<{ rows: number }>('POST', `${t}/mappings/${seg(m.kind)}/import?replace=true`, m.csv, 'text/csv');
        done.push(`${r.rows} ${m.kind} rows`);
      }
      record('mappings', 'done', `imported ${done.join(', ')}`);
    }

    // 5. webhooks
    current = 'webhooks';
    if (!plan.webhooks.partners.length) record('webhooks', 'skipped', 'none asked for');
    else {
      const gatewayUrl = ctx.values['gateway-url'] ?? plan.webhooks.gatewayUrl;
      const done: string[] = [];
      let missingRoute = false;
      for (const partner of plan.webhooks.partners) {
        try {
          const r = await api.request<{ expectedUrl: string; subscriptions: Array<{ ours: boolean }>; missingTopics: string[] }>(
            'POST',
            `${t}/webhooks/${seg(partner)}/subscribe`,
            gatewayUrl ? { gatewayUrl } : {},
          );
          const ours = r.subscriptions.filter((s) => s.ours).length;
          if (r.missingTopics.length) {
            failedChecks += 1;
            done.push(`${partner} -> ${r.expectedUrl}: ${ours} subscription(s), MISSING topics ${r.missingTopics.join(', ')}`);
          } else done.push(`${partner} -> ${r.expectedUrl}: ${ours} subscription(s)`);
        } catch (err) {
          if (!isMissingRoute(err)) throw err;
          missingRoute = true;
          break;
        }
      }
      if (missingRoute) record('webhooks', 'skipped', 'skipped: this server has no POST /admin/tenants/:id/webhooks/:partner/subscribe');
      else record('webhooks', 'done', `subscribed ${done.join('; ')}`);
    }

    // 6. pings: reachability and authentication of every connection the tenant has.
    current = 'pings';
    const shown = await api.request<{ connections: Array<{ partner: Partner }> }>('GET', t);
    if (!shown.connections.length) record('pings', 'skipped', 'the tenant has no connections');
    else {
      const parts: string[] = [];
      for (const c of shown.connections) {
        const r = await api.request<{ reachable: boolean; authenticated: boolean; failedCheck?: string; message?: string }>(
          'POST',
          `${t}/connections/${seg(c.partner)}/ping`,
        );
        if (r.reachable && r.authenticated) parts.push(`${c.partner} ok`);
        else {
          failedChecks += 1;
          parts.push(`${c.partner} FAILED (${r.failedCheck ?? (r.reachable ? 'authentication' : 'reachability')}${r.message ? `: ${r.message}` : ''})`);
        }
      }
      record('pings', 'done', parts.join(', '));
    }

    // 7. doctor
    current = 'doctor';
    if (ctx.values['skip-doctor']) record('doctor', 'skipped', 'skipped (--skip-doctor)');
    else {
      try {
        doctor = await api.request<{ ok: boolean; findings: DoctorFinding[] }>('GET', `${t}/doctor`);
        const bad = doctor.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
        const fails = doctor.findings.filter((f) => f.status === 'fail').length;
        record(
          'doctor',
          'done',
          doctor.ok
            ? `ok (${doctor.findings.filter((f) => f.status === 'ok').length} checks passed${bad.length ? `, ${bad.length} warning(s)` : ''})`
            : `${fails} check(s) FAILED`,
        );
        for (const f of bad)
          progress(`      ${f.status.toUpperCase()} ${f.check}${f.partner ? ` (${f.partner})` : ''}: ${f.message}${f.fix ? `\n        fix: ${f.fix}` : ''}\n`);
        if (!doctor.ok) failedChecks += Math.max(fails, 1);
      } catch (err) {
        if (!isMissingRoute(err)) throw err;
        record('doctor', 'skipped', 'skipped: this server has no GET /admin/tenants/:id/doctor');
      }
    }
  } catch (err) {
    const done = results.filter((r) => r.status === 'done').map((r) => r.step);
    results.push({ step: current, status: 'failed', detail: describe(err) });
    ctx.err(`error: step [${STEPS.indexOf(current) + 1}/${STEPS.length}] ${current} failed: ${describe(err)}\n`);
    ctx.err(`already done: ${done.length ? done.join(', ') : 'nothing'}; re-running is safe (each step sets the same values again): ${rerun}\n`);
    if (ctx.values.json) ctx.out(`${JSON.stringify({ tenantId: id, ok: false, failedStep: current, steps: results }, null, 2)}\n`);
    return 1;
  }
  if (ctx.values.json) ctx.out(`${JSON.stringify({ tenantId: id, ok: failedChecks === 0, steps: results, ...(doctor ? { doctor } : {}) }, null, 2)}\n`);
  else if (failedChecks) ctx.out(`tenant ${id} is set up, but ${failedChecks} check(s) failed (above): fix them, then run mlc doctor ${id} (or ${rerun})\n`);
  else ctx.out(`tenant ${id} is onboarded${doctor ? '' : ' (no doctor on this server: run mlc doctor once it has one)'}\n`);
  return failedChecks ? 3 : 0;
}

interface StoredConnection {
  partner: Partner;
  authType: string;
  secretsSet: string[];
}

/** The body without the secrets that a re-run keeps as stored (see step 2); `kept` names them. */
function withoutStoredSecrets(body: Record<string, unknown>, stored: StoredConnection | undefined): { body: Record<string, unknown>; kept: string[] } {
  if (!stored) return { body, kept: [] };
  const out = structuredClone(body);
  const kept: string[] = [];
  if (out['webhookSecrets'] !== undefined && stored.secretsSet.some((p) => p.startsWith('webhookSecrets['))) {
    delete out['webhookSecrets'];
    kept.push('webhook secrets');
  }
  const auth = out['auth'] as Record<string, unknown> | undefined;
  if (auth && auth['refreshToken'] !== undefined && auth['type'] === stored.authType && stored.secretsSet.includes('auth.refreshToken')) {
    delete auth['refreshToken'];
    kept.push('refresh token');
  }
  return { body: out, kept };
}

function describe(err: unknown): string {
  if (err instanceof AdminApiError) {
    const problems = err.problems.map((p) => `\n  ${p.line !== undefined ? `line ${p.line}: ` : ''}${p.field}: ${p.reason}`).join('');
    return `${err.code} (${err.status}): ${err.message}${problems}`;
  }
  return (err as Error).message;
}

// ---------- interactive ----------

const ACCOUNTING_QUESTIONS: Array<{ key: string; label: string; hint: string }> = [
  {
    key: 'businessUnit',
    label: 'Business unit',
    hint: 'the Receivables business unit the invoices belong to (Setup and Maintenance > Manage Business Units), e.g. US1 Business Unit',
  },
  {
    key: 'transactionSource',
    label: 'Transaction source',
    hint: 'the Receivables transaction source the invoices are created under (Manage Transaction Sources), e.g. SHOPIFY',
  },
  { key: 'transactionType', label: 'Transaction type', hint: 'the Receivables transaction type of class Invoice (Manage Transaction Types), e.g. Invoice' },
  { key: 'paymentTerms', label: 'Payment terms', hint: 'Receivables payment terms name (Manage Receivables Payment Terms), e.g. IMMEDIATE' },
  {
    key: 'revenueAccountCombination',
    label: 'Revenue GL combination',
    hint: 'the revenue account, segments joined by "-" as in Fusion\'s chart of accounts, e.g. 101-10-4000-000',
  },
  {
    key: 'guestCustomerAccountNumber',
    label: 'Guest customer account number',
    hint: 'the Fusion customer account used when a Shopify order has no matching customer (Manage Customers)',
  },
];

interface Interviewed {
  plan: InitPlan;
  saved: string | undefined;
}

/**
 * Asks what is needed, in a fixed order (so answers can be piped), then checks the answers exactly as a file is
 * checked. Returns undefined (after printing the problems) when they do not pass; nothing is written then.
 */
async function interview(id: string, ctx: InitContext, lib: TenantsLib, checkCsv: CsvChecker): Promise<Interviewed | undefined> {
  const q = new Asker(ctx.stdin!, ctx.err);
  const doc: Record<string, unknown> = {};
  /** The same document with every secret as an ${ENV} reference, for --save. */
  const savedDoc: Record<string, unknown> = {};
  const envNames: string[] = [];
  const demoUrls = lib.DEFAULT_DEMO_URLS;
  const demo = lib.DEMO_CREDENTIALS;
  try {
    ctx.err(`Onboarding tenant ${id}: answer each question (Enter takes the value in [brackets]).\n`);
    const name = await q.ask('Tenant name', { def: id });
    const mode = await q.choose("Mode: live talks to the customer's partner accounts, demo to the local sandboxes", ['live', 'demo'] as const, 'live');
    const isDemo = mode === 'demo';
    // Each answer is checked as it is given (the same rules as a file), so a typo is asked again, not found at the end.
    const url = (v: string) => urlProblems(v, mode).join('; ') || undefined;
    doc['tenant'] = { name, mode };
    const connections: Record<string, Record<string, unknown>> = {};

    const secret = (label: string, demoValue: string | undefined, hint?: string): Promise<string> =>
      q.ask(label, { secret: true, def: isDemo ? demoValue : undefined, secretDefaultLabel: "the sandbox's demo value", ...(hint ? { hint } : {}) });

    if (await q.yesNo('Connect Oracle Fusion (purchase orders, receivables)?', true)) {
      const baseUrl = await q.ask('Fusion base URL', {
        def: isDemo ? demoUrls.fusion : undefined,
        hint: 'your pod, e.g. https://<pod>.fa.<region>.oraclecloud.com',
        check: url,
      });
      const type = await q.choose('Fusion REST auth', ['oauth2-client-credentials', 'basic'] as const, 'oauth2-client-credentials');
      let auth: Record<string, unknown>;
      if (type === 'oauth2-client-credentials') {
        auth = {
          type,
          tokenUrl: await q.ask('Token URL', {
            def: isDemo ? `${baseUrl}/oauth2/v1/token` : undefined,
            hint: 'the identity domain (IDCS) token endpoint: https://<identity-domain-host>/oauth2/v1/token',
            check: url,
          }),
          clientId: await q.ask('Client id', {
            def: isDemo ? demo.fusion.clientId : undefined,
            hint: 'the confidential application; a Fusion user with the same name must hold the roles',
          }),
          clientSecret: await secret('Client secret', demo.fusion.clientSecret),
          scope: await q.ask('Scope', {
            def: isDemo ? demo.fusion.scope : undefined,
            hint: 'urn:opc:resource:fa:instanceid=<id>urn:opc:resource:consumer::all (no separator)',
          }),
        };
      } else {
        auth = { type, username: await q.ask('Integration user name'), password: await secret('Password', undefined) };
      }
      const conn: Record<string, unknown> = { baseUrl, auth };
      if (await q.yesNo("A separate Basic login for Fusion's SOAP services (customer accounts, credit memos)?", false)) {
        conn['soapAuth'] = { type: 'basic', username: await q.ask('SOAP user name'), password: await secret('SOAP password', undefined) };
      }
      connections['fusion'] = conn;
    }

    if (await q.yesNo('Connect ShipBob (orders from purchase orders, shipments back)?', true)) {
      const baseUrl = await q.ask('ShipBob base URL', { def: isDemo ? demoUrls.shipbob : 'https://api.shipbob.com', check: url });
      const type = await q.choose('ShipBob auth: a personal access token, or an OAuth app', ['pat', 'oauth2'] as const, 'pat');
      const auth: Record<string, unknown> =
        type === 'pat'
          ? { type, token: await secret('Personal access token', demo.shipbob.pat, 'ShipBob dashboard > Integrations > API Tokens') }
          : {
              type,
              tokenUrl: await q.ask('Token URL', { def: 'https://auth.shipbob.com/connect/token', check: url }),
              clientId: await q.ask('Client id'),
              clientSecret: await secret('Client secret', undefined),
              refreshToken: await secret('Refresh token', undefined, "from the app's authorization-code grant (offline_access)"),
            };
      const channelId = await q.ask('Channel id', {
        def: isDemo ? demo.shipbob.channelId : undefined,
        hint: 'GET /channel with the token; the channel the connector writes orders into',
        check: (v) => (/^[1-9]\d{0,18}$/.test(v) ? undefined : 'the channel id is a number'),
      });
      const hook = await q.ask('Webhook secret', {
        secret: true,
        def: isDemo ? demo.shipbob.webhookSecret : undefined,
        secretDefaultLabel: "the sandbox's demo value",
        hint: 'ours, chosen once: whsec_ + 32 base64 characters, e.g. echo whsec_$(openssl rand -base64 24)',
        check: (v) => (SHIPBOB_WEBHOOK_SECRET.test(v) ? undefined : 'that is not "whsec_" followed by 32 base64 characters'),
      });
      connections['shipbob'] = { baseUrl, channelId, auth, webhookSecrets: [hook] };
    }

    if (await q.yesNo('Connect Shopify (orders, refunds, customers into Fusion receivables)?', true)) {
      const shopDomain = await q.ask('Shop domain', {
        def: isDemo ? demo.shopify.shopDomain : undefined,
        hint: '<shop>.myshopify.com',
        check: (v) => (SHOP_DOMAIN.test(v) ? undefined : 'the shop domain looks like <shop>.myshopify.com (lowercase)'),
      });
      const baseUrl = await q.ask('Shopify base URL', { def: isDemo ? demoUrls.shopify : `https://${shopDomain}`, check: url });
      const apiVersion = await q.ask('Admin API version', {
        def: demo.shopify.apiVersion,
        check: (v) => (SHOPIFY_API_VERSION.test(v) ? undefined : 'a version is YYYY-01, -04, -07 or -10 (or unstable)'),
      });
      const type = await q.choose(
        'Shopify auth: client credentials (Dev Dashboard app) or a static Admin API access token (older custom app)',
        ['client-credentials', 'access-token'] as const,
        'client-credentials',
      );
      let auth: Record<string, unknown>;
      let appSecret: string | undefined;
      if (type === 'client-credentials') {
        const clientId = await q.ask('Client id', {
          def: isDemo ? demo.shopify.clientId : undefined,
          hint: "the app's Client ID (Dev Dashboard > your app > Settings)",
        });
        appSecret = await secret('Client secret', demo.shopify.clientSecret);
        auth = { type, clientId, clientSecret: appSecret };
      } else auth = { type, accessToken: await secret('Admin API access token', undefined) };
      const hookDefault = isDemo ? demo.shopify.webhookSecret : appSecret;
      const hook = await q.ask('Webhook signing secret', {
        secret: true,
        def: hookDefault,
        secretDefaultLabel: "the app's client secret",
        hint: "Shopify signs app webhooks with the app's client secret",
      });
      connections['shopify'] = { baseUrl, shopDomain, apiVersion, auth, webhookSecrets: [hook] };
    }
    doc['connections'] = connections;

    const settings: Record<string, unknown> = {};
    if (connections['fusion'] && connections['shopify'] && (await q.yesNo('Set the Fusion receivables values now (needed for Shopify invoices)?', true))) {
      const acc: Record<string, string> = {};
      const demoAcc = lib.DEMO_ACCOUNTING as Record<string, string>;
      const gl = (v: string) => (GL_COMBINATION.test(v) ? undefined : 'the combination is account segments joined by "-" or "." (e.g. 101-10-4000-000)');
      for (const a of ACCOUNTING_QUESTIONS)
        acc[a.key] = await q.ask(a.label, {
          def: isDemo ? demoAcc[a.key] : undefined,
          hint: a.hint,
          ...(a.key === 'revenueAccountCombination' ? { check: gl } : {}),
        });
      settings['accounting'] = acc;
    }
    const days = await q.ask("Initial look-back in days for the first poll (Enter: the server's default)", {
      def: '',
      check: (v) => (/^\d{1,4}$/.test(v) && Number(v) <= 3650 ? undefined : 'a whole number of days from 0 to 3650'),
    });
    if (days) settings['initialLookbackDays'] = Number(days);
    const dry = await q.yesNo('Start in dry run (read the partners, write nothing to them; Enter: leave as it is)?', undefined);
    if (dry !== undefined) settings['dryRun'] = { purchaseOrders: dry, receivables: dry };
    if (Object.keys(settings).length) doc['settings'] = settings;

    const mappings: Record<string, string> = {};
    for (const kind of INIT_MAPPING_KINDS) {
      const p = await q.ask(`CSV file of ${kind} mappings (Enter: none)`, { def: '', check: (v) => csvProblem(ctx, checkCsv, kind, v) });
      if (p) mappings[kind] = resolve(p);
    }
    if (Object.keys(mappings).length) doc['mappings'] = mappings;

    const webhooks: Record<string, boolean> = {};
    for (const partner of ['shipbob', 'shopify'] as const) {
      if (connections[partner])
        webhooks[partner] = (await q.yesNo(`Subscribe to ${partner === 'shipbob' ? 'ShipBob' : 'Shopify'} webhooks now?`, true)) ?? true;
    }
    if (Object.keys(webhooks).length) doc['webhooks'] = webhooks;
  } finally {
    q.close();
  }

  const checked = await checkTenantDocument(doc, { env: ctx.env, secrets: 'literal', baseDir: process.cwd(), readFile: ctx.readFile, checkCsv });
  if ('problems' in checked) {
    reportProblems(ctx, 'the answers', checked.problems);
    return undefined;
  }

  let saved: string | undefined;
  if (ctx.values.save) {
    saved = ctx.values.save;
    // Same document; secrets replaced by ${ENV} references, CSV paths made relative to the saved file.
    Object.assign(savedDoc, structuredClone(doc));
    const conns = (savedDoc['connections'] ?? {}) as Record<string, Record<string, unknown>>;
    for (const [partner, conn] of Object.entries(conns))
      replaceSecrets(conn, '', (path) => {
        const name = envNameFor(id, partner as Partner, path);
        envNames.push(name);
        return `\${${name}}`;
      });
    const maps = savedDoc['mappings'] as Record<string, string> | undefined;
    const dir = dirname(resolve(saved));
    if (maps) for (const k of Object.keys(maps)) maps[k] = relative(dir, maps[k]!) || maps[k]!;
    await ctx.writeFile(
      saved,
      `# mlc tenants init ${id} --from ${saved}   (format: docs/onboarding.md)\n# secrets come from the environment: ${envNames.join(', ')}\n${stringifyYaml(savedDoc)}`,
    );
    ctx.err(`wrote ${saved}; it holds no secrets: before running it, set ${envNames.join(', ') || '(none)'}\n`);
  }
  return { plan: checked.plan, saved };
}

/** Why a typed CSV path is refused: unreadable, or its rows as the server would refuse them (first three). */
async function csvProblem(ctx: InitContext, checkCsv: CsvChecker, kind: (typeof INIT_MAPPING_KINDS)[number], path: string): Promise<string | undefined> {
  let csv: string;
  try {
    csv = await ctx.readFile(resolve(path));
  } catch (err) {
    return `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  const r = checkCsv(kind, csv);
  if (!('problems' in r)) return undefined;
  const shown = r.problems.slice(0, 3).map((p) => `${p.line !== undefined ? `line ${p.line}: ` : ''}${p.field}: ${p.reason}`);
  return `${path}: ${shown.join('; ')}${r.problems.length > 3 ? ` (+${r.problems.length - 3} more)` : ''}`;
}

function replaceSecrets(obj: Record<string, unknown> | unknown[], prefix: string, ref: (path: string) => string): void {
  const entries: Array<[string | number, unknown]> = Array.isArray(obj) ? obj.map((v, i) => [i, v]) : Object.entries(obj);
  for (const [k, v] of entries) {
    const path = typeof k === 'number' ? `${prefix}[${k}]` : prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string' && isSecretPath(path)) (obj as Record<string | number, unknown>)[k] = ref(path);
    else if (typeof v === 'object' && v !== null) replaceSecrets(v as Record<string, unknown>, path, ref);
  }
}
