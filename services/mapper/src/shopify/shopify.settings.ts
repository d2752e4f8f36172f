import type { Setting } from '@mlc/platform-config';

/** Settings of the shopify feature of mapper (merged into the service's settings). */
export const shopifySettings = {} satisfies Record<string, Setting<unknown>>;
