import { as, type Setting } from '@mlc/platform-config';

/** Settings of the purchase-orders feature of fusion-writer (merged into the service's settings). */
export const purchaseOrdersSettings = {
  poWriteMaxAttempts: {
    env: 'FUSION_PO_WRITE_MAX_ATTEMPTS',
    doc: 'attempts (with backoff) for a retryable Fusion failure before the PO update is parked',
    parse: as.int(1, 100),
    default: 10,
  } as Setting<number>,
  receiptConfirmAttempts: {
    env: 'FUSION_RECEIPT_CONFIRM_ATTEMPTS',
    doc: 're-reads of a posted receipt/ASN until Fusion processed it, before the command is retried later (still pending is never done)',
    parse: as.int(0, 50),
    default: 4,
  } as Setting<number>,
  receiptConfirmDelayMs: {
    env: 'FUSION_RECEIPT_CONFIRM_DELAY_MS',
    doc: 'wait before the first re-read of a posted receipt/ASN, doubled per re-read up to 4000 ms',
    parse: as.int(0, 60_000),
    default: 250,
  } as Setting<number>,
  poDffStatusSegment: {
    env: 'FUSION_PO_DFF_STATUS_SEGMENT',
    doc: 'PO descriptive flexfield segment that receives the fulfillment exception text when a command asks for it',
    parse: as.string,
    default: 'shipbobFulfillmentStatus',
  } as Setting<string>,
} satisfies Record<string, Setting<unknown>>;
