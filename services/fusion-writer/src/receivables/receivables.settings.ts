import type { Setting } from '@mlc/platform-config';

/** Settings of the receivables feature of fusion-writer (merged into the service's settings). */
export const receivablesSettings = {} satisfies Record<string, Setting<unknown>>;
