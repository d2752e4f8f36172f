import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { verifyShipbobWebhook } from '@mlc/partners-shipbob-client';
import { readShopifyWebhookHeaders, verifyShopifyWebhook } from '@mlc/partners-shopify-client';
import { TenantDirectory } from '@mlc/tenancy';
import { AppError } from '@mlc/platform-errors';
import type { ShipbobConnection, ShopifyConnection } from '@mlc/tenants';
import { WEBHOOK_GATEWAY_CONFIG, type WebhookGatewayConfig } from '../config/webhook-gateway.config';
import { DeliveryPublisher, type PublishOutcome, type WebhookPartner } from './delivery.publisher';
import { checkJsonStructure } from './json-structure';
import { readRawBody } from './raw-body.reader';
import { recordKeyOfShipbobWebhook } from './shipbob-record-key';
import { recordKeyOfWebhook } from './shopify-record-key';
import {
  ForeignShopError,
  GatewayUnavailableError,
  MalformedWebhookError,
  NotConnectedError,
  UnauthenticatedWebhookError,
  UnknownTenantError,
  UnsupportedMediaTypeError,
} from './webhook.errors';

/** Headers copied into WebhookReceived.headers (names lowercased). Signatures are left out: they were checked here. */
const SHIPBOB_HEADERS = ['webhook-id', 'webhook-timestamp', 'x-webhook-topic', 'content-type', 'user-agent'];
const SHOPIFY_HEADERS = ['topic', 'shop-domain', 'api-version', 'webhook-id', 'event-id', 'triggered-at', 'name'];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * What a webhook POST does, whichever way it arrives (the raw fast path, webhook-fast-path.ts, or Nest's route,
 * webhooks.controller.ts). Each request: tenant (404) → raw body (413) → signature over the exact bytes (401) →
 * Shopify: the tenant's own shop (403) → JSON structure, numbers untouched (400) → published on Kafka and
 * acknowledged (else 503) → 200; a redelivery (same Shopify Event-Id or Webhook-Id) → 200 `duplicate`.
 */
@Injectable()
export class WebhookIntake {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly deliveries: DeliveryPublisher,
    @Inject(WEBHOOK_GATEWAY_CONFIG) private readonly config: WebhookGatewayConfig,
  ) {}

  async shipbob(tenantId: string, req: IncomingMessage): Promise<PublishOutcome> {
    const conn = await this.connection<ShipbobConnection>(tenantId, 'shipbob');
    const raw = await readRawBody(req, this.config.webhookMaxBodyBytes);
    const v = verifyShipbobWebhook({
      rawBody: raw,
      headers: req.headers,
      secrets: conn.webhookSecrets,
      toleranceSec: this.config.shipbobWebhookToleranceSec,
    });
    if (!v.ok) throw new UnauthenticatedWebhookError(v.reason, v.detail);
    const body = jsonBody(req, raw);
    if (!v.topic) throw new MalformedWebhookError('missing x-webhook-topic header');
    return this.deliveries.publishOnce({
      tenantId,
      partner: 'shipbob',
      topic: v.topic,
      deliveryId: v.webhookId,
      dedupeKey: v.webhookId,
      // The shipment state or charge it carries: the ShipBob sweep skips what a webhook already brought.
      recordKey: recordKeyOfShipbobWebhook(v.topic, body, true),
      origin: 'webhook',
      headers: { ...pick(req, SHIPBOB_HEADERS), 'mlc-origin': 'webhook', 'mlc-received-at': new Date().toISOString() },
      body,
    });
  }

  /** Shopify topics, compliance topics (customers/data_request, customers/redact, shop/redact) included. */
  async shopify(tenantId: string, req: IncomingMessage): Promise<PublishOutcome> {
    const conn = await this.connection<ShopifyConnection>(tenantId, 'shopify');
    const raw = await readRawBody(req, this.config.webhookMaxBodyBytes);
    const h = readShopifyWebhookHeaders(req.headers);
    const v = verifyShopifyWebhook({ rawBody: raw, hmacHeader: h.hmac, secrets: conn.webhookSecrets });
    if (!v.ok) throw new UnauthenticatedWebhookError(v.reason);
    // A valid signature proves the sender knows a secret, not which shop it speaks for: the shop must be the tenant's.
    if (!sameShop(h.shopDomain, conn.shopDomain)) throw new ForeignShopError(tenantId, conn.shopDomain, h.shopDomain);
    const body = jsonBody(req, raw);
    if (!h.topic) throw new MalformedWebhookError('missing X-Shopify-Topic header');
    const deliveryId = h.eventId ?? h.webhookId;
    if (!deliveryId) throw new MalformedWebhookError('missing X-Shopify-Event-Id and X-Shopify-Webhook-Id headers');
    const headers: Record<string, string> = { 'mlc-origin': 'webhook', 'mlc-received-at': new Date().toISOString() };
    for (const name of SHOPIFY_HEADERS) {
      const value = (h as Record<string, string | undefined>)[camel(name)];
      if (value !== undefined) headers[`x-shopify-${name}`] = value;
    }
    const ct = req.headers['content-type'];
    if (ct) headers['content-type'] = ct;
    return this.deliveries.publishOnce({
      tenantId,
      partner: 'shopify',
      topic: h.topic,
      deliveryId,
      // One merchant action shares an Event-Id across topics (orders/paid + orders/updated): the topic is part of the key.
      dedupeKey: `${h.topic}|${deliveryId}`,
      // Shopify's current advice is to dedupe on X-Shopify-Webhook-Id (shopify.md §1.5): a redelivery carrying the same
      // Webhook-Id under another Event-Id is the same delivery. Both keys are kept; either one makes a duplicate.
      otherDedupeKeys: h.webhookId ? [`${h.topic}|${h.webhookId}`] : [],
      recordKey: recordKeyOfWebhook(conn.shopDomain, h.topic, body),
      origin: 'webhook',
      headers,
      body,
    });
  }

  private async connection<C extends ShipbobConnection | ShopifyConnection>(tenantId: string, partner: WebhookPartner): Promise<C> {
    let snapshot;
    try {
      snapshot = await this.directory.get(tenantId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'TENANTS.NOT_FOUND') throw new UnknownTenantError(tenantId);
      throw new GatewayUnavailableError(`tenant configuration unavailable: ${(err as Error).message}`, err);
    }
    const conn = snapshot.connections[partner];
    if (!conn) throw new NotConnectedError(tenantId, partner);
    return conn as C;
  }
}

/** Content type, strict UTF-8 and JSON structure of a verified body; the text returned re-encodes to the same bytes. */
function jsonBody(req: IncomingMessage, raw: Buffer): string {
  const ct = req.headers['content-type'];
  const mediaType = ct?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError(ct);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new MalformedWebhookError('body is not valid UTF-8');
  }
  const problem = checkJsonStructure(text, { topLevelObject: true });
  if (problem)
    throw new MalformedWebhookError(`body is not a JSON object: ${problem.message} at byte ${Buffer.byteLength(text.slice(0, problem.position))}`, {
      ...problem,
    });
  return text;
}

function pick(req: IncomingMessage, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = req.headers[n];
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined) out[n] = s;
  }
  return out;
}

/** Shop domains compare case-insensitively (hostnames); a missing header never matches. */
function sameShop(delivered: string | undefined, tenantShop: string): boolean {
  return delivered !== undefined && delivered.trim().toLowerCase() === tenantShop.trim().toLowerCase();
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
