import type { ConfigOf } from '@mlc/platform-config';
import { baseSettings } from '@mlc/platform-service';

/** Every setting of webhook-gateway, checked at start. */
export const webhookGatewaySettings = {
  ...baseSettings,
};

export type WebhookGatewayConfig = ConfigOf<typeof webhookGatewaySettings>;
