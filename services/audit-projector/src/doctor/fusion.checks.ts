import { fusionLookups, type FusionLookups } from '@mlc/tenancy';
import type { PartnerPinger, TenantSnapshot } from '@mlc/tenants';
import { describe, findings, listed, refusal, sh, statusOf } from './doctor.findings';
import type { DoctorFinding } from './doctor.types';

const f = findings('fusion');
const TIMEOUT_MS = 8_000;

/** The REST resources the two flows read or write, with the privilege (or role) an integration user needs for each. */
const FLOW_RESOURCES: Array<{ resource: string; root: 'fscm' | 'crm'; needs: string }> = [
  {
    resource: 'purchaseOrders',
    root: 'fscm',
    needs: 'a procurement role that views purchase orders (e.g. Buyer), with PO_VIEW_PURCHASING_DOC_LOV_REST_SERVICE_PRIV for the lists of values',
  },
  { resource: 'receivingReceiptRequests', root: 'fscm', needs: 'a receiving role (e.g. Warehouse Manager) that creates receipts and ASNs' },
  { resource: 'receivablesInvoices', root: 'fscm', needs: 'AR_CREATE_RECEIVABLES_INVOICE_PRIV (e.g. Accounts Receivable Specialist)' },
  { resource: 'receivablesCreditMemos', root: 'fscm', needs: 'a receivables role that creates credit memos (e.g. Accounts Receivable Specialist)' },
  { resource: 'receivablesCustomerAccountActivities', root: 'fscm', needs: 'a receivables role that views customer accounts' },
  { resource: 'hubOrganizations', root: 'crm', needs: 'a customer data management role that creates organizations and persons' },
];

/** Setup lists of values the accounting settings are checked against (fusion simulator fusion-setup-lovs.ts). */
const SETUP_LOOKUPS = [
  {
    setting: 'businessUnit',
    label: 'business unit',
    resource: 'finBusinessUnitsLOV',
    attr: 'BusinessUnitName',
    where: 'Setup and Maintenance > Manage Business Unit',
  },
  {
    setting: 'transactionSource',
    label: 'transaction source',
    resource: 'transactionSourcesLOV',
    attr: 'Name',
    where: 'Setup and Maintenance > Manage Transaction Sources',
  },
  {
    setting: 'transactionType',
    label: 'transaction type',
    resource: 'transactionTypesLOV',
    attr: 'Name',
    where: 'Setup and Maintenance > Manage Transaction Types',
  },
] as const;

function connectionFix(t: string, c: TenantSnapshot['connections']['fusion'], failedCheck: string | null): string {
  if (failedCheck === 'network' || failedCheck === 'tls' || failedCheck === 'timeout')
    return `mlc connections set ${t} fusion --base-url https://<pod>.fa.<region>.oraclecloud.com   (then: mlc ping ${t} fusion)`;
  if (c?.auth.type === 'basic')
    return `mlc connections set ${t} fusion --set auth.type=basic --set auth.username=<user> --set-env auth.password=FUSION_PASSWORD   (then: mlc ping ${t} fusion)`;
  return `mlc connections set ${t} fusion --set auth.type=oauth2-client-credentials --set auth.clientId=<client id> --set-env auth.clientSecret=FUSION_CLIENT_SECRET --set auth.scope=<scope>   (then: mlc ping ${t} fusion)`;
}

/** Connection, credentials, access to every flow resource, and the accounting settings against Fusion's setup. */
export async function fusionChecks(t: string, s: TenantSnapshot, pinger: PartnerPinger | undefined, signal: AbortSignal): Promise<DoctorFinding[]> {
  const c = s.connections.fusion;
  if (!c) return f.noConnection('Fusion', connectionFix(t, undefined, null), ['fusion.setup']);
  const out: DoctorFinding[] = [];
  out.push(f.ok('fusion.connection', `Fusion connection to ${c.baseUrl} (${c.auth.type})`));
  const ping = pinger ? await pinger.ping(c, { tenantId: t, signal }) : undefined;
  if (ping && (!ping.reachable || (!ping.authenticated && ping.failedCheck !== 'permission'))) {
    out.push(f.fail('fusion.credentials', ping.message, connectionFix(t, c, ping.failedCheck)));
    out.push(f.skipped('fusion.access', 'not checked: the credentials do not work'));
    out.push(f.skipped('fusion.setup', 'not checked: the credentials do not work'));
    return out;
  }
  out.push(f.ok('fusion.credentials', ping && ping.failedCheck !== 'permission' ? ping.message : 'credentials accepted'));

  const client = fusionLookups(c, TIMEOUT_MS);
  const readable: string[] = [];
  for (const r of FLOW_RESOURCES) {
    try {
      await client.probeRead(r.resource, r.root);
      readable.push(r.resource);
    } catch (err) {
      const why = refusal(err);
      if (why)
        out.push(
          f.fail(
            `fusion.access.${r.resource}`,
            `Fusion refused a read of ${r.resource} (${statusOf(err) ?? why}): ${describe(err)}`,
            `grant the integration user ${r.needs}`,
          ),
        );
      else out.push(f.warn(`fusion.access.${r.resource}`, `a read of ${r.resource} failed: ${describe(err)}`));
    }
  }
  if (readable.length === FLOW_RESOURCES.length) out.push(f.ok('fusion.access', `every resource the flows use answers: ${readable.join(', ')}`));

  const a = s.settings.accounting;
  if (!a) {
    out.push(f.skipped('fusion.setup', 'not checked: the tenant has no accounting settings (see mlc.accounting)'));
    return out;
  }
  for (const l of SETUP_LOOKUPS) out.push(await checkNamed(client, t, l, a[l.setting]));
  out.push(
    f.warn(
      'fusion.setup.paymentTerms',
      `payment terms "${a.paymentTerms}" not checked: Fusion publishes no REST list of values for receivables payment terms`,
      `check that "${a.paymentTerms}" exists in Fusion (Setup and Maintenance > Manage Receivables Payment Terms); if not: mlc settings set ${t} accounting.paymentTerms=${sh('<name>')}`,
    ),
  );
  out.push(await checkAccount(client, t, a.revenueAccountCombination));
  out.push(await checkGuest(client, t, a.guestCustomerAccountNumber));
  return out;
}

