import type { Setting } from '@mlc/platform-config';

/** Settings of the purchase-orders feature of mapper (merged into the service's settings). */
export const purchaseOrdersSettings = {} satisfies Record<string, Setting<unknown>>;
