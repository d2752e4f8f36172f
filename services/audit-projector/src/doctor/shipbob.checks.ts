import { SHIPBOB_WEBHOOK_TOPICS, shipbobLookups, type ShipbobLookups } from '@mlc/tenancy';
import type { PartnerPinger, TenantSnapshot, TokenManager } from '@mlc/tenants';
import { describe, findings, listed, sh } from './doctor.findings';
import type { DoctorFinding } from './doctor.types';

const f = findings('shipbob');
const TIMEOUT_MS = 8_000;
/** Product look-ups per run: ShipBob allows 150 calls a minute (reference/shipbob.md), the flows need the rest. */
const MAX_PRODUCT_LOOKUPS = 60;

/** Scopes the flows use on the channel: create/cancel and read orders, read products and fulfillment centers. */
const NEEDED_SCOPES = ['orders_write', 'orders_read', 'products_read', 'receiving_read'];

/** ShipBob webhook topics of the 2026-01 API: what an event rule may name. */
export const SHIPBOB_TOPICS: readonly string[] = SHIPBOB_WEBHOOK_TOPICS;

/** Connection, credentials, channel and scopes, fulfillment centers and products of the mappings, event rules. */
export async function shipbobChecks(
  t: string,
  s: TenantSnapshot,
  pinger: PartnerPinger | undefined,
  tokens: TokenManager,
  signal: AbortSignal,
): Promise<DoctorFinding[]> {
  const c = s.connections.shipbob;
  if (!c)
    return f.noConnection(
      'ShipBob',
      `mlc connections set ${t} shipbob --base-url https://api.shipbob.com --set auth.type=pat --set-env auth.token=SHIPBOB_PAT --set channelId=<channel id>`,
      ['shipbob.mappings'],
    );
  const out: DoctorFinding[] = [];
  out.push(f.ok('shipbob.connection', `ShipBob connection to ${c.baseUrl} (${c.auth.type}, channel ${c.channelId})`));
  out.push(
    f.webhookSecrets(
      c.webhookSecrets.length,
      'no ShipBob webhook secret is stored: signed webhooks cannot be verified',
      `mlc webhooks subscribe ${t} shipbob   (or: mlc connections set ${t} shipbob --set-env webhookSecrets=SHIPBOB_WEBHOOK_SECRET)`,
    ),
  );
  const ping = pinger ? await pinger.ping(c, { tenantId: t, signal }) : undefined;
  if (ping && !ping.authenticated) {
    const fix =
      ping.reachable === false
        ? `mlc connections set ${t} shipbob --base-url https://api.shipbob.com   (then: mlc ping ${t} shipbob)`
        : c.auth.type === 'pat'
          ? `mlc connections set ${t} shipbob --set auth.type=pat --set-env auth.token=SHIPBOB_PAT   (a personal access token from ShipBob: Integrations > API Tokens; then: mlc ping ${t} shipbob)`
          : `authorize the ShipBob app again and store the new refresh token: mlc connections set ${t} shipbob --set-env auth.refreshToken=SHIPBOB_REFRESH_TOKEN`;
    out.push(f.fail('shipbob.credentials', ping.message, fix));
    out.push(f.skipped('shipbob.channel', 'not checked: the credentials do not work'));
    out.push(f.skipped('shipbob.mappings', 'not checked: the credentials do not work'));
    return out;
  }
  out.push(f.ok('shipbob.credentials', ping?.failedCheck === 'configuration' ? 'credentials accepted' : (ping?.message ?? 'credentials accepted')));
  const client = shipbobLookups(t, c, tokens, TIMEOUT_MS);
  await channelCheck(t, c.channelId, client, out);
  await fulfillmentCenterChecks(t, s, client, out);
  await productChecks(t, s, client, out);
  eventRuleChecks(t, s, out);
  return out;
}

async function channelCheck(t: string, channelId: string, client: ShipbobLookups, out: DoctorFinding[]): Promise<void> {
  try {
    const channels = await client.channels();
    const ch = channels.find((x) => String(x.id) === String(channelId));
    const visible = channels.map((x) => `${x.id} (${x.name})`);
    if (!ch) {
      out.push(
        f.fail(
          'shipbob.channel',
          `channel ${channelId} is not visible to these credentials; visible: ${listed(visible)}`,
          `mlc connections set ${t} shipbob --set channelId=${channels[0]?.id ?? '<channel id>'}`,
        ),
      );
      return;
    }
    const missing = NEEDED_SCOPES.filter((x) => !ch.scopes.includes(x));
    if (missing.length) {
      out.push(
        f.fail(
          'shipbob.channel',
          `channel ${ch.id} (${ch.name}) lacks the scopes ${missing.join(', ')}${missing.includes('orders_write') ? ': orders cannot be written' : ''}`,
          `grant the app ${missing.join(', ')} on channel ${ch.id} (re-authorize it in ShipBob), or pick a writable channel: mlc connections set ${t} shipbob --set channelId=<id>`,
        ),
      );
      return;
    }
    out.push(f.ok('shipbob.channel', `channel ${ch.id} (${ch.name}) exists and is writable (${NEEDED_SCOPES.join(', ')})`));
  } catch (err) {
    out.push(f.warn('shipbob.channel', `the channels could not be read: ${describe(err)}`));
  }
}

