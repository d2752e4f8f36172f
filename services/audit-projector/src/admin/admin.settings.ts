import type { Setting } from '@mlc/platform-config';

/** Settings of the admin feature of audit-projector (merged into the service's settings). */
export const adminSettings = {} satisfies Record<string, Setting<unknown>>;
