import type { AdminApiClient } from './admin-api.client';
import { seg } from './admin-api.client';
import { formatTable } from './table.format';
import { OpsUsageError } from './ops-commands';

/** Flags of the webhooks commands (merged into the CLI's parseArgs options). */
export const WEBHOOK_OPTIONS = {
  'gateway-url': { type: 'string' },
  'new-secret-env': { type: 'string' },
  finish: { type: 'boolean' },
} as const;

export const WEBHOOK_USAGE = `
  webhooks (subscriptions at ShipBob / Shopify pointing at webhook-gateway <base>/webhooks/<partner>/<tenant>;
            base = audit-projector's MLC_WEBHOOK_BASE_URL unless --gateway-url is given):
  mlc webhooks list <tenant> shipbob|shopify [--gateway-url URL]       (exit 3 when a wanted topic has no subscription)
  mlc webhooks subscribe <tenant> shipbob|shopify [--gateway-url URL]  creates only what is missing (ShipBob: signed
        with the tenant's stored secret, generated and stored sealed if there is none; never printed)
  mlc webhooks rotate <tenant> shipbob [--gateway-url URL]   new secret stored (old one still accepted), new
        subscriptions created with it, then the old ones deleted: no delivery is lost
  mlc webhooks rotate <tenant> shopify --new-secret-env VAR  Shopify signs with the app's client secret: after you
        rotate it in the Partner dashboard, store the new one (read from env VAR) next to the old: both are accepted
  mlc webhooks rotate <tenant> shipbob|shopify --finish      drop the old secret (Shopify: once it is revoked in the
        dashboard; ShipBob: once its retries of older deliveries are over, ~28 h)
`;

class WebhookUsageError extends OpsUsageError {}

type Values = { [K in keyof typeof WEBHOOK_OPTIONS]?: (typeof WEBHOOK_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export interface WebhookContext {
  api: AdminApiClient;
  positionals: string[];
  values: Values;
  env: NodeJS.ProcessEnv;
  print(data: unknown, human: () => string): void;
}

interface Subscription {
  id: string;
  url: string;
  topics: string[];
  ours: boolean;
  secretStored?: boolean | null;
}
interface Status {
  partner: string;
  expectedUrl: string;
  topics: string[];
  subscriptions: Subscription[];
  missingTopics: string[];
  secretsStored: number;
}
interface Change extends Status {
  created: Array<{ id: string; topics: string[] }>;
  deleted: string[];
  summary: string;
}

const PARTNERS = ['shipbob', 'shopify'];

function describe(s: Status): string {
  const secret = (x: Subscription) => (x.secretStored === undefined ? '' : x.secretStored === null ? 'unknown' : x.secretStored ? 'stored' : 'NOT STORED');
  const rows = s.subscriptions.map((x) => ({ id: x.id, ours: x.ours ? 'yes' : '', secret: secret(x), topics: x.topics.join(' '), url: x.url }));
  const cols = s.partner === 'shipbob' ? ['id', 'ours', 'secret', 'topics', 'url'] : ['id', 'ours', 'topics', 'url'];
  const lines = [
    `expected URL: ${s.expectedUrl}`,
    `secrets stored: ${s.secretsStored}`,
    rows.length ? formatTable(rows, cols).trimEnd() : '(no subscriptions)',
  ];
  lines.push(
    s.missingTopics.length
      ? `MISSING (no subscription to the expected URL): ${s.missingTopics.join(', ')}`
      : `every wanted topic is subscribed (${s.topics.join(', ')})`,
  );
  return `${lines.join('\n')}\n`;
}

/** Runs `mlc webhooks …`; undefined when `cmd` is not a webhooks command. Exit 0 ok, 3 topics missing. */
export async function runWebhookCommand(cmd: string, ctx: WebhookContext): Promise<number | undefined> {
  if (ctx.positionals[0] !== 'webhooks') return undefined;
  const { api, positionals: pos, values: o, print } = ctx;
  const action = pos[1];
  if (!action || !['list', 'subscribe', 'rotate'].includes(action))
    throw new WebhookUsageError(`unknown webhooks command "${action ?? ''}": list, subscribe or rotate`);
  if (pos.length < 4) throw new WebhookUsageError('missing <tenant> <partner> (shipbob or shopify)');
  if (pos.length > 4) throw new WebhookUsageError(`unexpected argument "${pos[4]}"`);
  const [tenant, partner] = [pos[2]!, pos[3]!];
  if (!PARTNERS.includes(partner)) throw new WebhookUsageError(`partner must be shipbob or shopify, not "${partner}" (Fusion sends no webhooks)`);
  const base = `/admin/tenants/${seg(tenant)}/webhooks/${seg(partner)}`;
  const gatewayUrl = o['gateway-url'];
  if (action !== 'rotate' && (o['new-secret-env'] || o.finish)) throw new WebhookUsageError('--new-secret-env and --finish belong to rotate');
  switch (action) {
    case 'list': {
      const r = await api.request<Status>('GET', `${base}${gatewayUrl ? `?gatewayUrl=${encodeURIComponent(gatewayUrl)}` : ''}`);
      print(r, () => describe(r));
      return r.missingTopics.length ? 3 : 0;
    }
    case 'subscribe': {
      const r = await api.request<Change>('POST', `${base}/subscribe`, gatewayUrl ? { gatewayUrl } : {});
      print(r, () => `${r.summary}\n${describe(r)}`);
      return r.missingTopics.length ? 3 : 0;
    }
    default: {
      const body: Record<string, unknown> = gatewayUrl ? { gatewayUrl } : {};
      if (o.finish) {
        if (o['new-secret-env']) throw new WebhookUsageError('--finish and --new-secret-env do not go together');
        body['finish'] = true;
      } else if (partner === 'shopify') {
        const name = o['new-secret-env'];
        if (!name)
          throw new WebhookUsageError(
            "shopify rotate needs --new-secret-env VAR (the app's new client secret, read from that environment variable) or --finish",
          );
        const v = ctx.env[name];
        if (!v) throw new WebhookUsageError(`environment variable ${name} is not set`);
        body['newSecret'] = v;
      } else if (o['new-secret-env']) throw new WebhookUsageError('ShipBob secrets are generated by mlc: --new-secret-env is for shopify');
      const r = await api.request<Change>('POST', `${base}/rotate`, body);
      print(
        r,
        () =>
          `${r.summary}\n${r.created.length ? `created: ${r.created.map((c) => c.id).join(', ')}\n` : ''}${r.deleted.length ? `deleted: ${r.deleted.join(', ')}\n` : ''}${describe(r)}`,
      );
      return 0;
    }
  }
}
