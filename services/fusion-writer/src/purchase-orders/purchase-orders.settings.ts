import { as, type Setting } from '@mlc/platform-config';

/** Settings of the purchase-orders feature of fusion-writer (merged into the service's settings). */
export const purchaseOrdersSettings = {
  poWriteMaxAttempts: {
    env: 'FUSION_PO_WRITE_MAX_ATTEMPTS',
    doc: 'attempts (with backoff) for a retryable Fusion failure before the PO update is parked',
    parse: as.int(1, 100),
    default: 10,
  } as Setting<number>,
  poDffStatusSegment: {
    env: 'FUSION_PO_DFF_STATUS_SEGMENT',
    doc: 'PO descriptive flexfield segment that receives the fulfillment exception text when a command asks for it',
    parse: as.string,
    default: 'shipbobFulfillmentStatus',
  } as Setting<string>,
} satisfies Record<string, Setting<unknown>>;
