import { as, type Setting } from '@mlc/platform-config';

/** Settings of the purchase-orders feature of mapper (merged into the service's settings). */
export const purchaseOrdersSettings = {
  mapperPoConcurrencyPerPartition: {
    env: 'MAPPER_PO_CONCURRENCY_PER_PARTITION',
    doc: 'PO events of one partition mapped at the same time (one PO’s events always in order, different POs side by side); 1 = one after another (eachMessage). Above 1 the consumer reads batches; each record’s span is still the child of the span that sent it',
    parse: as.int(1, 256),
    default: 16,
  } as Setting<number>,
} satisfies Record<string, Setting<unknown>>;
