import type { Setting } from '@mlc/platform-config';

/** Settings of the ops feature of audit-projector (merged into the service's settings). */
export const opsSettings = {} satisfies Record<string, Setting<unknown>>;
