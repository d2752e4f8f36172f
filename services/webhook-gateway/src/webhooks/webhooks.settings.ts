import type { Setting } from '@mlc/platform-config';

/** Settings of the webhooks feature of webhook-gateway (merged into the service's settings). */
export const webhooksSettings = {} satisfies Record<string, Setting<unknown>>;
