import { shopifyAccessScopes } from '@mlc/tenancy';
import type { PartnerPinger, TenantSnapshot } from '@mlc/tenants';
import { describe, findings } from './doctor.findings';
import type { DoctorFinding } from './doctor.types';

const f = findings('shopify');
const TIMEOUT_MS = 8_000;

/** Connection, credentials with the configured API version, the app's access scopes, the webhook secret. */
export async function shopifyChecks(t: string, s: TenantSnapshot, pinger: PartnerPinger | undefined, signal: AbortSignal): Promise<DoctorFinding[]> {
  const c = s.connections.shopify;
  if (!c)
    return f.noConnection(
      'Shopify',
      `mlc connections set ${t} shopify --base-url https://<shop>.myshopify.com --set shopDomain=<shop>.myshopify.com --set apiVersion=2026-10 --set auth.type=client-credentials --set auth.clientId=<id> --set-env auth.clientSecret=SHOPIFY_CLIENT_SECRET`,
    );
  const out: DoctorFinding[] = [];
  out.push(f.ok('shopify.connection', `Shopify connection to ${c.shopDomain} (API ${c.apiVersion}, ${c.auth.type})`));
  out.push(
    f.webhookSecrets(
      c.webhookSecrets.length,
      'no Shopify webhook secret is stored: webhooks cannot be verified',
      `mlc connections set ${t} shopify --set-env webhookSecrets=SHOPIFY_CLIENT_SECRET   (an app's webhooks are signed with its client secret)`,
    ),
  );
  const ping = pinger ? await pinger.ping(c, { tenantId: t, signal }) : undefined;
  if (ping && !(ping.reachable && ping.authenticated && !ping.failedCheck)) {
    const fix =
      ping.failedCheck === 'configuration'
        ? `mlc connections set ${t} shopify --set shopDomain=<shop>.myshopify.com`
        : ping.failedCheck === 'unexpected'
          ? `check the API version Shopify still supports (a YYYY-MM release of the last 12 months): mlc connections set ${t} shopify --set apiVersion=<YYYY-MM>   (then: mlc ping ${t} shopify)`
          : ping.reachable === false
            ? `mlc connections set ${t} shopify --base-url https://${c.shopDomain}`
            : c.auth.type === 'access-token'
              ? `mlc connections set ${t} shopify --set auth.type=access-token --set-env auth.accessToken=SHOPIFY_ACCESS_TOKEN   (then: mlc ping ${t} shopify)`
              : `mlc connections set ${t} shopify --set auth.type=client-credentials --set auth.clientId=<client id> --set-env auth.clientSecret=SHOPIFY_CLIENT_SECRET   (then: mlc ping ${t} shopify)`;
    out.push(f.fail('shopify.credentials', `${ping.message} (API version ${c.apiVersion})`, fix));
    out.push(f.skipped('shopify.scopes', 'not checked: the shop cannot be read'));
    return out;
  }
  out.push(f.ok('shopify.credentials', `${ping?.message ?? 'credentials accepted'}; shop reachable with API version ${c.apiVersion}`));
  const needed = ['read_orders', 'read_customers', ...(s.settings.shopifyWriteBack ? ['write_orders'] : [])];
  try {
    const scopes = await shopifyAccessScopes(c, TIMEOUT_MS);
    // write_x implies read_x on Shopify.
    const missing = needed.filter((x) => !scopes.includes(x) && !scopes.includes(x.replace(/^read_/, 'write_')));
    if (missing.length)
      out.push(
        f.fail(
          'shopify.scopes',
          `the app lacks the access scopes ${missing.join(', ')} (granted: ${scopes.join(', ') || 'none'})`,
          `add ${missing.join(', ')} to the app's access scopes (shopify.app.toml or the Partner Dashboard) and have the shop approve them; then: mlc doctor ${t}`,
        ),
      );
    else out.push(f.ok('shopify.scopes', `the app has ${needed.join(', ')}`));
  } catch (err) {
    out.push(
      f.warn(
        'shopify.scopes',
        `the app's access scopes could not be read (currentAppInstallation.accessScopes): ${describe(err)}`,
        `check in the shop's admin (Settings > Apps) that the app has ${needed.join(', ')}`,
      ),
    );
  }
  return out;
}
