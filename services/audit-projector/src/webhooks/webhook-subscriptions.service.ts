import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@mlc/platform-errors';
import { DEMO_WEBHOOK_TOPICS, type ConnectionInput, type ShipbobConnection, type ShopifyConnection, type TenantConfigService } from '@mlc/tenants';
import type { DoctorFinding } from './doctor-finding';
import { partnerFailed, webhooksBadRequest } from './webhooks.errors';

export const WEBHOOK_PARTNERS = ['shipbob', 'shopify'] as const;
export type WebhookPartner = (typeof WEBHOOK_PARTNERS)[number];

/**
 * The topics the product handles, per partner: what webhook-gateway publishes and the mapper reads (ShipBob shipment
 * states and charges; Shopify orders, refunds and customers). The demo tenant is subscribed to the same list.
 */
export const WANTED_WEBHOOK_TOPICS: Record<WebhookPartner, readonly string[]> = DEMO_WEBHOOK_TOPICS;

/** ShipBob's secret format (Webhooks.V2.CreateSubscriptionRequest.secret, OpenAPI 2026-01): 24 random bytes, base64. */
export const SHIPBOB_SECRET_PATTERN = /^whsec_[a-zA-Z0-9+/]{32}$/;
export const newShipbobWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;
/** A short, non-reversible fingerprint of a secret (12 hex of its SHA-256): safe to show and to put in a URL. */
export const secretFingerprint = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 12);

/**
 * The URL a ShipBob subscription of ours is created with: the tenant's gateway URL plus `?key=<fingerprint of the
 * secret it signs with>` (the gateway ignores the query). ShipBob never returns a subscription's secret; the
 * fingerprint tells which stored secret signs it, and gives every subscription an address of its own, so a rotation
 * can create the new subscription before deleting the old one even where ShipBob refuses two subscriptions of one
 * address to one topic (UNCONFIRMED, see the ShipBob sandbox's duplicateWebhookSubscriptions switch).
 */