async function checkNamed(client: FusionLookups, t: string, l: (typeof SETUP_LOOKUPS)[number], value: string): Promise<DoctorFinding> {
  const check = `fusion.setup.${l.setting}`;
  try {
    const rows = await client.find(l.resource, { [l.attr]: value });
    if (rows.length) return f.ok(check, `${l.label} "${value}" exists in Fusion`);
    const known = await client.values(l.resource, l.attr);
    return f.fail(
      check,
      `Fusion has no ${l.label} "${value}" (${l.resource}); known: ${listed(known)}`,
      `mlc settings set ${t} accounting.${l.setting}=${sh(known[0] ?? '<name>')}   (or create it in Fusion: ${l.where})`,
    );
  } catch (err) {
    return lookupRefused(check, l.label, l.resource, err);
  }
}

function lookupRefused(check: string, label: string, resource: string, err: unknown): DoctorFinding {
  const why = refusal(err);
  const privilege = resource === 'accountCombinationsLOV' ? 'FUN_GET_ENTERPRISE_STRUCTURES_REST_SERVICE_PRIV' : `a role that reads ${resource}`;
  if (why === 'forbidden')
    return f.warn(
      check,
      `the ${label} could not be checked: Fusion refused the look-up ${resource} (403)`,
      `grant the integration user ${privilege}, or check the value in Fusion by hand`,
    );
  if (statusOf(err) === 404)
    return f.warn(check, `the ${label} could not be checked: this Fusion pod has no ${resource} resource`, 'check the value in Fusion by hand');
  return f.warn(check, `the ${label} could not be checked: ${describe(err)}`);
}

async function checkAccount(client: FusionLookups, t: string, combination: string): Promise<DoctorFinding> {
  const check = 'fusion.setup.revenueAccountCombination';
  const segments = combination.split(/[-.]/);
  try {
    const rows = (await client.find('accountCombinationsLOV', Object.fromEntries(segments.map((v, i) => [`Segment${i + 1}`, v])))).filter(
      (r) => r[`Segment${segments.length + 1}`] === undefined || r[`Segment${segments.length + 1}`] === null,
    );
    const fix = `mlc settings set ${t} accounting.revenueAccountCombination=<segments, e.g. 101-10-4000-000>`;
    if (!rows.length)
      return f.fail(
        check,
        `Fusion has no GL account combination ${combination} (accountCombinationsLOV)`,
        `${fix}   (or create the combination in Fusion: Manage Account Combinations)`,
      );
    const enabled = rows.some((r) => r['EnabledFlag'] === true || r['EnabledFlag'] === 'Y' || r['EnabledFlag'] === 'true');
    if (!enabled)
      return f.fail(
        check,
        `the GL account combination ${combination} exists in Fusion but is disabled`,
        `enable it in Fusion (Manage Account Combinations), or: ${fix}`,
      );
    return f.ok(check, `GL account combination ${combination} exists and is enabled`);
  } catch (err) {
    return lookupRefused(check, 'revenue GL account combination', 'accountCombinationsLOV', err);
  }
}

async function checkGuest(client: FusionLookups, t: string, accountNumber: string): Promise<DoctorFinding> {
  const check = 'fusion.setup.guestCustomerAccountNumber';
  try {
    const rows = await client.find('receivablesCustomerAccountActivities', { AccountNumber: accountNumber });
    if (rows.length) return f.ok(check, `guest customer account ${accountNumber} exists (${String(rows[0]!['CustomerName'] ?? '')})`);
    return f.fail(
      check,
      `Fusion has no customer account ${accountNumber} for guest orders`,
      `mlc settings set ${t} accounting.guestCustomerAccountNumber=<account number>   (or create the account in Fusion: Manage Customers)`,
    );
  } catch (err) {
    return lookupRefused(check, 'guest customer account', 'receivablesCustomerAccountActivities', err);
  }
}
