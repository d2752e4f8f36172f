import type { ConfigOf } from '@mlc/platform-config';
import { leaseSettings } from '@mlc/platform-lease';
import { tenantServiceSettings } from '@mlc/tenancy';
import { webhooksSettings } from '../webhooks/webhooks.settings';
import { shipbobSweepSettings, sweepSettings } from '../sweep/sweep.settings';

/** Every setting of webhook-gateway, checked at start. */
export const webhookGatewaySettings = tenantServiceSettings(webhooksSettings, sweepSettings, leaseSettings, shipbobSweepSettings);

export type WebhookGatewayConfig = ConfigOf<typeof webhookGatewaySettings>;

/** Injection token for the validated configuration of webhook-gateway. */
export const WEBHOOK_GATEWAY_CONFIG = Symbol('WEBHOOK_GATEWAY_CONFIG');