export const shipbobSubscriptionUrl = (expectedUrl: string, secret: string): string => `${expectedUrl}?key=${secretFingerprint(secret)}`;
const withoutQuery = (url: string): string => url.replace(/[?#].*$/, '');
const keyOf = (url: string): string | undefined => /[?&]key=([0-9a-f]{12})(?:&|#|$)/.exec(url)?.[1];

export interface SubscriptionView {
  id: string;
  url: string;
  topics: string[];
  /** Points at this tenant's gateway URL (query left aside). */
  ours: boolean;
  /**
   * ShipBob, ours only: whether the secret fingerprint in its URL (`?key=`) is one of the stored secrets; null when
   * the URL carries none (made by hand), so which secret signs it is unknown.
   */
  secretStored?: boolean | null;
}

export interface WebhookStatus {
  tenantId: string;
  partner: WebhookPartner;
  expectedUrl: string;
  topics: string[];
  subscriptions: SubscriptionView[];
  missingTopics: string[];
  /** How many webhook secrets the connection holds (2+ while a rotation is under way); never the values. */
  secretsStored: number;
}

export interface WebhookChange extends WebhookStatus {
  created: Array<{ id: string; topics: string[] }>;
  deleted: string[];
  /** What happened, in words, for the CLI. */
  summary: string;
}

export interface ActionRecorder {
  (tenantId: string, action: string, target: string, details: Record<string, unknown>): Promise<unknown>;
}

/** What the service uses of the tenant's ShipBob client (ShipbobClient from @mlc/partners-shipbob-client). */
export interface ShipbobWebhookApi {
  createWebhookSubscription(input: {
    topics: string[];
    url: string;
    secret?: string;
    description?: string;
  }): Promise<{ id: string; url: string; topics: string[] }>;
  listWebhookSubscriptions(cursor?: string): Promise<{ items: Array<{ id: string; url: string; topics: string[] }>; nextCursor?: string | null | undefined }>;
  deleteWebhookSubscription(id: string): Promise<void>;
}

/** What the service uses of the tenant's Shopify client (ShopifyClient from @mlc/partners-shopify-client). */
export interface ShopifyWebhookApi {
  createWebhookSubscription(topic: string, uri: string): Promise<{ id: string; topic: string; uri: string }>;
  listWebhookSubscriptions(): Promise<Array<{ id: string; topic: string; uri: string }>>;
  deleteWebhookSubscription(id: string): Promise<void>;
}

export interface WebhookSubscriptionsDeps {
  config: TenantConfigService;
  clients: { shipbob(tenantId: string): Promise<ShipbobWebhookApi>; shopify(tenantId: string): Promise<ShopifyWebhookApi> };
  /** webhook-gateway's base URL as the partners reach it (MLC_WEBHOOK_BASE_URL). */
  baseUrl: string;
}

export interface RotateOptions {
  gatewayUrl?: string;
  /** Shopify: the app's new client secret (the operator rotated it in the Partner dashboard). */
  newSecret?: string;
  /** Keep only the newest secret (the old one is revoked, or ShipBob's retries of old deliveries are over). */
  finish?: boolean;
}

/**
 * Webhook subscriptions of a tenant at ShipBob (POST/GET/DELETE /{version}/webhook) and Shopify (Admin GraphQL
 * webhookSubscriptionCreate / webhookSubscriptions / webhookSubscriptionDelete), pointing at webhook-gateway's
 * `<base>/webhooks/<partner>/<tenantId>`.
 *
 * Secrets: ShipBob signs each subscription with the secret given at its creation, which we generate and store sealed
 * in the connection's webhookSecrets (newest first) before the subscription exists, so the gateway already accepts
 * its first delivery. Shopify signs every app subscription with the app's client secret: the operator stores it in
 * webhookSecrets; a rotation keeps old and new (the gateway accepts both) until `finish` drops the old one.
 */
export class WebhookSubscriptionsService {
  constructor(private readonly deps: WebhookSubscriptionsDeps) {}

  expectedUrl(tenantId: string, partner: WebhookPartner, gatewayUrl?: string): string {
    const base = gatewayUrl ?? this.deps.baseUrl;
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw webhooksBadRequest(`gatewayUrl must be an absolute http(s) URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw webhooksBadRequest('gatewayUrl must be an http(s) URL');
    if (url.search || url.hash) throw webhooksBadRequest('gatewayUrl must have no query or fragment');
    return `${base.replace(/\/+$/, '')}/webhooks/${partner}/${encodeURIComponent(tenantId)}`;
  }

  async status(tenantId: string, partnerName: string, gatewayUrl?: string): Promise<WebhookStatus> {
    const partner = checkPartner(partnerName);
    const conn = await this.connection(tenantId, partner);
    const expectedUrl = this.expectedUrl(tenantId, partner, gatewayUrl);
    const subscriptions = await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets);
    return this.view(tenantId, partner, expectedUrl, subscriptions, conn.webhookSecrets.length);
  }

  /** Creates only what is missing (idempotent): every wanted topic ends up with a subscription to our URL. */
  async subscribe(tenantId: string, partnerName: string, actor: string, gatewayUrl?: string): Promise<WebhookChange> {
    const partner = checkPartner(partnerName);
    let conn = await this.connection(tenantId, partner);
    const expectedUrl = this.expectedUrl(tenantId, partner, gatewayUrl);
    const before = this.view(tenantId, partner, expectedUrl, await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets), conn.webhookSecrets.length);
    const created: WebhookChange['created'] = [];
    if (before.missingTopics.length) {
      if (partner === 'shipbob') {
        let secret = conn.webhookSecrets.find((s) => SHIPBOB_SECRET_PATTERN.test(s));
        if (!secret) {
          secret = newShipbobWebhookSecret();
          conn = await this.storeSecrets(tenantId, conn, [secret, ...conn.webhookSecrets], actor);
        }
        const sb = await this.shipbob(tenantId);
        const url = shipbobSubscriptionUrl(expectedUrl, secret);
        const sub = await partnerCall('ShipBob', () =>
          sb.createWebhookSubscription({ topics: before.missingTopics, url, secret, description: `ml-connector ${tenantId}` }),
        );
        created.push({ id: sub.id, topics: sub.topics });
      } else {
        const sh = await this.shopify(tenantId);
        for (const topic of before.missingTopics) {
          const sub = await partnerCall('Shopify', () => sh.createWebhookSubscription(topic, expectedUrl));
          created.push({ id: sub.id, topics: [sub.topic] });
        }
      }
    }
    const after = created.length
      ? this.view(tenantId, partner, expectedUrl, await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets), conn.webhookSecrets.length)
      : before;
    const summary = created.length
      ? `subscribed ${before.missingTopics.length} topic(s) in ${created.length} subscription(s) to ${expectedUrl}`
      : `already subscribed: every wanted topic has a subscription to ${expectedUrl}`;
    return { ...after, created, deleted: [], summary };
  }

  /**
   * ShipBob: a fresh secret is stored first (next to the old ones, so the gateway accepts both), then new
   * subscriptions for every topic of ours are created with it, then the old subscriptions are deleted: every event
   * is delivered by an old or a new subscription throughout (during the overlap, by both: the gateway publishes both
   * deliveries, the flows are idempotent). The old secret stays for ShipBob's retries of deliveries signed with it
   * until `finish`.
   * Shopify: nothing to re-create (Shopify signs with the app secret): `newSecret` is stored next to the old one
   * (and as the client-credentials secret when that is the same app secret); `finish` drops the old one.
   */
  async rotate(tenantId: string, partnerName: string, actor: string, opts: RotateOptions = {}): Promise<WebhookChange> {
    const partner = checkPartner(partnerName);
    let conn = await this.connection(tenantId, partner);
    const expectedUrl = this.expectedUrl(tenantId, partner, opts.gatewayUrl);
    if (opts.finish) {
      if (opts.newSecret !== undefined) throw webhooksBadRequest('finish and newSecret do not go together');
      const dropped = conn.webhookSecrets.length - 1;
      if (partner === 'shipbob' && dropped > 0) {
        const keep = secretFingerprint(conn.webhookSecrets[0]!);
        const stale = (await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets)).filter((s) => s.ours && keyOf(s.url) !== keep);
        if (stale.length)
          throw webhooksBadRequest(
            `subscription(s) ${stale.map((s) => s.id).join(', ')} do not sign with the newest secret: dropping the others would make the gateway refuse them; run rotate (without --finish) first`,
          );
      }
      if (dropped > 0) conn = await this.storeSecrets(tenantId, conn, conn.webhookSecrets.slice(0, 1), actor);
      const v = this.view(tenantId, partner, expectedUrl, await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets), conn.webhookSecrets.length);
      return {
        ...v,
        created: [],
        deleted: [],
        summary: dropped > 0 ? `rotation finished: dropped ${dropped} older secret(s), the newest is kept` : 'nothing to finish: one secret is stored',
      };
    }
    if (partner === 'shopify') {
      const next = opts.newSecret;
      if (!next || typeof next !== 'string')
        throw webhooksBadRequest("Shopify: give the app's new client secret (rotated in the Partner dashboard) as newSecret, or finish to drop the old one");
      if (next.length > 500) throw webhooksBadRequest('newSecret is too long');
      if (conn.webhookSecrets[0] === next) throw webhooksBadRequest('newSecret is already the newest stored secret');
      const shop = conn as ShopifyConnection;
      const sameAppSecret = shop.auth.type === 'client-credentials' && shop.auth.clientSecret === conn.webhookSecrets[0];
      const updated: ShopifyConnection = {
        ...shop,
        webhookSecrets: [next, ...shop.webhookSecrets.filter((s) => s !== next)].slice(0, 2),
        ...(sameAppSecret && shop.auth.type === 'client-credentials' ? { auth: { ...shop.auth, clientSecret: next } } : {}),
      };
      await this.deps.config.setConnection(tenantId, updated as unknown as ConnectionInput, actor);
      const v = this.view(
        tenantId,
        partner,
        expectedUrl,
        await this.list(tenantId, partner, expectedUrl, updated.webhookSecrets),
        updated.webhookSecrets.length,
      );
      return {
        ...v,
        created: [],
        deleted: [],
        summary: `new app secret stored next to the old one (both accepted)${sameAppSecret ? ', also as the API client secret' : ''}; once the old secret is revoked in the Partner dashboard run rotate --finish`,
      };
    }
    if (opts.newSecret !== undefined) throw webhooksBadRequest('ShipBob: the new secret is generated here; newSecret is for Shopify');
    const current = await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets);
    const old = current.filter((s) => s.ours);
    const topics = [...new Set([...WANTED_WEBHOOK_TOPICS.shipbob, ...old.flatMap((s) => s.topics)])];
    const secret = newShipbobWebhookSecret();
    // 1. The gateway accepts the new secret before any delivery signed with it can exist.
    conn = await this.storeSecrets(tenantId, conn, [secret, ...conn.webhookSecrets].slice(0, 5), actor);
    // 2. New subscriptions; 3. only then the old ones go.
    const sb = await this.shipbob(tenantId);
    const sub = await partnerCall('ShipBob', () =>
      sb.createWebhookSubscription({ topics, url: shipbobSubscriptionUrl(expectedUrl, secret), secret, description: `ml-connector ${tenantId}` }),
    );
    const deleted: string[] = [];
    for (const s of old) {
      await partnerCall('ShipBob', () => sb.deleteWebhookSubscription(s.id));
      deleted.push(s.id);
    }
    const v = this.view(tenantId, partner, expectedUrl, await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets), conn.webhookSecrets.length);
    return {
      ...v,
      created: [{ id: sub.id, topics: sub.topics }],
      deleted,
      summary: `new secret stored and subscription ${sub.id} created with it; ${deleted.length} old subscription(s) deleted. The old secret stays accepted for ShipBob's retries of earlier deliveries (up to ~28 h): then run rotate --finish`,
    };
  }

  /** For `mlc doctor`: subscriptions cover every wanted topic at our URL; a usable secret is stored. */
  async findings(tenantId: string, partnerName: string, gatewayUrl?: string): Promise<DoctorFinding[]> {
    const partner = checkPartner(partnerName);
    const subscribeCmd = `mlc webhooks subscribe ${tenantId} ${partner}${gatewayUrl ? ` --gateway-url ${gatewayUrl}` : ''}`;
    let conn: ShipbobConnection | ShopifyConnection;
    try {
      conn = await this.connection(tenantId, partner);
    } catch (err) {
      return [
        {
          check: 'webhook-subscriptions',
          partner,
          status: 'skipped',
          message: `no ${partner} connection: ${(err as Error).message}`,
          fix: `mlc connections set ${tenantId} ${partner} …`,
        },
      ];
    }
    const out: DoctorFinding[] = [];
    let ours: SubscriptionView[] = [];
    try {
      const expectedUrl = this.expectedUrl(tenantId, partner, gatewayUrl);
      const v = this.view(tenantId, partner, expectedUrl, await this.list(tenantId, partner, expectedUrl, conn.webhookSecrets), conn.webhookSecrets.length);
      out.push(
        v.missingTopics.length
          ? {
              check: 'webhook-subscriptions',
              partner,
              status: 'fail',
              message: `no subscription to ${expectedUrl} for: ${v.missingTopics.join(', ')}`,
              fix: subscribeCmd,
            }
          : { check: 'webhook-subscriptions', partner, status: 'ok', message: `every wanted topic (${v.topics.length}) has a subscription to ${expectedUrl}` },
      );
      ours = v.subscriptions.filter((s) => s.ours);
    } catch (err) {
      out.push({
        check: 'webhook-subscriptions',
        partner,
        status: 'fail',
        message: `cannot list the ${partner} webhook subscriptions: ${(err as Error).message}`,
        fix: `mlc ping ${tenantId} ${partner}`,
      });
    }
    const secrets = conn.webhookSecrets;
    if (partner === 'shipbob' && ours.length) {
      const unknown = ours.filter((s) => s.secretStored === false);
      const unsure = ours.filter((s) => s.secretStored === null);
      out.push(
        unknown.length
          ? {
              check: 'webhook-subscription-secret',
              partner,
              status: 'fail',
              message: `subscription(s) ${unknown.map((s) => s.id).join(', ')} sign with a secret that is not stored: the gateway refuses their deliveries`,
              fix: `mlc webhooks rotate ${tenantId} shipbob`,
            }
          : unsure.length
            ? {
                check: 'webhook-subscription-secret',
                partner,
                status: 'warn',
                message: `subscription(s) ${unsure.map((s) => s.id).join(', ')} were not made by mlc: which secret signs them is unknown (ShipBob never returns it)`,
                fix: `mlc webhooks rotate ${tenantId} shipbob`,
              }
            : { check: 'webhook-subscription-secret', partner, status: 'ok', message: 'every subscription of ours signs with a stored secret' },
      );
    }
    if (partner === 'shipbob') {
      const usable = secrets.filter((s) => SHIPBOB_SECRET_PATTERN.test(s)).length;
      out.push(
        usable
          ? {
              check: 'webhook-secret',
              partner,
              status: secrets.length > 1 ? 'warn' : 'ok',
              message:
                secrets.length > 1
                  ? `${secrets.length} secrets stored (a rotation left older ones; ShipBob does not return a subscription's secret, so which one signs is only seen in deliveries)`
                  : "a ShipBob webhook secret is stored (ShipBob does not return a subscription's secret; deliveries rejected with 401 at the gateway mean it differs: rotate)",
              ...(secrets.length > 1 ? { fix: `mlc webhooks rotate ${tenantId} shipbob --finish` } : {}),
            }
          : {
              check: 'webhook-secret',
              partner,
              status: 'fail',
              message: 'no usable ShipBob webhook secret is stored',
              fix: `mlc webhooks rotate ${tenantId} shipbob`,
            },
      );
    } else {
      out.push(
        secrets.length > 1
          ? {
              check: 'webhook-secret',
              partner,
              status: 'warn',
              message: 'two Shopify app secrets are accepted (rotation under way)',
              fix: `mlc webhooks rotate ${tenantId} shopify --finish   (once the old secret is revoked in the Partner dashboard)`,
            }
          : secrets.length === 1
            ? { check: 'webhook-secret', partner, status: 'ok', message: 'the Shopify app secret that signs app webhooks is stored' }
            : {
                check: 'webhook-secret',
                partner,
                status: 'fail',
                message: 'no Shopify webhook secret is stored',
                fix: `mlc connections set ${tenantId} shopify --set-env webhookSecrets=SHOPIFY_CLIENT_SECRET`,
              },
      );
    }
    return out;
  }

  // ---- internals

  private view(tenantId: string, partner: WebhookPartner, expectedUrl: string, subscriptions: SubscriptionView[], secretsStored: number): WebhookStatus {
    const topics = [...WANTED_WEBHOOK_TOPICS[partner]];
    const covered = new Set(subscriptions.filter((s) => s.ours).flatMap((s) => s.topics));
    return { tenantId, partner, expectedUrl, topics, subscriptions, missingTopics: topics.filter((t) => !covered.has(t)), secretsStored };
  }

  private async list(tenantId: string, partner: WebhookPartner, expectedUrl: string, secrets: string[] = []): Promise<SubscriptionView[]> {
    if (partner === 'shipbob') {
      const stored = new Set(secrets.map(secretFingerprint));
      const sb = await this.shipbob(tenantId);
      const out: SubscriptionView[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const p = await partnerCall('ShipBob', () => sb.listWebhookSubscriptions(cursor));
        for (const s of p.items) {
          const ours = withoutQuery(s.url) === expectedUrl;
          const key = keyOf(s.url);
          out.push({ id: s.id, url: s.url, topics: [...s.topics], ours, ...(ours ? { secretStored: key ? stored.has(key) : null } : {}) });
        }
        if (!p.nextCursor) break;
        cursor = p.nextCursor;
      }
      return out;
    }
    const sh = await this.shopify(tenantId);
    const subs = await partnerCall('Shopify', () => sh.listWebhookSubscriptions());
    return subs.map((s) => ({ id: s.id, url: s.uri, topics: [s.topic], ours: withoutQuery(s.uri) === expectedUrl }));
  }

  private async connection(tenantId: string, partner: WebhookPartner): Promise<ShipbobConnection | ShopifyConnection> {
    try {
      return (await this.deps.config.getConnection(tenantId, partner)) as ShipbobConnection | ShopifyConnection;
    } catch (err) {
      if (err instanceof AppError && err.code === 'TENANTS.NOT_FOUND' && err.details['partner'] === partner) {
        throw new AppError(
          'TENANTS.NOT_FOUND',
          `tenant ${tenantId} has no ${partner} connection: set it first (mlc connections set ${tenantId} ${partner} …)`,
          { details: { tenantId, partner } },
        );
      }
      throw err;
    }
  }

  private async storeSecrets<C extends ShipbobConnection | ShopifyConnection>(tenantId: string, conn: C, secrets: string[], actor: string): Promise<C> {
    const updated = { ...conn, webhookSecrets: secrets } as C;
    await this.deps.config.setConnection(tenantId, updated as unknown as ConnectionInput, actor);
    return updated;
  }

  private shipbob(tenantId: string): Promise<ShipbobWebhookApi> {
    return this.deps.clients.shipbob(tenantId);
  }

  private shopify(tenantId: string): Promise<ShopifyWebhookApi> {
    return this.deps.clients.shopify(tenantId);
  }
}

function checkPartner(p: string): WebhookPartner {
  if (!(WEBHOOK_PARTNERS as readonly string[]).includes(p))
    throw webhooksBadRequest(`partner must be one of: ${WEBHOOK_PARTNERS.join(', ')} (Fusion sends no webhooks: it is polled)`);
  return p as WebhookPartner;
}

async function partnerCall<T>(partner: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof AppError && (err.code.startsWith('TENANT') || err.code.startsWith('WEBHOOKS.'))) throw err;
    throw partnerFailed(`${partner} refused or did not answer: ${(err as Error).message}`, err);
  }
}
