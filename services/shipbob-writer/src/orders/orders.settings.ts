import type { Setting } from '@mlc/platform-config';

/** Settings of the orders feature of shipbob-writer (merged into the service's settings). */
export const ordersSettings = {} satisfies Record<string, Setting<unknown>>;
