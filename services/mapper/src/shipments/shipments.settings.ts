import type { Setting } from '@mlc/platform-config';

/** Settings of the shipments feature of mapper (merged into the service's settings). */
export const shipmentsSettings = {} satisfies Record<string, Setting<unknown>>;
