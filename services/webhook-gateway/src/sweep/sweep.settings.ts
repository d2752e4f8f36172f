import type { Setting } from '@mlc/platform-config';

/** Settings of the sweep feature of webhook-gateway (merged into the service's settings). */
export const sweepSettings = {} satisfies Record<string, Setting<unknown>>;
