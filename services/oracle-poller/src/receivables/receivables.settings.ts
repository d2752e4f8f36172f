import type { Setting } from '@mlc/platform-config';

/** Settings of the receivables feature of oracle-poller (merged into the service's settings). */
export const receivablesSettings = {} satisfies Record<string, Setting<unknown>>;