async function fulfillmentCenterChecks(t: string, s: TenantSnapshot, client: ShipbobLookups, out: DoctorFinding[]): Promise<void> {
  const rows = (['supplier-fc', 'ship-to-fc'] as const).flatMap((kind) =>
    Object.entries(s.mappings[kind]).map(([key, v]) => ({ kind, key, id: v.fulfillmentCenterId })),
  );
  if (!rows.length) {
    out.push(
      f.warn(
        'shipbob.fulfillmentCenters',
        'no supplier-fc or ship-to-fc mappings: orders go without a fulfillment center',
        `mlc mappings set ${t} ship-to-fc <ship-to location> --set fulfillmentCenterId=<id>`,
      ),
    );
    return;
  }
  let centers;
  try {
    centers = await client.fulfillmentCenters();
  } catch (err) {
    out.push(f.warn('shipbob.fulfillmentCenters', `the fulfillment centers could not be read: ${describe(err)}`));
    return;
  }
  const valid = centers.map((x) => `${x.id} (${x.name})`);
  let bad = 0;
  for (const r of rows) {
    if (centers.some((x) => x.id === r.id)) continue;
    bad++;
    out.push(
      f.fail(
        'shipbob.fulfillmentCenter',
        `${r.kind} mapping ${r.key} -> fulfillment center ${r.id}, which ShipBob does not have; valid: ${listed(valid)}`,
        `mlc mappings set ${t} ${r.kind} ${sh(r.key)} --set fulfillmentCenterId=${centers[0]?.id ?? '<id>'}   (valid ids: ${listed(valid)})`,
      ),
    );
  }
  if (!bad) out.push(f.ok('shipbob.fulfillmentCenters', `all ${rows.length} mapped fulfillment centers exist`));
}

async function productChecks(t: string, s: TenantSnapshot, client: ShipbobLookups, out: DoctorFinding[]): Promise<void> {
  const entries = Object.entries(s.mappings['item-product']);
  if (!entries.length) {
    out.push(
      f.warn(
        'shipbob.products',
        'no item-product mappings: every PO line will wait for one',
        `mlc mappings set ${t} item-product <Fusion item> --set shipbobSku=<ShipBob SKU>`,
      ),
    );
    return;
  }
  let bad = 0;
  let unchecked = 0;
  for (const [n, [item, v]] of entries.entries()) {
    if (n >= MAX_PRODUCT_LOOKUPS) {
      unchecked++;
      continue;
    }
    try {
      const found = await client.productExists(v);
      if (found) continue;
      bad++;
      const what = v.shipbobSku ? `SKU ${v.shipbobSku}` : v.shipbobProductId !== undefined ? `product ${v.shipbobProductId}` : 'no product';
      out.push(
        f.fail(
          'shipbob.product',
          `item-product mapping ${item} -> ${what}, which ShipBob does not have`,
          `mlc mappings set ${t} item-product ${sh(item)} --set shipbobSku=<SKU of the product in ShipBob>`,
        ),
      );
    } catch (err) {
      out.push(f.warn('shipbob.product', `item-product mapping ${item} could not be checked: ${describe(err)}`));
    }
  }
  if (unchecked)
    out.push(f.warn('shipbob.products', `${unchecked} item-product mappings beyond the first ${MAX_PRODUCT_LOOKUPS} were not checked (ShipBob's rate limit)`));
  if (!bad) out.push(f.ok('shipbob.products', `${Math.min(entries.length, MAX_PRODUCT_LOOKUPS)} mapped products exist in ShipBob`));
}

function eventRuleChecks(t: string, s: TenantSnapshot, out: DoctorFinding[]): void {
  const rules = Object.keys(s.mappings['shipbob-event-rule']);
  const unknown = rules.filter((r) => !SHIPBOB_TOPICS.includes(r));
  for (const r of unknown) {
    out.push(
      f.fail(
        'shipbob.eventRule',
        `event rule for "${r}", which is not a ShipBob webhook topic; known: ${SHIPBOB_TOPICS.join(', ')}`,
        `mlc mappings export ${t} shipbob-event-rule --out rules.csv, remove or rename the ${r} row, then: mlc mappings import ${t} shipbob-event-rule rules.csv --replace`,
      ),
    );
  }
  if (!rules.length)
    out.push(
      f.warn(
        'shipbob.eventRules',
        'no shipbob-event-rule mappings: ShipBob events do not change Fusion POs',
        `mlc mappings set ${t} shipbob-event-rule order.shipped --set action=mark-shipped`,
      ),
    );
  else if (!unknown.length) out.push(f.ok('shipbob.eventRules', `${rules.length} event rules, all on known topics`));
}
